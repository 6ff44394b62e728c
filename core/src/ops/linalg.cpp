// Linear algebra: every product reaches the backend as one batched matmul
// (bmm) over strided 3-d views; matmul's broadcasting is resolved here.
#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember {

using detail::describe;
using detail::make_tensor;

namespace {

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.device() == b.device(), op, ": expected both operands on one device, got ", describe(a), " and ",
              describe(b));
  EMBER_CHECK(a.dtype() == b.dtype(), op, ": expected both operands of one dtype, got ", describe(a), " and ",
              describe(b), "; convert one with .to(dtype)");
  EMBER_CHECK(a.dtype() != kBool, op, ": not supported for bool tensors (", describe(a), ")");
}

// (B, M, K) x (B, K, N) -> (B, M, N), inputs as given (any strides).
// Never records: the public products record their own nodes.
Tensor batched(const Tensor& a, const Tensor& b) {
  NoGradGuard no_grad;
  Tensor out = make_tensor({a.size(0), a.size(1), b.size(2)}, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  if (a.size(2) == 0) return out.zero_();
  const Tensor inputs[2] = {a, b};
  dispatch::call(EMBER_OP_BMM, inputs, {&out, 1});
  return out;
}

void record_product(autograd::Op op, const Tensor& a, const Tensor& b, const Tensor& out) {
  if (auto* n = autograd::record(op, {a, b}, {out})) {
    autograd::save(n, a);
    autograd::save(n, b);
  }
}

}  // namespace

Tensor Tensor::mm(const Tensor& other) const {
  check_operands("mm", *this, other);
  EMBER_CHECK(dim() == 2 && other.dim() == 2, "mm: expected two 2-d tensors, got ", describe(*this), " and ",
              describe(other));
  EMBER_CHECK(size(1) == other.size(0), "mm: shapes ", detail::shape_str(sizes()), " and ",
              detail::shape_str(other.sizes()), " cannot be multiplied (", size(1), " columns vs ", other.size(0),
              " rows)");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = batched(unsqueeze(0), other.unsqueeze(0)).squeeze(0);
  }
  record_product(autograd::Op::Mm, *this, other, out);
  return out;
}

Tensor Tensor::bmm(const Tensor& other) const {
  check_operands("bmm", *this, other);
  EMBER_CHECK(dim() == 3 && other.dim() == 3, "bmm: expected two 3-d tensors, got ", describe(*this), " and ",
              describe(other));
  EMBER_CHECK(size(0) == other.size(0) && size(2) == other.size(1), "bmm: shapes ", detail::shape_str(sizes()),
              " and ", detail::shape_str(other.sizes()), " cannot be multiplied (batch ", size(0), " vs ",
              other.size(0), ", inner ", size(2), " vs ", other.size(1), ")");
  Tensor out = batched(*this, other);
  record_product(autograd::Op::Bmm, *this, other, out);
  return out;
}

Tensor Tensor::mv(const Tensor& vec) const {
  check_operands("mv", *this, vec);
  EMBER_CHECK(dim() == 2 && vec.dim() == 1, "mv: expected a 2-d matrix and a 1-d vector, got ", describe(*this),
              " and ", describe(vec));
  EMBER_CHECK(size(1) == vec.size(0), "mv: shapes ", detail::shape_str(sizes()), " and ",
              detail::shape_str(vec.sizes()), " cannot be multiplied (", size(1), " vs ", vec.size(0), ")");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = batched(unsqueeze(0), vec.unsqueeze(1).unsqueeze(0)).reshape({size(0)});
  }
  record_product(autograd::Op::Mv, *this, vec, out);
  return out;
}

Tensor Tensor::dot(const Tensor& other) const {
  check_operands("dot", *this, other);
  EMBER_CHECK(dim() == 1 && other.dim() == 1, "dot: expected two 1-d tensors, got ", describe(*this), " and ",
              describe(other));
  EMBER_CHECK(size(0) == other.size(0), "dot: inconsistent tensor size, expected both of ", size(0),
              " elements, got ", size(0), " and ", other.size(0));
  Tensor out;
  {
    NoGradGuard no_grad;
    out = batched(unsqueeze(0).unsqueeze(0), other.unsqueeze(1).unsqueeze(0)).reshape({});
  }
  record_product(autograd::Op::Dot, *this, other, out);
  return out;
}

Tensor Tensor::matmul(const Tensor& other) const {
  check_operands("matmul", *this, other);
  const int64_t da = dim(), db = other.dim();
  EMBER_CHECK(da > 0 && db > 0, "matmul: both arguments need at least 1 dimension, got ", describe(*this), " and ",
              describe(other));
  if (da == 1 && db == 1) return dot(other);
  if (da == 2 && db == 1) return mv(other);
  if (da == 1 && db == 2) return unsqueeze(0).mm(other).squeeze(0);
  if (da == 2 && db == 2) return mm(other);
  // Batched: broadcast the batch dims, fold them into one.
  Tensor a = da == 1 ? unsqueeze(0) : *this;
  Tensor b = db == 1 ? other.unsqueeze(1) : other;
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  EMBER_CHECK(k == b.size(-2), "matmul: shapes ", detail::shape_str(sizes()), " and ",
              detail::shape_str(other.sizes()), " cannot be multiplied (", k, " vs ", b.size(-2), ")");
  const IntArrayRef batch_a(a.sizes().data(), size_t(a.dim() - 2));
  const IntArrayRef batch_b(b.sizes().data(), size_t(b.dim() - 2));
  DimVector batch = detail::broadcast_shapes(batch_a, batch_b, "matmul");
  int64_t batch_count = 1;
  for (int64_t s : batch) batch_count *= s;
  DimVector shape_a(batch), shape_b(batch);
  shape_a.push_back(m);
  shape_a.push_back(k);
  shape_b.push_back(k);
  shape_b.push_back(n);
  Tensor out = a.expand(shape_a).reshape({batch_count, m, k}).bmm(b.expand(shape_b).reshape({batch_count, k, n}));
  DimVector shape(batch);
  if (da > 1) shape.push_back(m);
  if (db > 1) shape.push_back(n);
  return out.reshape(shape);
}

Tensor matmul(const Tensor& a, const Tensor& b) { return a.matmul(b); }
Tensor mm(const Tensor& a, const Tensor& b) { return a.mm(b); }
Tensor bmm(const Tensor& a, const Tensor& b) { return a.bmm(b); }
Tensor mv(const Tensor& a, const Tensor& v) { return a.mv(v); }
Tensor dot(const Tensor& a, const Tensor& b) { return a.dot(b); }

}  // namespace ember
