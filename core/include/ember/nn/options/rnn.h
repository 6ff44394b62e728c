#pragma once
// Options of the recurrent modules, as libtorch's torch/nn/options/rnn.h.
#include <cstdint>

#include "ember/nn/options/arg.h"

// The options LSTM and GRU share (PyTorch's RNNBase arguments, without
// proj_size). A macro rather than a base class so that each setter returns
// the derived options type and chains: LSTMOptions(4, 8).num_layers(2).
#define EMBER_RNN_OPTIONS(Name)                                                            \
  Name(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {} \
  /* The number of features of each input step. */                                        \
  EMBER_NN_ARG(int64_t, input_size, 0);                                                    \
  /* The number of features of the hidden state. */                                       \
  EMBER_NN_ARG(int64_t, hidden_size, 0);                                                   \
  /* The number of stacked layers, each reading the previous one's output. */             \
  EMBER_NN_ARG(int64_t, num_layers, 1);                                                    \
  /* Whether the layers have bias_ih and bias_hh. */                                       \
  EMBER_NN_ARG(bool, bias, true);                                                          \
  /* Input and output are (batch, seq, feature) instead of (seq, batch, feature). */      \
  EMBER_NN_ARG(bool, batch_first, false);                                                  \
  /* The dropout probability on each layer's output but the last, in training. */         \
  EMBER_NN_ARG(double, dropout, 0.0);                                                      \
  /* Whether each layer also runs backwards in time (outputs concatenated). */            \
  EMBER_NN_ARG(bool, bidirectional, false)

namespace ember::nn {

struct LSTMOptions {
  EMBER_RNN_OPTIONS(LSTMOptions);
};

struct GRUOptions {
  EMBER_RNN_OPTIONS(GRUOptions);
};

// Either of the above, as the shared implementation keeps it.
struct RNNOptionsBase {
  EMBER_RNN_OPTIONS(RNNOptionsBase);

 public:
  template <typename Options>
  static RNNOptionsBase of(const Options& o) {
    return RNNOptionsBase(o.input_size(), o.hidden_size())
        .num_layers(o.num_layers())
        .bias(o.bias())
        .batch_first(o.batch_first())
        .dropout(o.dropout())
        .bidirectional(o.bidirectional());
  }
};

}  // namespace ember::nn
