// Ember beside libtorch in one process: the same random inputs through the
// same ops must give the same values, dtypes and shapes. Built only where
// CMake finds libtorch (Debian's libtorch-dev); see tests/CMakeLists.txt.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using ember::indexing::Slice;

ember::Dtype to_ember(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return ember::kFloat32;
    case at::kDouble: return ember::kFloat64;
    case at::kInt: return ember::kInt32;
    case at::kLong: return ember::kInt64;
    case at::kBool: return ember::kBool;
    case at::kByte: return ember::kUInt8;
    case at::kHalf: return ember::kFloat16;
    case at::kBFloat16: return ember::kBFloat16;
    default: ADD_FAILURE() << "no Ember dtype for " << t; return ember::kFloat32;
  }
}

at::ScalarType to_torch(ember::Dtype d) {
  switch (d) {
    case ember::Dtype::Float32: return at::kFloat;
    case ember::Dtype::Float64: return at::kDouble;
    case ember::Dtype::Int32: return at::kInt;
    case ember::Dtype::Int64: return at::kLong;
    case ember::Dtype::Bool: return at::kBool;
    case ember::Dtype::UInt8: return at::kByte;
    case ember::Dtype::Float16: return at::kHalf;
    case ember::Dtype::BFloat16: return at::kBFloat16;
  }
  return at::kFloat;
}

// Copies between the libraries (through contiguous host memory).
ember::Tensor to_ember(const at::Tensor& t) {
  at::Tensor c = t.contiguous();
  std::vector<int64_t> sizes(c.sizes().begin(), c.sizes().end());
  return ember::from_blob(c.data_ptr(), sizes, to_ember(c.scalar_type())).clone();
}

at::Tensor to_torch(const ember::Tensor& t) {
  ember::Tensor c = t.contiguous();
  std::vector<int64_t> sizes(c.sizes().begin(), c.sizes().end());
  return at::from_blob(c.data_ptr(), sizes, at::TensorOptions().dtype(to_torch(c.dtype()))).clone();
}

::testing::AssertionResult same(const ember::Tensor& ours, const at::Tensor& theirs, double rtol = 1e-5,
                                double atol = 1e-6) {
  if (to_torch(ours.dtype()) != theirs.scalar_type())
    return ::testing::AssertionFailure() << "dtype " << ours.dtype() << " vs libtorch's " << theirs.scalar_type();
  at::Tensor mine = to_torch(ours);
  if (mine.sizes() != theirs.sizes())
    return ::testing::AssertionFailure() << "shape " << mine.sizes() << " vs libtorch's " << theirs.sizes();
  const bool ok = mine.is_floating_point() ? at::allclose(mine, theirs, rtol, atol, /*equal_nan=*/true)
                                           : at::equal(mine, theirs);
  if (!ok) return ::testing::AssertionFailure() << "values differ:\nEmber:\n" << mine << "\nlibtorch:\n" << theirs;
  return ::testing::AssertionSuccess();
}

class LibtorchParity : public ::testing::Test {
 protected:
  void SetUp() override { at::manual_seed(20240611); }
};

TEST_F(LibtorchParity, ElementwiseWithBroadcasting) {
  const at::Tensor a = at::randn({4, 1, 5}), b = at::randn({3, 5}), p = at::rand({3, 5}) + 0.5;
  const ember::Tensor ea = to_ember(a), eb = to_ember(b), ep = to_ember(p);
  EXPECT_TRUE(same(ea + eb, a + b));
  EXPECT_TRUE(same(ea.sub(eb, 0.5), a.sub(b, 0.5)));
  EXPECT_TRUE(same(ea * eb - 2.5, a * b - 2.5));
  EXPECT_TRUE(same(ea / ep, a / p));
  EXPECT_TRUE(same(ep.pow(eb), p.pow(b)));
  EXPECT_TRUE(same(ea.exp(), a.exp()));
  EXPECT_TRUE(same(ea.abs().log(), a.abs().log()));
  EXPECT_TRUE(same(ea.sigmoid(), a.sigmoid()));
  EXPECT_TRUE(same(ea.tanh(), a.tanh()));
  EXPECT_TRUE(same(ea.rsqrt(), a.rsqrt()));
  EXPECT_TRUE(same(ea.clamp(-0.5, 0.75), a.clamp(-0.5, 0.75)));
  EXPECT_TRUE(same(ea.maximum(eb), a.maximum(b)));
  EXPECT_TRUE(same(ember::where(ea > eb, ea, eb * 3), at::where(a > b, a, b * 3)));
  EXPECT_TRUE(same((ea * 4).round(), (a * 4).round()));
  EXPECT_TRUE(same(ea >= eb, a >= b));
}

TEST_F(LibtorchParity, NonContiguousElementwise) {
  const at::Tensor a = at::randn({6, 8}), b = at::randn({8, 6});
  const ember::Tensor ea = to_ember(a), eb = to_ember(b);
  EXPECT_TRUE(same(ea.t() * eb, a.t() * b));
  EXPECT_TRUE(same(ea.slice(1, 1, 8, 3).cos(), a.slice(1, 1, 8, 3).cos()));
}

TEST_F(LibtorchParity, IntegerArithmetic) {
  const at::Tensor a = at::randint(-50, 50, {5, 7}), b = at::randint(1, 9, {7});
  const ember::Tensor ea = to_ember(a), eb = to_ember(b);
  EXPECT_TRUE(same(ea * eb + 3, a * b + 3));
  EXPECT_TRUE(same(ea / eb, a / b));  // true division
  EXPECT_TRUE(same(ea.pow(2), a.pow(2)));
  EXPECT_TRUE(same(ea.sum(), a.sum()));
  EXPECT_TRUE(same(ea.to(ember::kInt32) + ember::tensor(7), a.to(at::kInt) + at::scalar_tensor(7, at::kLong)));
}

TEST_F(LibtorchParity, ResultTypeOverEveryDtypePair) {
  const std::vector<ember::Dtype> dtypes = {ember::kFloat32, ember::kFloat64, ember::kInt32, ember::kInt64,
                                            ember::kBool,    ember::kUInt8,   ember::kFloat16, ember::kBFloat16};
  for (ember::Dtype x : dtypes) {
    for (ember::Dtype y : dtypes) {
      for (bool x_zero_dim : {false, true}) {
        for (bool y_zero_dim : {false, true}) {
          const std::vector<int64_t> xs = x_zero_dim ? std::vector<int64_t>{} : std::vector<int64_t>{2};
          const std::vector<int64_t> ys = y_zero_dim ? std::vector<int64_t>{} : std::vector<int64_t>{2};
          const at::ScalarType expected =
              at::result_type(at::ones(xs, to_torch(x)), at::ones(ys, to_torch(y)));
          EXPECT_EQ(to_torch(ember::result_type(ember::ones(xs, x), ember::ones(ys, y))), expected)
              << x << (x_zero_dim ? " 0-d" : " 1-d") << " and " << y << (y_zero_dim ? " 0-d" : " 1-d");
        }
      }
      // A number on the right: integral, floating and bool.
      const ember::Tensor ex = ember::ones({2}, x);
      const at::Tensor tx = at::ones({2}, to_torch(x));
      EXPECT_EQ(to_torch(ember::result_type(ex, 2)), at::result_type(tx, 2)) << x << " and 2";
      EXPECT_EQ(to_torch(ember::result_type(ex, 2.5)), at::result_type(tx, 2.5)) << x << " and 2.5";
      EXPECT_EQ(to_torch(ember::result_type(ex, true)), at::result_type(tx, true)) << x << " and true";
    }
  }
}

TEST_F(LibtorchParity, Reductions) {
  const at::Tensor x = at::randn({3, 4, 5});
  const ember::Tensor ex = to_ember(x);
  EXPECT_TRUE(same(ex.sum(), x.sum()));
  EXPECT_TRUE(same(ex.sum({0, 2}, true), x.sum(at::IntArrayRef{0, 2}, true)));
  EXPECT_TRUE(same(ex.mean({1}), x.mean({1})));
  EXPECT_TRUE(same(ex.var({2}, false, false), x.var({2}, false, false)));
  EXPECT_TRUE(same(ex.std({0, 1}, true, true), x.std(at::IntArrayRef{0, 1}, true, true)));
  EXPECT_TRUE(same(ex.norm(2, {1}), x.norm(2, {1})));
  EXPECT_TRUE(same(ex.prod(2), x.prod(2)));
  auto [values, indices] = ex.max(1);
  auto [tvalues, tindices] = x.max(1);
  EXPECT_TRUE(same(values, tvalues));
  EXPECT_TRUE(same(indices, tindices));
  EXPECT_TRUE(same(ex.argmin(), x.argmin()));
  EXPECT_TRUE(same(ex.argmax(-1, true), x.argmax(-1, true)));
  EXPECT_TRUE(same(ex.softmax(1), x.softmax(1)));
  EXPECT_TRUE(same(ex.log_softmax(-1), x.log_softmax(-1)));
  EXPECT_TRUE(same(ex.logsumexp({0, 2}), x.logsumexp(at::IntArrayRef{0, 2})));
  EXPECT_TRUE(same(ex.transpose(0, 2).sum({1}), x.transpose(0, 2).sum({1})));
  EXPECT_TRUE(same((ex > 0).all(2), (x > 0).all(2)));
  EXPECT_TRUE(same((ex > 0).any(0), (x > 0).any(0)));
}

TEST_F(LibtorchParity, Linalg) {
  const at::Tensor a = at::randn({2, 1, 7, 9}), b = at::randn({5, 9, 3}), m = at::randn({9, 7});
  const ember::Tensor ea = to_ember(a), eb = to_ember(b), em = to_ember(m);
  EXPECT_TRUE(same(ea.matmul(eb), a.matmul(b)));
  EXPECT_TRUE(same(em.t().mm(em), m.t().mm(m)));
  EXPECT_TRUE(same(eb.transpose(1, 2).bmm(eb), b.transpose(1, 2).bmm(b)));
  EXPECT_TRUE(same(em.mv(em.select(0, 2)), m.mv(m.select(0, 2))));
  const at::Tensor d = at::randn({64, 64}, at::kDouble);
  const ember::Tensor ed = to_ember(d);
  EXPECT_TRUE(same(ed.matmul(ed.t()), d.matmul(d.t()), 1e-12, 1e-12));
  const at::Tensor i = at::randint(-9, 9, {6, 5}), j = at::randint(-9, 9, {5, 4});
  EXPECT_TRUE(same(to_ember(i).mm(to_ember(j)), i.mm(j)));
}

TEST_F(LibtorchParity, Indexing) {
  const at::Tensor x = at::randn({4, 5, 6});
  const ember::Tensor ex = to_ember(x);
  const at::Tensor idx = at::randint(0, 5, {7});
  EXPECT_TRUE(same(ex.index_select(1, to_ember(idx)), x.index_select(1, idx)));
  const at::Tensor g = at::randint(0, 6, {4, 5, 2});
  EXPECT_TRUE(same(ex.gather(2, to_ember(g)), x.gather(2, g)));
  const at::Tensor s = at::randint(0, 4, {3, 5, 6});
  EXPECT_TRUE(same(ex.scatter_add(0, to_ember(s), ex.slice(0, 0, 3)), x.scatter_add(0, s, x.slice(0, 0, 3))));
  EXPECT_TRUE(same(ember::cat({ex, ex * 2}, 1), at::cat({x, x * 2}, 1)));
  EXPECT_TRUE(same(ember::stack({ex, ex}, 3), at::stack({x, x}, 3)));
  EXPECT_TRUE(same(ex.repeat({1, 2, 1, 2}), x.repeat({1, 2, 1, 2})));
  EXPECT_TRUE(same(ex.masked_fill(ex < 0, 0.5), x.masked_fill(x < 0, 0.5)));
  using at::indexing::TensorIndex;
  const at::Tensor rows = at::tensor({3, 0, -1}, at::kLong), cols = at::tensor({5, 1, 2}, at::kLong);
  EXPECT_TRUE(same(ex.index({to_ember(rows), Slice(), to_ember(cols)}),
                   x.index({rows, at::indexing::Slice(), cols})));
  EXPECT_TRUE(same(ex.index({Slice(), to_ember(rows.remainder(5)), to_ember(cols)}),
                   x.index({at::indexing::Slice(), rows.remainder(5), cols})));
  EXPECT_TRUE(same(ex.index({ex > 1}), x.index({x > 1})));
  ember::Tensor ey = ex.clone();
  at::Tensor y = x.clone();
  ey.index_put_({to_ember(rows), Slice(), to_ember(cols)}, ember::tensor(9.0f));
  y.index_put_({rows, at::indexing::Slice(), cols}, at::scalar_tensor(9.0));
  EXPECT_TRUE(same(ey, y));
}

}  // namespace
