// LSTM and GRU as compositions of ember ops (linear, sigmoid, tanh, chunk,
// stack, cat), so autograd differentiates them without formulas of their own.
// The arithmetic follows PyTorch's CPU cells (aten/src/ATen/native/RNN.cpp):
// gates = linear(x, W_ih, b_ih) + linear(h, W_hh, b_hh), split in PyTorch's
// gate order.
#include "ember/nn/rnn.h"

#include <cmath>

#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "nn/detail.h"
#include "tensor/make.h"

namespace ember::nn {

using ember::detail::shape_str;

RNNImplBase::RNNImplBase(const RNNOptionsBase& options, int64_t gate_count, const char* op)
    : options_base(options), op_(op) {
  const auto& o = options_base;
  EMBER_CHECK(o.input_size() >= 0, op, ": input_size must be non-negative, got ", o.input_size());
  EMBER_CHECK(o.hidden_size() > 0, op, ": hidden_size must be greater than zero, got ", o.hidden_size());
  EMBER_CHECK(o.num_layers() > 0, op, ": num_layers must be greater than zero, got ", o.num_layers());
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() <= 1, op,
              ": dropout should be a number in range [0, 1] representing the probability of an element being "
              "zeroed, got ",
              o.dropout());
  const int64_t hidden = o.hidden_size(), rows = gate_count * hidden;
  // PyTorch's registration order: per layer, per direction, w_ih, w_hh, b_ih, b_hh.
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    const int64_t layer_input = layer == 0 ? o.input_size() : hidden * num_directions();
    for (int64_t direction = 0; direction < num_directions(); ++direction) {
      const std::string suffix = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      Cell cell;
      cell.w_ih = register_parameter("weight_ih" + suffix, empty({rows, layer_input}));
      cell.w_hh = register_parameter("weight_hh" + suffix, empty({rows, hidden}));
      if (o.bias()) {
        cell.b_ih = register_parameter("bias_ih" + suffix, empty({rows}));
        cell.b_hh = register_parameter("bias_hh" + suffix, empty({rows}));
      }
      cells_.push_back(cell);
    }
  }
  reset_parameters();
}

void RNNImplBase::reset_parameters() {
  const double stdv = 1.0 / std::sqrt(double(options_base.hidden_size()));
  for (Tensor& w : parameters()) init::uniform_(w, -stdv, stdv);
}

// PyTorch's RNNBase.extra_repr: only the options that differ from the defaults.
void RNNImplBase::pretty_print(std::ostream& out) const {
  const auto& o = options_base;
  out << o.input_size() << ", " << o.hidden_size();
  if (o.num_layers() != 1) out << ", num_layers=" << o.num_layers();
  if (!o.bias()) out << ", bias=False";
  if (o.batch_first()) out << ", batch_first=True";
  if (o.dropout() != 0) out << ", dropout=" << detail::python_float(o.dropout());
  if (o.bidirectional()) out << ", bidirectional=True";
}

Tensor RNNImplBase::prepare_input(const Tensor& input, bool& batched) const {
  const auto& o = options_base;
  EMBER_CHECK(input.defined(), op_, ": the input is undefined");
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, op_, ": expected input of 3 dimensions (",
              o.batch_first() ? "batch, seq, input_size" : "seq, batch, input_size",
              ") or 2 (seq, input_size) when unbatched, got shape ", shape_str(input.sizes()));
  EMBER_CHECK(input.size(-1) == o.input_size(), op_, ": input.size(-1) must be equal to input_size: expected ",
              o.input_size(), ", got input of shape ", shape_str(input.sizes()),
              "; build the module with the input's feature count");
  batched = input.dim() == 3;
  Tensor x = batched ? (o.batch_first() ? input.transpose(0, 1) : input) : input.unsqueeze(1);
  EMBER_CHECK(x.size(0) > 0, op_, ": the input has no time steps (shape ", shape_str(input.sizes()), ")");
  return x;
}

Tensor RNNImplBase::prepare_state(const Tensor& state, const Tensor& input, bool batched, const char* what) const {
  const auto& o = options_base;
  std::vector<int64_t> want{o.num_layers() * num_directions(), input.size(1), o.hidden_size()};
  if (!batched) want.erase(want.begin() + 1);
  EMBER_CHECK(state.sizes().equals(want), op_, ": expected ", what, " of shape ", shape_str(want), " (num_layers",
              o.bidirectional() ? " * 2" : "", batched ? ", batch" : "", ", hidden_size), got ",
              shape_str(state.sizes()));
  return batched ? state : state.unsqueeze(1);
}

Tensor RNNImplBase::finish_output(const Tensor& output, bool batched) const {
  if (!batched) return output.squeeze(1);
  return options_base.batch_first() ? output.transpose(0, 1) : output;
}

namespace {

// Runs `step(input_t, state)` -> state over time (backwards for the reverse
// direction) and stacks what `out(state)` gives at each step, at that step's
// position.
template <typename State, typename Step, typename Out>
Tensor scan(const Tensor& inputs, bool reverse, State& state, Step step, Out out) {
  const int64_t steps = inputs.size(0);
  std::vector<Tensor> outputs(static_cast<size_t>(steps));
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    state = step(inputs[t], state);
    outputs[size_t(t)] = out(state);
  }
  return stack(outputs, 0);
}

// The layers one above the other: `run_cell(cell_index, layer_input)` returns
// one direction's outputs; directions are concatenated on features, and
// dropout is applied between layers while training.
template <typename RunCell>
Tensor stack_layers(const RNNOptionsBase& o, bool training, const Tensor& input, RunCell run_cell) {
  const int64_t directions = o.bidirectional() ? 2 : 1;
  Tensor layer_input = input;
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t d = 0; d < directions; ++d) outputs.push_back(run_cell(layer * directions + d, layer_input));
    layer_input = directions == 1 ? outputs[0] : cat(outputs, 2);
    if (o.dropout() > 0 && training && layer + 1 < o.num_layers())
      layer_input = functional::dropout(layer_input, functional::DropoutFuncOptions().p(o.dropout()).training(true));
  }
  return layer_input;
}

}  // namespace

LSTMImpl::LSTMImpl(const LSTMOptions& options)
    : RNNImplBase(RNNOptionsBase::of(options), 4, "LSTM"), options(options) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(const Tensor& input,
                                                                 std::optional<std::tuple<Tensor, Tensor>> hx) {
  bool batched = true;
  const Tensor x = prepare_input(input, batched);
  const int64_t states = options.num_layers() * num_directions();
  Tensor h0, c0;
  if (hx) {
    h0 = prepare_state(std::get<0>(*hx), x, batched, "h_0 (hx[0])");
    c0 = prepare_state(std::get<1>(*hx), x, batched, "c_0 (hx[1])");
  } else {
    const auto like = TensorOptions().dtype(x.dtype()).device(x.device());
    h0 = zeros({states, x.size(1), options.hidden_size()}, like);
    c0 = zeros({states, x.size(1), options.hidden_size()}, like);
  }
  std::vector<Tensor> h_n(static_cast<size_t>(states)), c_n(static_cast<size_t>(states));
  Tensor output = stack_layers(options_base, is_training(), x, [&](int64_t index, const Tensor& layer_input) {
    const Cell& cell = cells_[size_t(index)];
    std::tuple<Tensor, Tensor> state{h0[index], c0[index]};
    // The input half of the gates for every step at once.
    const Tensor input_gates = functional::linear(layer_input, cell.w_ih, cell.b_ih);
    Tensor out = scan(
        input_gates, index % num_directions() == 1, state,
        [&](const Tensor& gates_x, const std::tuple<Tensor, Tensor>& hc) {
          const auto& [h, c] = hc;
          // PyTorch's gate order: input, forget, cell, output.
          const auto gates = (gates_x + functional::linear(h, cell.w_hh, cell.b_hh)).chunk(4, 1);
          const Tensor i = sigmoid(gates[0]), f = sigmoid(gates[1]), g = tanh(gates[2]), o = sigmoid(gates[3]);
          Tensor c_next = f * c + i * g;
          Tensor h_next = o * tanh(c_next);
          return std::tuple<Tensor, Tensor>{h_next, c_next};
        },
        [](const std::tuple<Tensor, Tensor>& hc) { return std::get<0>(hc); });
    h_n[size_t(index)] = std::get<0>(state);
    c_n[size_t(index)] = std::get<1>(state);
    return out;
  });
  Tensor h = stack(h_n, 0), c = stack(c_n, 0);
  if (!batched) {
    h = h.squeeze(1);
    c = c.squeeze(1);
  }
  return {finish_output(output, batched), {h, c}};
}

GRUImpl::GRUImpl(const GRUOptions& options) : RNNImplBase(RNNOptionsBase::of(options), 3, "GRU"), options(options) {}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, Tensor hx) {
  bool batched = true;
  const Tensor x = prepare_input(input, batched);
  const int64_t states = options.num_layers() * num_directions();
  const Tensor h0 = hx.defined() ? prepare_state(hx, x, batched, "hx")
                                 : zeros({states, x.size(1), options.hidden_size()},
                                         TensorOptions().dtype(x.dtype()).device(x.device()));
  std::vector<Tensor> h_n(static_cast<size_t>(states));
  Tensor output = stack_layers(options_base, is_training(), x, [&](int64_t index, const Tensor& layer_input) {
    const Cell& cell = cells_[size_t(index)];
    Tensor state = h0[index];
    const Tensor input_gates = functional::linear(layer_input, cell.w_ih, cell.b_ih);
    Tensor out = scan(
        input_gates, index % num_directions() == 1, state,
        [&](const Tensor& gates_x, const Tensor& h) {
          // PyTorch's gate order: reset, update, new; the reset gate scales
          // the hidden half of the new gate, bias included.
          const auto gx = gates_x.chunk(3, 1);
          const auto gh = functional::linear(h, cell.w_hh, cell.b_hh).chunk(3, 1);
          const Tensor r = sigmoid(gx[0] + gh[0]), z = sigmoid(gx[1] + gh[1]);
          const Tensor n = tanh(gx[2] + r * gh[2]);
          // h' = (1 - z)·n + z·h, written as PyTorch's cell computes it.
          return n + z * (h - n);
        },
        [](const Tensor& h) { return h; });
    h_n[size_t(index)] = state;
    return out;
  });
  Tensor h = stack(h_n, 0);
  return {finish_output(output, batched), batched ? h : h.squeeze(1)};
}

}  // namespace ember::nn
