// In-place writes through views (PyTorch's CopySlices): when an in-place op
// writes a view of a base tensor, the base's history becomes "the old base,
// with the view's region replaced by the op's result", and the view's own
// history becomes a view of that.
#include "autograd/copy_slices.h"

#include "autograd/formulas.h"
#include "autograd/meta.h"
#include "ember/factories.h"
#include "tensor/make.h"

namespace ember::autograd {
namespace {

struct Geometry {
  DimVector sizes, strides;
  int64_t offset = 0;
  static Geometry of(const Tensor& t) { return {DimVector(t.sizes()), DimVector(t.strides()), t.storage_offset()}; }
  int64_t end() const {  // one past the last storage element it reaches
    int64_t last = offset;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 0) return offset;
      last += (sizes[d] - 1) * strides[d];
    }
    return last + 1;
  }
};

class CopySlices final : public Node {
 public:
  CopySlices(Geometry base, Geometry view, std::shared_ptr<Node> fn) : base_(std::move(base)), view_(std::move(view)), fn_(std::move(fn)) {}
  std::string name() const override { return "CopySlices"; }

  variable_list apply(variable_list&& grads) override {
    const Tensor& grad = grads[0];
    // Lay the base's gradient out as the storage is, so both geometries apply.
    const int64_t extent = std::max(base_.end(), view_.end());
    Tensor flat = zeros({extent}, TensorOptions().dtype(grad.dtype()).device(grad.device()));
    flat.as_strided(base_.sizes, base_.strides, base_.offset).copy_(grad);
    Tensor region = flat.as_strided(view_.sizes, view_.strides, view_.offset);
    variable_list fn_grads = fn_->apply({region.clone()});
    if (fn_grads[0].defined()) region.copy_(fn_grads[0]);
    else region.zero_();
    variable_list out{flat.as_strided(base_.sizes, base_.strides, base_.offset).clone()};
    for (size_t i = 1; i < fn_grads.size(); ++i) out.push_back(fn_grads[i]);
    return out;
  }
  void release_variables() override { fn_->release_variables(); }

 private:
  Geometry base_, view_;
  std::shared_ptr<Node> fn_;
};

}  // namespace

void rebase_history(const Tensor& view, const std::shared_ptr<Node>& fn) {
  Tensor base(view.impl().view_base);
  const Geometry base_geometry = Geometry::of(base), view_geometry = Geometry::of(view);
  auto slices = std::make_shared<CopySlices>(base_geometry, view_geometry, fn);
  slices->sequence_nr_ = next_sequence_nr();
  slices->next_edges_.push_back(gradient_edge(base));
  for (size_t i = 1; i < fn->next_edges_.size(); ++i) slices->next_edges_.push_back(fn->next_edges_[i]);
  slices->outputs_.push_back({base_geometry.sizes, base.dtype(), base.device()});
  set_history(base, slices, 0);
  // The view is now the matching region of the base's new history.
  auto as_view = std::make_shared<FormulaNode>(Op::AsStrided);
  as_view->sequence_nr_ = next_sequence_nr();
  as_view->next_edges_.push_back({slices, 0});
  as_view->inputs.push_back({base_geometry.sizes, base_geometry.strides, base_geometry.offset, base.dtype(), base.device()});
  as_view->outputs_.push_back({view_geometry.sizes, view.dtype(), view.device()});
  as_view->ints.assign({view_geometry.offset});
  for (int64_t s : view_geometry.sizes) as_view->ints.push_back(s);
  for (int64_t s : view_geometry.strides) as_view->ints.push_back(s);
  set_history(view, as_view, 0);
}

}  // namespace ember::autograd
