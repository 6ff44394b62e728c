// The gradcheck table, second half: linear algebra, shapes and views,
// indexing, conversions, and in-place ops on non-leaves. Each line mirrors
// one of tests/gen/autograd_expected.py; see gradcheck_cases.h.
#include "gradcheck_cases.h"

namespace gradcheck_cases {

using namespace ember;
using indexing::Slice;
namespace F = nn::functional;

namespace {
Tensor idx(std::initializer_list<int64_t> v) { return ember::tensor(std::vector<int64_t>(v)); }
Tensor scatter_index() { return ember::tensor({{0, 0}, {3, 1}, {2, 2}}); }
}  // namespace

std::vector<Case> shape_and_indexing_cases() {
  return {
      // ---- linear algebra ----
      op("mm", {any_(3, 4), any_(4, 2)}, [](V x) { return x[0].mm(x[1]); }, "MmBackward0"),
      op("bmm", {any_(2, 3, 4), any_(2, 4, 2)}, [](V x) { return x[0].bmm(x[1]); }, "BmmBackward0"),
      op("mv", {any_(3, 4), any_(4)}, [](V x) { return x[0].mv(x[1]); }, "MvBackward0"),
      op("dot", {any_(4), any_(4)}, [](V x) { return x[0].dot(x[1]); }, "DotBackward0"),
      op("matmul_2d", {any_(3, 4), any_(4, 2)}, [](V x) { return x[0].matmul(x[1]); }, "MmBackward0"),
      op("matmul_2d_1d", {any_(3, 4), any_(4)}, [](V x) { return x[0].matmul(x[1]); }, "MvBackward0"),
      // Ember: unsqueeze(0).mm(b).squeeze(0); PyTorch squeezes in place.
      op("matmul_1d_2d", {any_(4), any_(4, 2)}, [](V x) { return x[0].matmul(x[1]); }, "SqueezeBackward1")
          .differs("SqueezeBackward3"),
      // Batched products: Ember folds the batch into one bmm and reshapes
      // its (contiguous) result back, a view; PyTorch _unsafe_view's it.
      op("matmul_batched", {any_(2, 3, 4), any_(2, 4, 2)}, [](V x) { return x[0].matmul(x[1]); },
         "ReshapeAliasBackward0")
          .differs("UnsafeViewBackward0"),
      op("matmul_broadcast", {any_(2, 3, 4), any_(4, 2)}, [](V x) { return x[0].matmul(x[1]); },
         "ReshapeAliasBackward0")
          .differs("UnsafeViewBackward0"),
      op("matmul_broadcast_batch", {any_(2, 1, 2, 3), any_(3, 3, 2)}, [](V x) { return x[0].matmul(x[1]); },
         "ReshapeAliasBackward0")
          .differs("UnsafeViewBackward0"),
      op("matmul_batched_1d", {any_(2, 3, 4), any_(4)}, [](V x) { return x[0].matmul(x[1]); },
         "ReshapeAliasBackward0")
          .differs("UnsafeViewBackward0"),

      // ---- shapes and views ----
      op("view", {any_(3, 4)}, [](V x) { return x[0].view({4, 3}); }, "ViewBackward0"),
      op("view_infer", {any_(2, 3, 4)}, [](V x) { return x[0].view({-1, 4}); }, "ViewBackward0"),
      op("reshape_view", {any_(3, 4)}, [](V x) { return x[0].reshape({2, 6}); }, "ReshapeAliasBackward0"),
      op("reshape_copy", {any_(3, 4)}, [](V x) { return x[0].t().reshape({12}); }, "UnsafeViewBackward0"),
      op("flatten", {any_(2, 3, 4)}, [](V x) { return x[0].flatten(); }, "ReshapeAliasBackward0"),
      op("flatten_from", {any_(2, 3, 4)}, [](V x) { return x[0].flatten(1); }, "ReshapeAliasBackward0"),
      op("squeeze", {any_(3, 1, 4, 1)}, [](V x) { return x[0].squeeze(); }, "SqueezeBackward0"),
      op("squeeze_dim", {any_(3, 1, 4)}, [](V x) { return x[0].squeeze(1); }, "SqueezeBackward1"),
      op("squeeze_dim_not_one", {any_(3, 4)}, [](V x) { return x[0].squeeze(0); }, "SqueezeBackward1"),
      op("unsqueeze", {any_(3, 4)}, [](V x) { return x[0].unsqueeze(1); }, "UnsqueezeBackward0"),
      op("unsqueeze_last", {any_(3, 4)}, [](V x) { return x[0].unsqueeze(-1); }, "UnsqueezeBackward0"),
      op("transpose", {any_(2, 3, 4)}, [](V x) { return x[0].transpose(0, 2); }, "TransposeBackward0"),
      op("t", {any_(3, 4)}, [](V x) { return x[0].t(); }, "TBackward0"),
      op("t_1d", {any_(4)}, [](V x) { return x[0].t(); }, "TBackward0"),
      op("permute", {any_(2, 3, 4)}, [](V x) { return x[0].permute({2, 0, 1}); }, "PermuteBackward0"),
      op("expand", {any_(3, 1)}, [](V x) { return x[0].expand({2, 3, 4}); }, "ExpandBackward0"),
      op("expand_as", {any_(4), any_(3, 4)}, [](V x) { return x[0].expand_as(x[1]) * x[1]; }, "MulBackward0"),
      op("narrow", {any_(3, 4)}, [](V x) { return x[0].narrow(1, 1, 2); }, "SliceBackward0"),
      op("slice_step", {any_(3, 5)}, [](V x) { return x[0].slice(1, 0, 5, 2); }, "SliceBackward0"),
      op("slice_negative_start", {any_(4, 3)}, [](V x) { return x[0].slice(0, -2); }, "SliceBackward0"),
      op("select", {any_(3, 4)}, [](V x) { return x[0].select(1, 2); }, "SelectBackward0"),
      op("select_negative", {any_(3, 4)}, [](V x) { return x[0][-1]; }, "SelectBackward0"),
      op("as_strided", {any_(3, 3)}, [](V x) { return x[0].as_strided({2, 2}, {1, 2}); }, "AsStridedBackward0"),
      op("as_strided_overlapping", {any_(6)}, [](V x) { return x[0].as_strided({3, 3}, {1, 1}); },
         "AsStridedBackward0"),
      op("as_strided_offset", {any_(3, 4)}, [](V x) { return x[0].as_strided({2, 2}, {3, 1}, 1); },
         "AsStridedBackward0"),
      op("as_strided_of_transpose", {any_(3, 4)}, [](V x) { return x[0].t().as_strided({2, 3}, {4, 1}, 1); },
         "AsStridedBackward0"),

      // ---- gathering and scattering ----
      op("index_select", {any_(3, 4)}, [](V x) { return x[0].index_select(0, idx({2, 0, 2})); },
         "IndexSelectBackward0"),
      op("index_select_dim1", {any_(3, 4)}, [](V x) { return x[0].index_select(1, idx({3, 1})); },
         "IndexSelectBackward0"),
      op("gather", {any_(3, 4)}, [](V x) { return x[0].gather(1, scatter_index()); }, "GatherBackward0"),
      op("scatter_add", {any_(3, 4), any_(3, 2)}, [](V x) { return x[0].scatter_add(1, scatter_index(), x[1]); },
         "ScatterAddBackward0"),
      op("cat", {any_(2, 4), any_(3, 4)}, [](V x) { return cat({x[0], x[1]}, 0); }, "CatBackward0"),
      op("cat_dim1", {any_(3, 2), any_(3, 1), any_(3, 3)}, [](V x) { return cat({x[0], x[1], x[2]}, 1); },
         "CatBackward0"),
      // Composites: stack is cat of unsqueezed parts, split/chunk are slices,
      // unbind is selects.
      op("stack", {any_(3, 4), any_(3, 4)}, [](V x) { return stack({x[0], x[1]}, 1); }, "CatBackward0")
          .differs("StackBackward0"),
      op("split", {any_(3, 5)}, [](V x) { return x[0].split(2, 1); }, "SliceBackward0").differs("SplitBackward0"),
      op("split_sizes", {any_(3, 4)}, [](V x) { return x[0].split({1, 3}, 1); }, "SliceBackward0")
          .differs("SplitWithSizesBackward0"),
      op("chunk", {any_(4, 3)}, [](V x) { return x[0].chunk(2, 0); }, "SliceBackward0").differs("SplitBackward0"),
      op("unbind", {any_(3, 4)}, [](V x) { return x[0].unbind(0); }, "SelectBackward0").differs("UnbindBackward0"),
      op("repeat", {any_(2, 3)}, [](V x) { return x[0].repeat({2, 1, 2}); }, "RepeatBackward0"),
      op("repeat_1d", {any_(3)}, [](V x) { return x[0].repeat({2, 2}); }, "RepeatBackward0"),
      // index({...}) with tensors is index_select over the flattened indexed
      // dims, reshaped to PyTorch's result shape; PyTorch has one IndexBackward0.
      op("index_tensor", {any_(3, 4)}, [](V x) { return x[0].index({idx({2, 0, 2})}); }, "ReshapeAliasBackward0")
          .differs("IndexBackward0"),
      op("index_two_tensors", {any_(3, 4)}, [](V x) { return x[0].index({idx({0, 2}), idx({1, 3})}); },
         "ReshapeAliasBackward0")
          .differs("IndexBackward0"),
      op("index_slice_tensor", {any_(3, 4)}, [](V x) { return x[0].index({Slice(), idx({3, 0})}); },
         "ReshapeAliasBackward0")
          .differs("IndexBackward0"),
      op("index_mask", {any_(3, 4)}, [](V x) { return x[0].index({x[0] > 0}); }, "ReshapeAliasBackward0")
          .differs("IndexBackward0"),
      op("index_row_mask", {any_(3, 4)}, [](V x) { return x[0].index({ember::tensor({true, false, true})}); },
         "ReshapeAliasBackward0")
          .differs("IndexBackward0"),

      // ---- copies and conversions ----
      op("clone", {any_(3, 4)}, [](V x) { return x[0].clone(); }, "CloneBackward0"),
      op("contiguous", {any_(3, 4)}, [](V x) { return x[0].t().contiguous(); }, "CloneBackward0"),
      // A float32 output: finite differences need a step well above its ulp.
      op("to_float32", {any_(3, 4)}, [](V x) { return x[0].to(kFloat32); }, "ToCopyBackward0").tolerances(1e-3, 1e-4),

      // ---- in place, on non-leaves ----
      op("add_", {any_(3, 4), any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.add_(x[1]); }, "AddBackward0"),
      op("add_scalar_", {any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.add_(2.0); }, "AddBackward0"),
      op("sub_", {any_(3, 4), any_(1, 4)}, [](V x) { Tensor y = x[0].clone(); return y.sub_(x[1], 2); },
         "SubBackward0"),
      op("mul_", {any_(3, 4), any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.mul_(x[1]); }, "MulBackward0"),
      op("mul_broadcast_", {any_(3, 4), any_(1, 4)}, [](V x) { Tensor y = x[0].clone(); return y.mul_(x[1]); },
         "MulBackward0"),
      op("mul_scalar_", {any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.mul_(3.0); }, "MulBackward0"),
      op("div_", {any_(3, 4), pos(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.div_(x[1]); }, "DivBackward0"),
      op("div_scalar_", {any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.div_(4.0); }, "DivBackward0"),
      op("relu_", {any_(3, 4)}, [](V x) { Tensor y = x[0] * 1.5; return y.relu_(); }, "ReluBackward0"),
      op("clamp_", {any_(3, 4)}, [](V x) { Tensor y = x[0] * 1.5; return y.clamp_(-0.5, 0.8); }, "ClampBackward1"),
      op("masked_fill_", {any_(3, 4)},
         [](V x) { Tensor y = x[0].clone(); return y.masked_fill_(x[0] > 0.5, 0.25); }, "MaskedFillBackward0"),
      op("scatter_add_", {any_(3, 4), any_(3, 2)},
         [](V x) { Tensor y = x[0].clone(); return y.scatter_add_(1, scatter_index(), x[1]); }, "ScatterAddBackward0"),
      op("fill_", {any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.fill_(2.0); }, "FillBackward2"),
      // Ember's zero_ is fill_(0).
      op("zero_", {any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.zero_(); }, "FillBackward2")
          .differs("ZeroBackward0"),
      op("copy_", {any_(3, 4), any_(3, 4)}, [](V x) { Tensor y = x[0].clone(); return y.copy_(x[1]); },
         "CopyBackwards"),
      op("copy_broadcast", {any_(3, 4), any_(1, 4)}, [](V x) { Tensor y = x[0] * 2; return y.copy_(x[1]); },
         "CopyBackwards"),

      // ---- convolution and pooling ----
      op("linear", {any_(3, 4), any_(5, 4), any_(5)}, [](V x) { return F::linear(x[0], x[1], x[2]); },
         "AddmmBackward0"),
      op("linear_no_bias", {any_(3, 4), any_(5, 4)}, [](V x) { return F::linear(x[0], x[1]); }, "MmBackward0"),
      op("linear_3d", {any_(2, 3, 4), any_(5, 4), any_(5)}, [](V x) { return F::linear(x[0], x[1], x[2]); },
         "ViewBackward0"),
      op("conv2d", {any_(2, 2, 5, 5), any_(3, 2, 3, 3), any_(3)},
         [](V x) { return F::conv2d(x[0], x[1], F::Conv2dFuncOptions().bias(x[2]).stride(2).padding(1)); },
         "ConvolutionBackward0"),
      op("conv2d_groups_dilation", {any_(1, 4, 6, 6), any_(4, 2, 2, 2)},
         [](V x) { return F::conv2d(x[0], x[1], F::Conv2dFuncOptions().groups(2).dilation(2)); },
         "ConvolutionBackward0"),
      op("conv2d_1x1", {any_(2, 3, 2, 3), any_(2, 3, 1, 1), any_(2)},
         [](V x) { return F::conv2d(x[0], x[1], F::Conv2dFuncOptions().bias(x[2])); }, "ConvolutionBackward0"),
      // Ember's conv1d is a conv2d over a height of 1, squeezed.
      op("conv1d", {any_(2, 2, 7), any_(3, 2, 3)},
         [](V x) { return F::conv1d(x[0], x[1], F::Conv1dFuncOptions().padding(1).stride(2)); }, "SqueezeBackward1")
          .differs("ConvolutionBackward0"),
      // Ember's conv_transpose2d is matmul, col2im and the bias added.
      op("conv_transpose2d", {any_(1, 2, 3, 3), any_(2, 3, 3, 3), any_(3)},
         [](V x) {
           return F::conv_transpose2d(
               x[0], x[1], F::ConvTranspose2dFuncOptions().bias(x[2]).stride(2).padding(1).output_padding(1));
         },
         "AddBackward0")
          .differs("ConvolutionBackward0"),
      op("unfold", {any_(1, 2, 4, 4)},
         [](V x) { return F::unfold(x[0], F::UnfoldFuncOptions(2).padding(1)); }, "Im2ColBackward0"),
      op("fold", {any_(1, 8, 9)}, [](V x) { return F::fold(x[0], F::FoldFuncOptions(4, 2)); }, "Col2ImBackward0"),
      op("max_pool2d", {any_(1, 2, 5, 5)},
         [](V x) { return F::max_pool2d(x[0], F::MaxPool2dFuncOptions(3).stride(2).padding(1)); },
         "MaxPool2DWithIndicesBackward0"),
      op("max_pool2d_ceil_dilation", {any_(1, 2, 6, 6)},
         [](V x) { return F::max_pool2d(x[0], F::MaxPool2dFuncOptions(2).dilation(2).ceil_mode(true)); },
         "MaxPool2DWithIndicesBackward0"),
      // Ember's avg_pool2d is the mean of im2col's columns.
      op("avg_pool2d", {any_(1, 2, 5, 5)},
         [](V x) {
           return F::avg_pool2d(x[0], F::AvgPool2dFuncOptions(3).stride(2).padding(1).ceil_mode(true).count_include_pad(false));
         },
         "ViewBackward0")
          .differs("AvgPool2DBackward0"),
      // Ember's adaptive_avg_pool2d is two averaging matmuls.
      op("adaptive_avg_pool2d", {any_(1, 2, 5, 7)},
         [](V x) { return F::adaptive_avg_pool2d(x[0], F::AdaptiveAvgPool2dFuncOptions({3, 4})); },
         "ReshapeAliasBackward0")
          .differs("AdaptiveAvgPool2DBackward0"),

      // ---- layer norm: one node on a device with the fused kernel (the CPU) ----
      op("layer_norm", {any_(2, 3, 4), any_(4), any_(4)},
         [](V x) { return F::layer_norm(x[0], F::LayerNormFuncOptions({4}).weight(x[1]).bias(x[2])); },
         "NativeLayerNormBackward0"),
      op("layer_norm_2d", {any_(2, 3, 4), any_(3, 4), any_(3, 4)},
         [](V x) { return F::layer_norm(x[0], F::LayerNormFuncOptions({3, 4}).weight(x[1]).bias(x[2]).eps(0.1)); },
         "NativeLayerNormBackward0"),
      op("layer_norm_plain", {any_(3, 5)}, [](V x) { return F::layer_norm(x[0], F::LayerNormFuncOptions({5})); },
         "NativeLayerNormBackward0"),
      op("layer_norm_weight_only", {any_(3, 5), any_(5)},
         [](V x) { return F::layer_norm(x[0], F::LayerNormFuncOptions({5}).weight(x[1])); },
         "NativeLayerNormBackward0"),
      op("layer_norm_bias_only", {any_(2, 2, 3), any_(2, 3)},
         [](V x) { return F::layer_norm(x[0], F::LayerNormFuncOptions({2, 3}).bias(x[1])); },
         "NativeLayerNormBackward0"),
      op("layer_norm_noncontiguous", {any_(4, 3), any_(4), any_(4)},
         [](V x) { return F::layer_norm(x[0].t(), F::LayerNormFuncOptions({4}).weight(x[1]).bias(x[2])); },
         "NativeLayerNormBackward0"),
  };
}

}  // namespace gradcheck_cases
