// Neural-network primitives: softmax and log_softmax, im2col / col2im
// (through F::unfold / F::fold), max_pool2d, conv2d, linear and layer_norm, with padding,
// strides and dilation, so windows reach past the image's edges.
#include "case.h"

namespace ember::testkit::conformance {
namespace F = ember::nn::functional;

void add_nn_cases(std::vector<Case>& t) {
  for (bool log : {false, true}) {
    Case c;
    c.name = log ? "log_softmax" : "softmax";
    c.group = "nn";
    c.dtypes = kFloats;
    c.samples = [](Dtype d, SampleRng& r) {
      return std::vector<Sample>{{"matrix", {r.uniform({3, 5}, d, -4, 4)}},
                                 {"3-d", {r.uniform({2, 3, 4}, d, -4, 4)}},
                                 {"large values", {r.uniform({2, 6}, d, 50, 90)}},
                                 {"zero-size", {r.uniform({0, 5}, d)}}};
    };
    c.fn = [log](const Tensors& x) {
      return log ? Tensors{x[0].log_softmax(-1), x[0].log_softmax(0)} : Tensors{x[0].softmax(-1), x[0].softmax(0)};
    };
    c.differentiable = true;
    t.push_back(c);
  }

  auto images = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"batch", {r.uniform({2, 3, 6, 7}, d)}},
                               {"one plane", {r.uniform({1, 1, 5, 5}, d)}},
                               {"zero batch", {r.uniform({0, 2, 5, 5}, d)}}};
  };

  Case unfold;
  unfold.name = "im2col (F::unfold)";
  unfold.group = "nn";
  unfold.dtypes = kFloats;
  unfold.samples = images;
  unfold.fn = [](const Tensors& x) {
    return Tensors{F::unfold(x[0], F::UnfoldFuncOptions({2, 3})),
                   F::unfold(x[0], F::UnfoldFuncOptions({3, 2}).stride({2, 1}).padding({1, 2}).dilation({1, 2}))};
  };
  unfold.differentiable = true;
  t.push_back(unfold);

  // fold's input: C*kh*kw = 3*2*3 rows, one column per window position.
  Case fold;
  fold.name = "col2im (F::fold)";
  fold.group = "nn";
  fold.dtypes = kFloats;
  fold.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"overlapping", {r.uniform({2, 3 * 2 * 3, 5 * 5}, d)}},
                               {"zero batch", {r.uniform({0, 3 * 2 * 3, 5 * 5}, d)}}};
  };
  // The same columns as (6, 7) images, and as (11, 5) ones with stride
  // (2, 1) and padding (0, 1) (windows that skip row 10 and reach outside).
  fold.fn = [](const Tensors& x) {
    return Tensors{F::fold(x[0], F::FoldFuncOptions({6, 7}, {2, 3})),
                   F::fold(x[0], F::FoldFuncOptions({11, 5}, {2, 3}).stride({2, 1}).padding({0, 1}))};
  };
  fold.differentiable = true;
  t.push_back(fold);

  Case pool;
  pool.name = "max_pool2d";
  pool.group = "nn";
  pool.dtypes = kFloats;
  pool.samples = [](Dtype d, SampleRng& r) {  // distinct values: one maximum per window
    return std::vector<Sample>{{"batch", {r.permutation({2, 3, 6, 7}, d)}},
                               {"one plane", {r.permutation({1, 1, 5, 5}, d)}},
                               {"zero batch", {r.permutation({0, 2, 5, 5}, d)}}};
  };
  pool.fn = [](const Tensors& x) {
    auto [v, i] = F::max_pool2d_with_indices(x[0], F::MaxPool2dFuncOptions(2));
    auto [pv, pi] = F::max_pool2d_with_indices(x[0], F::MaxPool2dFuncOptions(3).stride(2).padding(1));
    auto [cv, ci] = F::max_pool2d_with_indices(x[0], F::MaxPool2dFuncOptions({2, 3}).stride(2).ceil_mode(true));
    return Tensors{v, i, pv, pi, cv, ci, F::max_pool2d(x[0], F::MaxPool2dFuncOptions(2).dilation(2))};
  };
  pool.differentiable = true;
  t.push_back(pool);

  Case conv;
  conv.name = "conv2d";
  conv.group = "nn";
  conv.dtypes = kFloats;
  conv.tol = {1e-4, 1e-4};
  conv.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{
        {"batch", {r.uniform({2, 3, 6, 6}, d), r.uniform({4, 3, 3, 3}, d), r.uniform({4}, d)}},
        {"1x1", {r.uniform({1, 2, 4, 5}, d), r.uniform({4, 2, 1, 1}, d), r.uniform({4}, d)}},
        {"zero batch", {r.uniform({0, 3, 6, 6}, d), r.uniform({4, 3, 3, 3}, d), r.uniform({4}, d)}}};
  };
  conv.fn = [](const Tensors& x) {
    const int64_t k = x[1].size(2), c = x[0].size(1);
    Tensors out = {F::conv2d(x[0], x[1], F::Conv2dFuncOptions().bias(x[2])),
                   F::conv2d(x[0], x[1], F::Conv2dFuncOptions().stride(2).padding(1).dilation(k > 1 ? 2 : 1))};
    if (c % 2 == 0 && x[1].size(0) % 2 == 0)  // groups = 2
      out.push_back(F::conv2d(x[0], x[1].narrow(1, 0, c / 2), F::Conv2dFuncOptions().groups(2)));
    return out;
  };
  conv.differentiable = true;
  t.push_back(conv);

  // The fused linear layer (ADDMM) where the device has one, else matmul + add.
  Case linear;
  linear.name = "linear";
  linear.group = "nn";
  linear.dtypes = kFloats;
  linear.tol = {1e-4, 1e-4};
  linear.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{
        {"rows", {r.uniform({5, 7}, d), r.uniform({3, 7}, d), r.uniform({3}, d)}},
        {"batched", {r.uniform({2, 4, 8}, d), r.uniform({6, 8}, d), r.uniform({6}, d)}},
        // one element in: contiguous, but not aligned for vector loads
        {"offset", {r.uniform({41}, d).narrow(0, 1, 40).view({5, 8}), r.uniform({4, 8}, d), r.uniform({4}, d)}},
        {"one row", {r.uniform({1, 3}, d), r.uniform({2, 3}, d), r.uniform({2}, d)}}};
  };
  linear.fn = [](const Tensors& x) { return Tensors{F::linear(x[0], x[1], x[2]), F::linear(x[0], x[1])}; };
  linear.differentiable = true;
  t.push_back(linear);

  // The fused layer norm (LAYER_NORM and its backward) where the device has
  // one, else the core's composition.
  Case norm;
  norm.name = "layer_norm";
  norm.group = "nn";
  norm.dtypes = kFloats;
  norm.tol = {1e-4, 1e-4};
  norm.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{
        {"rows", {r.uniform({6, 10}, d), r.uniform({10}, d), r.uniform({10}, d)}},
        {"long rows", {r.uniform({3, 700}, d), r.uniform({700}, d), r.uniform({700}, d)}},
        {"batched", {r.uniform({2, 3, 8}, d), r.uniform({8}, d), r.uniform({8}, d)}}};
  };
  norm.fn = [](const Tensors& x) {
    const int64_t n = x[0].size(-1);
    return Tensors{F::layer_norm(x[0], F::LayerNormFuncOptions({n}).weight(x[1]).bias(x[2])),
                   F::layer_norm(x[0], F::LayerNormFuncOptions({n}).eps(1e-3)),
                   F::layer_norm(x[0], F::LayerNormFuncOptions({x[0].size(-2), n}))};
  };
  norm.differentiable = true;
  t.push_back(norm);
}

}  // namespace ember::testkit::conformance
