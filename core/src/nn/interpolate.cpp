// F::interpolate: each spatial dimension is resampled in turn, last first,
// with index_select through source indices computed on the host exactly as
// PyTorch 1.13's CPU kernels compute them (aten/src/ATen/native/UpSample.h:
// nearest_idx, area_pixel_compute_scale, compute_source_index_and_lambda),
// in the same precision (float for a float input), so the same elements and
// weights are picked. Linear modes blend two selections with weight tensors.
#include <algorithm>
#include <cmath>
#include <optional>
#include <type_traits>
#include <variant>

#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

// compute_scales_value: 1 / scale_factor when one is given, else in / out.
template <typename T>
T scale_of(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
}

std::vector<int64_t> nearest_index(bool exact, int64_t in, int64_t out, std::optional<double> scale) {
  std::vector<int64_t> index(static_cast<size_t>(out));
  const float s = scale_of<float>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i;
    if (exact) {
      i = int64_t(std::floor(float((double(o) + 0.5) * s)));
    } else if (out == in) {  // nearest_idx's two shortcuts, kept by PyTorch for compatibility
      i = o;
    } else if (out == 2 * in) {
      i = o >> 1;
    } else {
      i = int64_t(std::floor(float(o) * s));
    }
    index[size_t(o)] = std::min(i, in - 1);
  }
  return index;
}

// Two source indices and their weights per output position.
template <typename T>
struct LinearTaps {
  std::vector<int64_t> i0, i1;
  std::vector<T> w0, w1;
};

template <typename T>
LinearTaps<T> linear_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  LinearTaps<T> taps;
  // area_pixel_compute_scale
  const T ratio =
      align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0)) : scale_of<T>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i0 = o, i1 = o;
    T w1 = 0;
    if (out != in) {  // equal sizes copy, whatever the scale
      // area_pixel_compute_source_index, negatives clamped to 0 when not aligning corners.
      T real = align_corners ? ratio * static_cast<T>(o) : ratio * (static_cast<T>(o) + T(0.5)) - T(0.5);
      if (!align_corners && real < 0) real = 0;
      i0 = int64_t(real);
      i1 = i0 + (i0 < in - 1 ? 1 : 0);
      w1 = std::min(real - static_cast<T>(i0), T(1));
    }
    taps.i0.push_back(i0);
    taps.i1.push_back(i1);
    taps.w0.push_back(T(1) - w1);
    taps.w1.push_back(w1);
  }
  return taps;
}

// weights (out) shaped to broadcast along dimension d of a `dim`-d tensor.
Tensor along(const Tensor& weights, int64_t d, int64_t dim) {
  std::vector<int64_t> shape(size_t(dim), 1);
  shape[size_t(d)] = -1;
  return weights.reshape(shape);
}

template <typename T>
Tensor resample_linear(const Tensor& x, int64_t d, int64_t out, bool align_corners, std::optional<double> scale) {
  const LinearTaps<T> taps = linear_taps<T>(x.size(d), out, align_corners, scale);
  const Device device = x.device();
  const Tensor w0 = along(tensor(taps.w0).to(device, x.dtype()), d, x.dim()),
               w1 = along(tensor(taps.w1).to(device, x.dtype()), d, x.dim());
  return x.index_select(d, tensor(taps.i0).to(device)) * w0 + x.index_select(d, tensor(taps.i1).to(device)) * w1;
}

template <typename Mode>
constexpr int64_t linear_dims() {
  if constexpr (std::is_same_v<Mode, enumtype::kLinear>) return 1;
  if constexpr (std::is_same_v<Mode, enumtype::kBilinear>) return 2;
  if constexpr (std::is_same_v<Mode, enumtype::kTrilinear>) return 3;
  return 0;  // a nearest mode
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options) {
  const auto name = enumtype::name(options.mode());
  EMBER_CHECK(input.dim() >= 3 && input.dim() <= 5, "interpolate: expected a 3D, 4D or 5D input (N, C, ...) for mode ",
              name, ", got one of shape ", input.sizes());
  const int64_t spatial = input.dim() - 2;
  const int64_t needed = std::visit([](auto mode) { return linear_dims<decltype(mode)>(); }, options.mode());
  const bool linear = needed > 0;
  EMBER_CHECK(!linear || needed == spatial, "interpolate: mode ", name, " needs a ", needed + 2,
              "D input, got one of shape ", input.sizes());
  EMBER_CHECK(linear || !options.align_corners(), "interpolate: align_corners can only be set with the ",
              "interpolating modes linear, bilinear and trilinear, not ", name);
  EMBER_CHECK(!linear || input.is_floating_point(), "interpolate: mode ", name,
              " needs a floating-point input, got dtype ", input.dtype());
  const auto& size = options.size();
  const auto& scale_factor = options.scale_factor();
  EMBER_CHECK(size.has_value() != scale_factor.has_value(), "interpolate: ",
              size ? "only one of size or scale_factor should be given" : "either size or scale_factor must be given");
  EMBER_CHECK(!size || int64_t(size->size()) == spatial,
              "interpolate: size must hold one entry per spatial dimension (", spatial, ") of the input of shape ",
              input.sizes(), ", got ", size ? size->size() : 0);
  EMBER_CHECK(!scale_factor || int64_t(scale_factor->size()) == spatial, "interpolate: scale_factor must hold one ",
              "entry per spatial dimension (", spatial, ") of the input of shape ", input.sizes(), ", got ",
              scale_factor ? scale_factor->size() : 0);
  EMBER_CHECK(!(size && options.recompute_scale_factor().value_or(false)),
              "interpolate: recompute_scale_factor is not meaningful with an explicit size");

  std::vector<int64_t> out_size(static_cast<size_t>(spatial));
  std::vector<std::optional<double>> scales(static_cast<size_t>(spatial));
  for (int64_t i = 0; i < spatial; ++i) {
    const int64_t in = input.size(i + 2);
    if (size) {
      out_size[size_t(i)] = (*size)[size_t(i)];
    } else {
      const double f = (*scale_factor)[size_t(i)];
      out_size[size_t(i)] = int64_t(std::floor(double(in) * f));
      if (!options.recompute_scale_factor().value_or(false)) scales[size_t(i)] = f;
    }
    EMBER_CHECK(in > 0 && out_size[size_t(i)] > 0, "interpolate: input and output sizes must be greater than 0, ",
                "got an input of shape ", input.sizes(), " and an output size of ", IntArrayRef(out_size),
                " in spatial dimension ", i);
  }

  const bool align_corners = options.align_corners().value_or(false);
  const bool exact = std::holds_alternative<enumtype::kNearestExact>(options.mode());
  Tensor out = input;
  for (int64_t i = spatial - 1; i >= 0; --i) {
    const int64_t d = i + 2, n = out_size[size_t(i)];
    if (!linear) {
      out = out.index_select(d, tensor(nearest_index(exact, out.size(d), n, scales[size_t(i)])).to(input.device()));
    } else if (input.dtype() == kFloat64) {
      out = resample_linear<double>(out, d, n, align_corners, scales[size_t(i)]);
    } else {
      out = resample_linear<float>(out, d, n, align_corners, scales[size_t(i)]);
    }
  }
  return out;
}

}  // namespace ember::nn::functional
