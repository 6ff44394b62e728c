#pragma once
// Recurrent layers: LSTM and GRU, as torch.nn's, with PyTorch's parameter
// names, order, initialisation and gate layout, so that state dicts and
// seeded weights carry over.
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/options/rnn.h"

namespace ember::nn {

// What LSTM and GRU share: the per-layer, per-direction weights
// (weight_ih_l{k}[_reverse], weight_hh_l{k}[_reverse], bias_ih_l{k}[_reverse],
// bias_hh_l{k}[_reverse]), the input checks and the stacking of layers.
class RNNImplBase : public Module {
 public:
  // Draws every weight from U(-1/√hidden, 1/√hidden) in registration order,
  // as PyTorch's RNNBase.reset_parameters.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  RNNOptionsBase options_base;
  // The parameters of each layer and direction, in PyTorch's order
  // (layer 0 forward, layer 0 reverse, layer 1 forward, ...); biases are
  // undefined without bias.
  struct Cell {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  const std::vector<Cell>& cells() const noexcept { return cells_; }
  // Every parameter, in registration order (flat_weights in PyTorch).
  std::vector<Tensor> all_weights() const { return parameters(); }

 protected:
  // `gate_count` is 4 for LSTM, 3 for GRU: the rows of each weight.
  RNNImplBase(const RNNOptionsBase& options, int64_t gate_count, const char* op);

  int64_t num_directions() const { return options_base.bidirectional() ? 2 : 1; }
  // Checks `input` and makes it (seq, batch, feature); `batched` says whether
  // it had a batch dimension (PyTorch accepts unbatched (seq, feature) input).
  Tensor prepare_input(const Tensor& input, bool& batched) const;
  // Checks a given initial state against (layers·directions, batch, hidden)
  // (without the batch dimension for unbatched input) and makes it batched;
  // `what` names it in the error ("hx", "c0").
  Tensor prepare_state(const Tensor& state, const Tensor& input, bool batched, const char* what) const;
  // The output back in the caller's layout.
  Tensor finish_output(const Tensor& output, bool batched) const;

  const char* op_;
  std::vector<Cell> cells_;
};

class LSTMImpl : public RNNImplBase {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size) : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options);
  // input: (seq, batch, input_size), or (batch, seq, input_size) with
  // batch_first, or unbatched (seq, input_size); hx: (h_0, c_0), each
  // (num_layers·directions, batch, hidden_size), zeros when not given.
  // Returns (output, (h_n, c_n)); output has directions·hidden_size features.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input,
                                                         std::optional<std::tuple<Tensor, Tensor>> hx = {});

  LSTMOptions options;
};
EMBER_MODULE(LSTM);

class GRUImpl : public RNNImplBase {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options);
  // As LSTM's, with one state tensor: returns (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});

  GRUOptions options;
};
EMBER_MODULE(GRU);

}  // namespace ember::nn
