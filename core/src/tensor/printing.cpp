// Tensor printing, byte-for-byte what Python PyTorch 1.13 prints for
// print(t) (torch/_tensor_str.py with the default PRINT_OPTS), except that
// dtypes are spelled `ember.float64` instead of `torch.float64`.
//
// The structure mirrors _tensor_str.py so that the two can be compared line by
// line: Formatter is _Formatter, summarized_indices is get_summarized_data,
// vector_str / tensor_str_rec are _vector_str / _tensor_str_with_formatter,
// add_suffixes is _add_suffixes and to_string is _str_intern. Unlike Python,
// which slices tensors, we read every value to the host once (in row-major
// order) and walk that flat array with the sizes: one device transfer, and
// no tensor operations that could themselves need printing support.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ember/autograd.h"
#include "ember/tensor.h"

namespace ember {
namespace {

// torch._tensor_str.PRINT_OPTS defaults (profile "default", sci_mode None).
constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

// Python's '{:.Nf}' / '{:.Ne}' for one double. std::to_chars is used rather
// than snprintf because it ignores the C locale (Python's str.format does not
// use a decimal comma) and is specified to give printf's "C" locale output.
// Non-finite values are spelled by hand: Python never prints "-nan".
std::string format_double(double v, std::chars_format fmt, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[512];  // fixed notation of 1.8e308 with 4 decimals fits easily
  auto res = std::to_chars(buf, buf + sizeof buf, v, fmt, precision);
  return std::string(buf, res.ptr);
}

std::string pad_left(std::string s, int64_t width) {
  if (int64_t(s.size()) < width) s.insert(0, size_t(width - int64_t(s.size())), ' ');
  return s;
}

// The tensor's values on the host, flat and row-major. Floating dtypes are
// read as double (Python formats float32/float16/bfloat16 values through
// .item()/.tolist(), i.e. as Python floats, which are doubles).
struct HostValues {
  enum class Kind { Floating, Integer, Boolean } kind;
  std::vector<double> f;
  std::vector<int64_t> i;
  std::vector<bool> b;
};

// _Formatter: decides int_mode / sci_mode and the common column width from
// the (summarised) values, then formats single values to that width.
class Formatter {
 public:
  Formatter(const HostValues& v, const std::vector<int64_t>& indices) : v_(v) {
    if (v.kind == HostValues::Kind::Integer) {
      for (int64_t k : indices) max_width_ = std::max<int64_t>(max_width_, int64_t(std::to_string(v.i[k]).size()));
      return;
    }
    if (v.kind == HostValues::Kind::Boolean) {
      for (int64_t k : indices) max_width_ = std::max<int64_t>(max_width_, v.b[k] ? 4 : 5);
      return;
    }
    // Only nonzero finite values take part in the decision; zeros, infs and
    // nans are padded to whatever width the others need.
    std::vector<double> vals;
    for (int64_t k : indices)
      if (std::isfinite(v.f[k]) && v.f[k] != 0) vals.push_back(v.f[k]);
    if (vals.empty()) return;  // "no valid number": int_mode, width 1
    double mn = std::fabs(vals[0]), mx = mn;
    for (double x : vals) {
      mn = std::min(mn, std::fabs(x));
      mx = std::max(mx, std::fabs(x));
    }
    for (double x : vals)
      if (x != std::ceil(x)) {
        int_mode_ = false;
        break;
      }
    // In int_mode a small ratio prints "{:.0f}" plus a "." (hence the +1);
    // otherwise the same thresholds choose between fixed and scientific.
    sci_mode_ = mx / mn > 1000.0 || mx > 1.0e8 || (!int_mode_ && mn < 1.0e-4);
    for (double x : vals) {
      int64_t len;
      if (sci_mode_) len = int64_t(format_double(x, std::chars_format::scientific, kPrecision).size());
      else if (int_mode_) len = int64_t(format_double(x, std::chars_format::fixed, 0).size()) + 1;
      else len = int64_t(format_double(x, std::chars_format::fixed, kPrecision).size());
      max_width_ = std::max(max_width_, len);
    }
  }

  int64_t width() const { return max_width_; }

  std::string format(int64_t k) const {
    std::string ret;
    switch (v_.kind) {
      case HostValues::Kind::Integer: ret = std::to_string(v_.i[k]); break;
      case HostValues::Kind::Boolean: ret = v_.b[k] ? "True" : "False"; break;
      case HostValues::Kind::Floating: {
        const double x = v_.f[k];
        if (sci_mode_) {
          ret = format_double(x, std::chars_format::scientific, kPrecision);
        } else if (int_mode_) {
          ret = format_double(x, std::chars_format::fixed, 0);
          if (std::isfinite(x)) ret += ".";  // marks the tensor as floating
        } else {
          ret = format_double(x, std::chars_format::fixed, kPrecision);
        }
      }
    }
    return pad_left(std::move(ret), max_width_);
  }

 private:
  const HostValues& v_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int64_t max_width_ = 1;
};

// Where the elements of a row-major tensor live in the flat array.
struct Layout {
  std::vector<int64_t> sizes, strides;
};

// The rows of dimension d that are printed: all, or the first and last
// kEdgeItems with the middle elided when summarising.
std::vector<int64_t> shown_rows(int64_t n, bool summarize) {
  std::vector<int64_t> rows;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t r = 0; r < kEdgeItems; ++r) rows.push_back(r);
    for (int64_t r = n - kEdgeItems; r < n; ++r) rows.push_back(r);
  } else {
    for (int64_t r = 0; r < n; ++r) rows.push_back(r);
  }
  return rows;
}

// get_summarized_data, as flat indices: exactly the elements that get printed
// (all of them when not summarising), so the Formatter sees what Python's does.
void summarized_indices(const Layout& l, size_t d, int64_t offset, bool summarize, std::vector<int64_t>& out) {
  if (d == l.sizes.size()) {
    out.push_back(offset);
    return;
  }
  for (int64_t r : shown_rows(l.sizes[d], summarize))
    summarized_indices(l, d + 1, offset + r * l.strides[d], summarize, out);
}

// _vector_str: one innermost row, wrapped to kLineWidth.
std::string vector_str(const Layout& l, int64_t offset, int64_t indent, bool summarize, const Formatter& fmt) {
  const int64_t n = l.sizes.back(), stride = l.strides.back();
  const int64_t element_length = fmt.width() + 2;  // ", " between elements
  const int64_t room = kLineWidth - indent;
  const int64_t per_line = std::max<int64_t>(1, room > 0 ? room / element_length : 0);
  std::vector<std::string> data;
  for (int64_t r : shown_rows(n, summarize)) {
    if (summarize && n > 2 * kEdgeItems && r == n - kEdgeItems) data.push_back(" ...");
    data.push_back(fmt.format(offset + r * stride));
  }
  std::string s = "[";
  for (size_t k = 0; k < data.size(); ++k) {
    if (k > 0) s += (int64_t(k) % per_line == 0) ? ",\n" + std::string(size_t(indent + 1), ' ') : ", ";
    s += data[k];
  }
  return s + "]";
}

// _tensor_str_with_formatter: nested brackets, one more space of indent and
// one blank line fewer per level inward.
std::string tensor_str_rec(const Layout& l, size_t d, int64_t offset, int64_t indent, bool summarize,
                           const Formatter& fmt) {
  const size_t ndim = l.sizes.size() - d;
  if (ndim == 0) return fmt.format(offset);
  if (ndim == 1) return vector_str(l, offset, indent, summarize, fmt);
  const int64_t n = l.sizes[d];
  const std::string sep = "," + std::string(ndim - 1, '\n') + std::string(size_t(indent + 1), ' ');
  std::string s = "[";
  bool first = true;
  for (int64_t r : shown_rows(n, summarize)) {
    if (summarize && n > 2 * kEdgeItems && r == n - kEdgeItems) s += sep + "...";
    if (!first) s += sep;
    first = false;
    s += tensor_str_rec(l, d + 1, offset + r * l.strides[d], indent + 1, summarize, fmt);
  }
  return s + "]";
}

// _tensor_str for a non-empty tensor.
std::string tensor_str(const Tensor& t, int64_t indent) {
  HostValues v;
  const Dtype dt = t.dtype();
  if (is_floating_point(dt)) {
    v.kind = HostValues::Kind::Floating;
    v.f = t.to_vector<double>();  // float16/bfloat16 widen exactly, as Python's .float()
  } else if (dt == kBool) {
    v.kind = HostValues::Kind::Boolean;
    v.b = t.to_vector<bool>();
  } else {
    v.kind = HostValues::Kind::Integer;
    v.i = t.to_vector<int64_t>();
  }
  Layout l;
  l.sizes = t.sizes().vec();
  l.strides.assign(l.sizes.size(), 1);
  for (size_t d = l.sizes.size(); d-- > 1;) l.strides[d - 1] = l.strides[d] * l.sizes[d];

  const bool summarize = t.numel() > kThreshold;
  std::vector<int64_t> indices;
  summarized_indices(l, 0, 0, summarize, indices);
  Formatter fmt(v, indices);
  return tensor_str_rec(l, 0, 0, indent, summarize, fmt);
}

std::string tuple_str(IntArrayRef sizes) {  // Python's str(tuple(shape))
  std::string s = "(";
  for (size_t k = 0; k < sizes.size(); ++k) s += (k ? ", " : "") + std::to_string(sizes[k]);
  return s + (sizes.size() == 1 ? ",)" : ")");
}

// _add_suffixes: ", suffix" on the last line, or on a new line when it would
// pass kLineWidth. last_line_len reproduces Python's arithmetic exactly (it
// counts two more than the characters after the last newline).
std::string add_suffixes(std::string s, const std::vector<std::string>& suffixes, int64_t indent) {
  const size_t nl = s.rfind('\n');
  int64_t last_line_len = int64_t(s.size()) - (nl == std::string::npos ? -1 : int64_t(nl)) + 1;
  for (const std::string& suffix : suffixes) {
    const int64_t len = int64_t(suffix.size());
    if (last_line_len + len + 2 > kLineWidth) {
      s += ",\n" + std::string(size_t(indent), ' ') + suffix;
      last_line_len = indent + len;
    } else {
      s += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return s + ")";
}

}  // namespace

// _str_intern for a plain strided tensor.
std::string to_string(const Tensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";  // libtorch's spelling
  const std::string prefix = "tensor(";
  const int64_t indent = int64_t(prefix.size());
  std::vector<std::string> suffixes;

  // Python prints the device whenever it is not the default (cpu) one.
  if (!t.device().is_cpu()) suffixes.push_back("device='" + t.device().normalized().str() + "'");

  const Dtype dt = t.dtype();
  const std::string dtype_suffix = "dtype=ember." + std::string(dtype_name(dt));
  std::string body;
  if (t.numel() == 0) {
    // Nothing to infer the dtype from, so only float32 (the default) is implied;
    // the shape is shown unless it is (0,), to match NumPy.
    if (t.dim() != 1) suffixes.push_back("size=" + tuple_str(t.sizes()));
    if (dt != kDefaultFloat) suffixes.push_back(dtype_suffix);
    body = "[]";
  } else {
    // float32, int64 and bool are what Python infers from literals.
    if (dt != kDefaultFloat && dt != kInt64 && dt != kBool) suffixes.push_back(dtype_suffix);
    body = tensor_str(t, indent);
  }

  // Autograd suffix: Python shows `grad_fn=<Name>` for a tensor produced by a
  // recorded operation and otherwise `requires_grad=True` for a leaf that
  // requires grad; never both.
  if (const auto& fn = t.grad_fn()) suffixes.push_back("grad_fn=<" + fn->name() + ">");
  else if (t.requires_grad()) suffixes.push_back("requires_grad=True");

  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << to_string(t); }

}  // namespace ember
