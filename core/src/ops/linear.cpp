// The fused linear layer (linear.h). Its gradients are the products and the
// sum a composed linear has, so they run on every device and are themselves
// differentiable.
#include "ops/linear.h"

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember::detail {

std::optional<Tensor> fused_linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  // (*, K) inputs fold into (M, K) rows when that is a view, as PyTorch's
  // linear does: the result is a view of the (M, N) product.
  if (x.dim() > 2 && x.is_contiguous() && weight.dim() == 2 && x.size(-1) == weight.size(1)) {
    DimVector sizes(x.sizes());
    sizes[sizes.size() - 1] = weight.size(0);
    if (auto out = fused_linear(x.view({-1, x.size(-1)}), weight, bias)) return out->view(sizes);
    return std::nullopt;
  }
  if (!bias.defined() || x.dim() != 2 || weight.dim() != 2 || bias.dim() != 1) return std::nullopt;
  const int64_t m = x.size(0), k = x.size(1), n = weight.size(0);
  if (weight.size(1) != k || bias.size(0) != n || m == 0 || n == 0 || k == 0) return std::nullopt;
  for (const Tensor* t : {&weight, &bias})
    if (t->dtype() != x.dtype() || t->device() != x.device()) return std::nullopt;
  if (!dispatch::has_kernel(EMBER_OP_ADDMM, x.device().type().id())) return std::nullopt;
  Tensor out = make_tensor({m, n}, x.dtype(), x.device());
  {
    NoGradGuard no_grad;
    const Tensor inputs[3] = {x.contiguous(), weight.contiguous(), bias.contiguous()};
    if (!dispatch::try_call(EMBER_OP_ADDMM, inputs, {&out, 1})) return std::nullopt;
  }
  // PyTorch's addmm(bias, x, weight.t()): inputs in that order.
  if (auto* node = autograd::record(autograd::Op::Addmm, {bias, x, weight}, {out})) {
    autograd::save(node, x);
    autograd::save(node, weight);
  }
  return out;
}

}  // namespace ember::detail
