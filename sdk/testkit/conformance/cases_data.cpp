// Data movement cases: copy and every cast, fill, arange, and the index
// primitives (index_select, gather, scatter_add) with in-range indices.
#include "case.h"

namespace ember::testkit::conformance {
namespace {

// Values every dtype holds exactly (bool: 0/1; uint8: no negatives).
Tensor castable(SampleRng& r, IntArrayRef sizes, Dtype d) {
  if (d == kBool) return r.integers(sizes, 0, 2, d);
  if (!is_floating_point(d)) return r.integers(sizes, 0, 100, d);
  return r.uniform(sizes, d, 0, 4);
}

}  // namespace

void add_data_cases(std::vector<Case>& t) {
  Case copy;
  copy.name = "copy";
  copy.group = "data";
  copy.dtypes = kAllDtypes;
  copy.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"matrix", {castable(r, {3, 5}, d)}},
                               {"3-d", {castable(r, {2, 3, 4}, d)}},
                               {"0-d", {castable(r, {}, d)}},
                               {"zero-size", {castable(r, {0, 3}, d)}}};
  };
  // clone keeps a strided input's layout; contiguous and a transposed
  // contiguous copy write through strides; a copy_ into a strided view.
  copy.fn = [](const Tensors& x) {
    Tensors out = {x[0].clone(), x[0].contiguous()};
    if (x[0].dim() >= 2) out.push_back(x[0].transpose(0, 1).contiguous());
    if (x[0].dim() >= 1 && x[0].numel() > 0) {
      Tensor dst = ember::zeros(x[0].sizes(), x[0].options().requires_grad(false));
      dst.select(0, 0).copy_(x[0].select(0, 0));  // the gradient flows through copy_ too
      out.push_back(dst);
    }
    return out;
  };
  copy.differentiable = true;
  t.push_back(copy);

  Case cast = copy;
  cast.name = "cast";
  cast.fn = [](const Tensors& x) {
    Tensors out;
    for (Dtype to : kAllDtypes) out.push_back(x[0].to(to));
    return out;
  };
  cast.gradcheck = false;  // a step of 1e-6 through float16 rounds away: finite differences mean nothing
  t.push_back(cast);

  Case fill;
  fill.name = "fill";
  fill.group = "data";
  fill.dtypes = kAllDtypes;
  fill.samples = copy.samples;
  fill.fn = [](const Tensors& x) {
    NoGradGuard no_grad;
    const Tensor like = x[0].detach();
    Tensors out = {ember::zeros_like(like), ember::ones_like(like), ember::full_like(like, 1)};
    Tensor y = like.clone();
    y.fill_(like.dtype() == kBool ? 1 : 3);
    out.push_back(y);
    if (like.dim() >= 1 && like.numel() > 0) {  // a strided part only
      Tensor z = like.clone();
      z.select(-1, 0).fill_(0);
      out.push_back(z);
    }
    return out;
  };
  t.push_back(fill);

  Case arange;
  arange.name = "arange";
  arange.group = "data";
  arange.dtypes = {kFloat32, kFloat64, kInt32, kInt64};
  arange.samples = [](Dtype d, SampleRng&) { return std::vector<Sample>{{"like", {ember::zeros({1}, d)}}}; };
  arange.fn = [](const Tensors& x) {
    const TensorOptions o = x[0].options().requires_grad(false);
    Tensors out = {ember::arange(7, o), ember::arange(-3, 8, 2, o), ember::arange(5, 5, o), ember::arange(70, o)};
    if (is_floating_point(x[0].dtype())) {
      out.push_back(ember::arange(0.5, 2.0, 0.25, o));
      out.push_back(ember::linspace(-1, 1, 9, o));
    }
    return out;
  };
  t.push_back(arange);

  Case index_select;
  index_select.name = "index_select";
  index_select.group = "index";
  index_select.dtypes = {kFloat32, kFloat64, kInt64};
  index_select.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"rows", {r.uniform({4, 5}, d), ember::tensor({3, 0, 3, 1})}},
                               {"zero indices", {r.uniform({4, 5}, d), ember::zeros({0}, kInt64)}},
                               {"empty source", {r.uniform({4, 0}, d), ember::tensor({2, 2})}}};
  };
  // Along dim 0, and along the last dim with the same (in-range) indices.
  index_select.fn = [](const Tensors& x) {
    Tensors out = {x[0].index_select(0, x[1])};
    if (x[0].size(1) > 0) out.push_back(x[0].index_select(1, x[1].clamp_max(x[0].size(1) - 1)));
    return out;
  };
  index_select.differentiable = true;
  t.push_back(index_select);

  Case gather;
  gather.name = "gather";
  gather.group = "index";
  gather.dtypes = {kFloat32, kFloat64, kInt64};
  gather.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"matrix", {r.uniform({3, 4}, d), r.integers({3, 2}, 0, 3)}},
                               {"3-d", {r.uniform({2, 3, 4}, d), r.integers({2, 3, 3}, 0, 2)}},
                               {"zero-size", {r.uniform({3, 4}, d), r.integers({3, 0}, 0, 3)}}};
  };
  gather.fn = [](const Tensors& x) {
    return Tensors{x[0].gather(-1, x[1]), x[0].gather(0, x[1].narrow(0, 0, std::min<int64_t>(x[1].size(0), 2)))};
  };
  gather.differentiable = true;
  t.push_back(gather);

  Case scatter;
  scatter.name = "scatter_add";
  scatter.group = "index";
  scatter.dtypes = {kFloat32, kFloat64, kInt64};
  // Indices repeat, so contributions to one element add up; they are in
  // range along both dims the fn scatters over.
  scatter.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"matrix", {r.uniform({3, 5}, d), r.integers({3, 4}, 0, 3), r.uniform({3, 4}, d)}},
                               {"3-d", {r.uniform({2, 3, 4}, d), r.integers({2, 3, 3}, 0, 2), r.uniform({2, 3, 3}, d)}},
                               {"zero-size", {r.uniform({3, 5}, d), r.integers({3, 0}, 0, 5), r.uniform({3, 0}, d)}}};
  };
  scatter.fn = [](const Tensors& x) {
    const int64_t rows = std::min<int64_t>(x[1].size(0), 2);
    return Tensors{x[0].scatter_add(-1, x[1], x[2]),
                   x[0].scatter_add(0, x[1].narrow(0, 0, rows), x[2].narrow(0, 0, rows))};
  };
  scatter.differentiable = true;
  t.push_back(scatter);
}

}  // namespace ember::testkit::conformance
