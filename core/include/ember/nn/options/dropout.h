#pragma once
// Options of dropout, as libtorch's torch/nn/options/dropout.h.
#include "ember/nn/options/arg.h"

namespace ember::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  // The probability of zeroing an element.
  EMBER_NN_ARG(double, p, 0.5);
  EMBER_NN_ARG(bool, inplace, false);
};

namespace functional {
struct DropoutFuncOptions {
  EMBER_NN_ARG(double, p, 0.5);
  EMBER_NN_ARG(bool, training, true);
  EMBER_NN_ARG(bool, inplace, false);
};
}  // namespace functional

}  // namespace ember::nn
