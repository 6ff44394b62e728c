#include <cmath>
#include <ostream>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/nn/init.h"
#include "ember/nn/modules.h"

namespace ember::nn {

LinearImpl::LinearImpl(const LinearOptions& options) : options(options) {
  EMBER_CHECK(options.in_features() >= 0 && options.out_features() >= 0, "Linear: features must be non-negative, got ",
              options.in_features(), " and ", options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  reset_parameters();
}

// PyTorch's Linear.reset_parameters, in the same order of draws.
void LinearImpl::reset_parameters() {
  NoGradGuard no_grad;
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1 / std::sqrt(double(fan_in)) : 0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

void LinearImpl::pretty_print(std::ostream& out) const {
  out << "in_features=" << options.in_features() << ", out_features=" << options.out_features()
      << ", bias=" << (options.bias() ? "True" : "False");
}

}  // namespace ember::nn
