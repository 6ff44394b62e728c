// F::pad. kConstant concatenates blocks of the fill value (and narrows for
// negative amounts); kReflect, kReplicate and kCircular gather each padded
// dimension with index_select through a computed index, so the gradient of
// a border element adds up over every place it was copied to.
#include <algorithm>
#include <type_traits>
#include <variant>

#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/nn/functional.h"

namespace ember::nn::functional {
namespace {

Tensor pad_constant(const Tensor& input, const std::vector<int64_t>& pad, double value) {
  Tensor out = input;
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    const int64_t d = input.dim() - 1 - int64_t(i), l = pad[2 * i], r = pad[2 * i + 1];
    const int64_t size = out.size(d);
    EMBER_CHECK(size + l + r >= 0, "pad: the input size ", size, " plus the negative padding ", l, " and ", r,
                " of dimension ", d, " gives a negative output size (input of shape ", input.sizes(), ")");
    if (l < 0 || r < 0) {
      const int64_t start = l < 0 ? -l : 0;
      out = out.narrow(d, start, size - start + (r < 0 ? r : 0));
    }
    std::vector<Tensor> parts;
    auto block = [&](int64_t n) {
      std::vector<int64_t> shape(out.sizes().begin(), out.sizes().end());
      shape[size_t(d)] = n;
      parts.push_back(full(shape, value, TensorOptions().dtype(out.dtype()).device(out.device())));
    };
    if (l > 0) block(l);
    parts.push_back(out);
    if (r > 0) block(r);
    if (parts.size() > 1) out = cat(parts, d);
  }
  return out;
}

// For each output position of a dimension of `size` padded by (l, r), the
// input position it copies.
template <typename Mode>
std::vector<int64_t> source_index(Mode, int64_t size, int64_t l, int64_t r) {
  std::vector<int64_t> index(size_t(size + l + r));
  for (int64_t o = 0; o < int64_t(index.size()); ++o) {
    int64_t i = o - l;
    if constexpr (std::is_same_v<Mode, enumtype::kReflect>) {
      if (i < 0) i = -i;
      if (i >= size) i = 2 * (size - 1) - i;
    } else if constexpr (std::is_same_v<Mode, enumtype::kReplicate>) {
      i = std::clamp<int64_t>(i, 0, size - 1);
    } else {
      i = ((i % size) + size) % size;
    }
    index[size_t(o)] = i;
  }
  return index;
}

template <typename Mode>
Tensor pad_by_index(Mode mode, const Tensor& input, const std::vector<int64_t>& pad) {
  const auto name = enumtype::name(mode);
  const int64_t k = int64_t(pad.size() / 2);
  EMBER_CHECK((k >= 1 && k <= 3) && (input.dim() == k + 1 || input.dim() == k + 2), "pad: ", name,
              " padding pads the last 1, 2 or 3 dimensions of an input with 1 or 2 more (batch, channels), got ",
              pad.size(), " padding values for an input of shape ", input.sizes(), "; only kConstant pads other ranks");
  Tensor out = input;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = input.dim() - 1 - i, l = pad[size_t(2 * i)], r = pad[size_t(2 * i + 1)];
    const int64_t size = input.size(d);
    if constexpr (std::is_same_v<Mode, enumtype::kReflect>) {
      EMBER_CHECK(l < size && r < size, "pad: reflect padding (", l, ", ", r, ") of dimension ", d,
                  " must be less than its size ", size, " (input of shape ", input.sizes(),
                  "); use less padding or kReplicate");
    } else if constexpr (std::is_same_v<Mode, enumtype::kCircular>) {
      EMBER_CHECK(l <= size && r <= size, "pad: circular padding (", l, ", ", r, ") of dimension ", d,
                  " wraps around more than once: it must be at most its size ", size, " (input of shape ",
                  input.sizes(), ")");
    }
    EMBER_CHECK(size > 0 && size + l + r > 0, "pad: ", name, " padding (", l, ", ", r, ") of dimension ", d,
                " of the input of shape ", input.sizes(), " leaves no elements");
    const Tensor index = tensor(source_index(mode, size, l, r)).to(input.device());
    out = out.index_select(d, index);
  }
  return out;
}

}  // namespace

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  const std::vector<int64_t>& pad = options.pad();
  EMBER_CHECK(pad.size() % 2 == 0, "pad: the padding must hold pairs (before, after) of amounts, got ", pad.size(),
              " values");
  EMBER_CHECK(int64_t(pad.size()) <= 2 * input.dim(), "pad: ", pad.size(), " padding values are too many for an ",
              "input of shape ", input.sizes(), " (at most 2 per dimension)");
  return std::visit(
      [&](auto mode) -> Tensor {
        if constexpr (std::is_same_v<decltype(mode), enumtype::kConstant>) {
          return pad_constant(input, pad, options.value());
        } else {
          return pad_by_index(mode, input, pad);
        }
      },
      options.mode());
}

}  // namespace ember::nn::functional
