// Shape and view ops: view, reshape, flatten, squeeze/unsqueeze, transpose,
// permute, expand, narrow/select/slice, chunk/split/unbind and as_strided.
// Views share storage with their base: writes through either are visible in
// the other. Sizes, strides, offsets and values are PyTorch 1.13's, as printed
// by tests/gen/views_expected.py (each case below names its Python expression).
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "test_util.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace ember;
using Longs = std::vector<int64_t>;

using ember_test::error_of;

// A view's geometry: sizes, strides and storage offset.
#define EXPECT_GEOMETRY(t, sizes_, strides_, offset_)    \
  do {                                                   \
    EXPECT_EQ((t).sizes(), Longs sizes_);                \
    EXPECT_EQ((t).strides(), Longs strides_);            \
    EXPECT_EQ((t).storage_offset(), int64_t(offset_));   \
  } while (0)

Tensor iota(int64_t n) { return arange(n); }  // 0, 1, ..., n-1 as int64

// ------------------------------------------------------------------- view

TEST(View, InfersOneDimensionAndSharesStorage) {
  Tensor base = iota(12);
  Tensor v = base.view({3, -1});  // arange(12).view(3, -1)
  EXPECT_GEOMETRY(v, ({3, 4}), ({4, 1}), 0);
  EXPECT_TRUE(v.is_alias_of(base));
  EXPECT_EQ(v.data_ptr<int64_t>(), base.data_ptr<int64_t>());
  EXPECT_EQ(v[2][1].item<int64_t>(), 9);
  EXPECT_GEOMETRY(v.view({-1}), ({12}), ({1}), 0);
  EXPECT_GEOMETRY(v.view(12), ({12}), ({1}), 0);  // a single int is a shape too
}

TEST(View, OfCompatibleNonContiguousLayouts) {
  // tensor([1, 2, 3]).expand(2, 3).view(2, 1, 3): stride 0 survives
  Tensor e = tensor({1, 2, 3}).expand({2, 3}).view({2, 1, 3});
  EXPECT_GEOMETRY(e, ({2, 1, 3}), ({0, 3, 1}), 0);
  EXPECT_EQ(e.to_vector<int64_t>(), (Longs{1, 2, 3, 1, 2, 3}));
  // arange(24).view(2, 3, 4)[:, 1:].view(2, 8): the two inner dims are one block
  Tensor s = iota(24).view({2, 3, 4}).slice(1, 1).view({2, 8});
  EXPECT_GEOMETRY(s, ({2, 8}), ({12, 1}), 4);
  EXPECT_EQ(s.to_vector<int64_t>(), (Longs{4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}));
}

TEST(View, NeedingACopyThrowsAndSuggestsReshape) {
  Tensor t = iota(6).view({2, 3}).t();  // arange(6).view(2, 3).t().view(6): error in PyTorch
  EXPECT_ERROR_HAS(t.view({6}), "view", "[3, 2]", "[1, 3]", "[6]", "reshape");
  // arange(24).view(2, 3, 4)[:, 1:].view(4, 4): a row would span the gap
  EXPECT_ERROR_HAS(iota(24).view({2, 3, 4}).slice(1, 1).view({4, 4}), "view", "[2, 2, 4]", "[4, 4]", "reshape");
}

TEST(View, BadShapesThrow) {
  EXPECT_ERROR_HAS(iota(6).view({4}), "view", "[4]", "invalid for input of size 6");
  EXPECT_ERROR_HAS(iota(6).view({-1, -1}), "view", "only one dimension can be inferred");
  EXPECT_ERROR_HAS(iota(6).view({-1, 4}), "view", "[-1, 4]", "size 6");
  EXPECT_ERROR_HAS(iota(6).view({2, -3}), "view", "-3");
  EXPECT_ERROR_HAS(zeros({0, 3}).view({3, 0, -1}), "view", "[3, 0, -1]");
}

TEST(View, WritesAreVisibleBothWays) {
  Tensor base = zeros({2, 3}, kInt64);
  Tensor flat = base.view({6});
  flat[4].fill_(7);
  EXPECT_EQ(base[1][1].item<int64_t>(), 7);
  base[0][2].fill_(-1);
  EXPECT_EQ(flat[2].item<int64_t>(), -1);
}

// ---------------------------------------------------------------- reshape

TEST(Reshape, IsAViewWhenPossible) {
  Tensor base = iota(12);
  Tensor r = base.reshape({2, -1, 3});
  EXPECT_GEOMETRY(r, ({2, 2, 3}), ({6, 3, 1}), 0);
  EXPECT_TRUE(r.is_alias_of(base));
  r[1][1][2].fill_(100);
  EXPECT_EQ(base[11].item<int64_t>(), 100);
  // arange(6).view(2, 3).t().reshape(3, 2): already that shape, so a view
  Tensor t = iota(6).view({2, 3}).t();
  Tensor same = t.reshape({3, 2});
  EXPECT_TRUE(same.is_alias_of(t));
  EXPECT_GEOMETRY(same, ({3, 2}), ({1, 3}), 0);
}

TEST(Reshape, CopiesWhenItMust) {
  // arange(6).view(2, 3).t().reshape(6): a fresh tensor in row-major order
  Tensor t = iota(6).view({2, 3}).t();
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.is_alias_of(t));
  EXPECT_GEOMETRY(r, ({6}), ({1}), 0);
  EXPECT_EQ(r.to_vector<int64_t>(), (Longs{0, 3, 1, 4, 2, 5}));
  r[0].fill_(42);  // the copy is independent
  EXPECT_EQ(t[0][0].item<int64_t>(), 0);
  EXPECT_ERROR_HAS(t.reshape({4}), "reshape", "[4]", "size 6");
  EXPECT_EQ(reshape(t, {2, 3}).to_vector<int64_t>(), (Longs{0, 3, 1, 4, 2, 5}));  // the free function
}

// ---------------------------------------------------------------- flatten

TEST(Flatten, MergesARangeOfDims) {
  Tensor t = zeros({2, 3, 4, 5});
  EXPECT_GEOMETRY(t.flatten(1, 2), ({2, 12, 5}), ({60, 5, 1}), 0);
  EXPECT_GEOMETRY(t.flatten(-2), ({2, 3, 20}), ({60, 20, 1}), 0);
  EXPECT_GEOMETRY(t.flatten(), ({120}), ({1}), 0);
  EXPECT_TRUE(t.flatten(1, 2).is_alias_of(t));
  EXPECT_EQ(t.flatten(2, 2).sizes(), t.sizes());  // a single dim: unchanged
  EXPECT_EQ(flatten(t, 0, 1).sizes(), (Longs{6, 4, 5}));
}

TEST(Flatten, OfAScalarAndOfATranspose) {
  EXPECT_GEOMETRY(tensor(5).flatten(), ({1}), ({1}), 0);  // tensor(5).flatten()
  Tensor t = iota(6).view({2, 3}).t();  // arange(6).view(2, 3).t().flatten(): a copy
  Tensor f = t.flatten();
  EXPECT_FALSE(f.is_alias_of(t));
  EXPECT_EQ(f.to_vector<int64_t>(), (Longs{0, 3, 1, 4, 2, 5}));
}

TEST(Flatten, BadDimsThrow) {
  EXPECT_ERROR_HAS(zeros({2, 3}).flatten(1, 0), "flatten", "start_dim", "end_dim");
  EXPECT_ERROR_HAS(zeros({2, 3}).flatten(0, 2), "flatten", "out of range");
}

// ----------------------------------------------------- squeeze, unsqueeze

TEST(Squeeze, RemovesDimsOfSizeOne) {
  Tensor t = zeros({2, 1, 3, 1});
  EXPECT_GEOMETRY(t.squeeze(), ({2, 3}), ({3, 1}), 0);
  EXPECT_GEOMETRY(t.squeeze(1), ({2, 3, 1}), ({3, 1, 1}), 0);
  EXPECT_GEOMETRY(t.squeeze(-1), ({2, 1, 3}), ({3, 3, 1}), 0);
  EXPECT_GEOMETRY(t.squeeze(0), ({2, 1, 3, 1}), ({3, 3, 1, 1}), 0);  // size 2: unchanged
  EXPECT_TRUE(t.squeeze().is_alias_of(t));
  EXPECT_EQ(squeeze(t).sizes(), (Longs{2, 3}));
  EXPECT_EQ(tensor(1.0).squeeze(0).dim(), 0);
  EXPECT_ERROR_HAS(zeros({2, 3}).squeeze(2), "squeeze", "out of range", "[-2, 1]");
}

TEST(Unsqueeze, InsertsADimOfSizeOne) {
  Tensor t = zeros({2, 3});
  EXPECT_GEOMETRY(t.unsqueeze(0), ({1, 2, 3}), ({6, 3, 1}), 0);
  EXPECT_GEOMETRY(t.unsqueeze(1), ({2, 1, 3}), ({3, 3, 1}), 0);
  EXPECT_GEOMETRY(t.unsqueeze(-1), ({2, 3, 1}), ({3, 1, 1}), 0);
  EXPECT_GEOMETRY(t.t().unsqueeze(1), ({3, 1, 2}), ({1, 6, 3}), 0);  // zeros(2, 3).t().unsqueeze(1)
  EXPECT_GEOMETRY(tensor(1.0).unsqueeze(0), ({1}), ({1}), 0);
  EXPECT_EQ(unsqueeze(t, 2).sizes(), (Longs{2, 3, 1}));
  EXPECT_ERROR_HAS(t.unsqueeze(3), "unsqueeze", "out of range", "[-3, 2]");
}

// ------------------------------------------------ transpose, t, permute

TEST(Transpose, SwapsSizesAndStrides) {
  Tensor a = iota(24).view({2, 3, 4});
  Tensor t = a.transpose(0, 2);  // arange(24).view(2, 3, 4).transpose(0, 2)
  EXPECT_GEOMETRY(t, ({4, 3, 2}), ({1, 4, 12}), 0);
  EXPECT_EQ(t.to_vector<int64_t>(), (Longs{0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21,
                                           2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}));
  EXPECT_TRUE(t.is_alias_of(a));
  EXPECT_FALSE(t.is_contiguous());
  Tensor u = a.transpose(-1, -2);
  EXPECT_GEOMETRY(u, ({2, 4, 3}), ({12, 1, 4}), 0);
  EXPECT_EQ(u[1][3].to_vector<int64_t>(), (Longs{15, 19, 23}));
  EXPECT_TRUE(transpose(a, 1, 1).sizes() == a.sizes());
  EXPECT_ERROR_HAS(zeros({2, 3}).transpose(0, 2), "transpose", "out of range", "[-2, 1]");
}

TEST(Transpose, TOfAMatrixAndOfAVector) {
  Tensor m = iota(6).view({2, 3});
  EXPECT_GEOMETRY(m.t(), ({3, 2}), ({1, 3}), 0);
  EXPECT_EQ(m.t().to_vector<int64_t>(), (Longs{0, 3, 1, 4, 2, 5}));
  EXPECT_GEOMETRY(iota(3).t(), ({3}), ({1}), 0);  // 1-d: unchanged
  EXPECT_EQ(tensor(2.0).t().dim(), 0);
  EXPECT_ERROR_HAS(zeros({2, 3, 4}).t(), "t()", "at most 2 dimensions", "3");
}

TEST(Permute, ReordersDims) {
  Tensor a = iota(24).view({2, 3, 4});
  Tensor p = a.permute({2, 0, 1});  // arange(24).view(2, 3, 4).permute(2, 0, 1)
  EXPECT_GEOMETRY(p, ({4, 2, 3}), ({1, 12, 4}), 0);
  EXPECT_EQ(p.to_vector<int64_t>(), (Longs{0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                                           2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}));
  EXPECT_EQ(a.permute({-1, 0, 1}).strides(), p.strides());  // negative dims
  EXPECT_EQ(permute(a, {1, 0, 2}).sizes(), (Longs{3, 2, 4}));
  EXPECT_TRUE(p.is_alias_of(a));
}

TEST(Permute, BadDimsThrow) {
  EXPECT_ERROR_HAS(zeros({2, 3}).permute({0, 0}), "permute", "appears twice");
  EXPECT_ERROR_HAS(zeros({2, 3}).permute({0}), "permute", "1", "2 dimensions", "[2, 3]");
  EXPECT_ERROR_HAS(zeros({2, 3}).permute({0, 2}), "permute", "out of range");
}

// ------------------------------------------------------- expand, expand_as

TEST(Expand, BroadcastsWithStrideZero) {
  Tensor row = tensor({1, 2, 3});
  Tensor e = row.expand({2, 3});  // tensor([1, 2, 3]).expand(2, 3)
  EXPECT_GEOMETRY(e, ({2, 3}), ({0, 1}), 0);
  EXPECT_EQ(e.to_vector<int64_t>(), (Longs{1, 2, 3, 1, 2, 3}));
  EXPECT_TRUE(e.is_alias_of(row));
  Tensor col = tensor({{1}, {2}});
  EXPECT_GEOMETRY(col.expand({-1, 3}), ({2, 3}), ({1, 0}), 0);  // -1 keeps a size
  EXPECT_EQ(col.expand({-1, 3}).to_vector<int64_t>(), (Longs{1, 1, 1, 2, 2, 2}));
  EXPECT_GEOMETRY(col.expand({4, 2, 3}), ({4, 2, 3}), ({0, 1, 0}), 0);  // new leading dims
  EXPECT_GEOMETRY(row.expand({3}), ({3}), ({1}), 0);
}

TEST(Expand, WritesReachTheOneSharedElement) {
  Tensor row = zeros({3}, kInt64);
  Tensor e = row.expand({4, 3});
  row[1].fill_(5);
  EXPECT_EQ(e.select(1, 1).to_vector<int64_t>(), (Longs{5, 5, 5, 5}));
}

TEST(Expand, ExpandAs) {
  Tensor e = tensor({1.0f, 2.0f}).expand_as(zeros({3, 2}));
  EXPECT_GEOMETRY(e, ({3, 2}), ({0, 1}), 0);
  EXPECT_EQ(e.to_vector<float>(), (std::vector<float>{1, 2, 1, 2, 1, 2}));
}

TEST(Expand, BadSizesThrowNamingShapes) {
  EXPECT_ERROR_HAS(tensor({1, 2, 3}).expand({2, 4}), "expand", "[3]", "[2, 4]", "dimension 1");
  EXPECT_ERROR_HAS(zeros({2, 3}).expand({3}), "expand", "[3]", "[2, 3]", "fewer dimensions");
  EXPECT_ERROR_HAS(zeros({3}).expand({-1, 3}), "expand", "-1");
}

// ------------------------------------------------- narrow, select, slice

TEST(Narrow, TakesALengthFromAStart) {
  Tensor a = iota(10);
  Tensor n = a.narrow(0, 2, 3);  // arange(10).narrow(0, 2, 3)
  EXPECT_GEOMETRY(n, ({3}), ({1}), 2);
  EXPECT_EQ(n.to_vector<int64_t>(), (Longs{2, 3, 4}));
  EXPECT_EQ(a.narrow(0, -3, 2).to_vector<int64_t>(), (Longs{7, 8}));  // negative start
  Tensor m = iota(12).view({3, 4}).narrow(1, 1, 2);
  EXPECT_GEOMETRY(m, ({3, 2}), ({4, 1}), 1);
  EXPECT_EQ(m.to_vector<int64_t>(), (Longs{1, 2, 5, 6, 9, 10}));
  EXPECT_ERROR_HAS(a.narrow(0, 8, 3), "narrow", "8", "3", "size 10");
}

TEST(Select, RemovesADim) {
  Tensor m = iota(12).view({3, 4});
  Tensor row = m.select(0, 1);
  EXPECT_GEOMETRY(row, ({4}), ({1}), 4);
  EXPECT_EQ(row.to_vector<int64_t>(), (Longs{4, 5, 6, 7}));
  Tensor last = m.select(1, -1);  // negative index: the last column
  EXPECT_GEOMETRY(last, ({3}), ({4}), 3);
  EXPECT_EQ(last.to_vector<int64_t>(), (Longs{3, 7, 11}));
  EXPECT_EQ(m[2][3].item<int64_t>(), 11);  // operator[] selects along dim 0
  EXPECT_EQ(m[-1][0].item<int64_t>(), 8);
}

TEST(Select, OutOfRangeThrowsNamingTheShape) {
  Tensor m = iota(12).view({3, 4});
  EXPECT_ERROR_HAS(m.select(1, 4), "select", "index 4", "out of range", "dimension 1", "[3, 4]");
  EXPECT_ERROR_HAS(m.select(0, -4), "select", "index -4", "out of range", "[3, 4]");
  EXPECT_ERROR_HAS(tensor(1.0).select(0, 0), "select", "0-d");
  EXPECT_ERROR_HAS(m.select(2, 0), "select", "out of range");
}

TEST(Slice, WithStepsAndNegativeIndices) {
  Tensor a = iota(10);
  Tensor s = a.slice(0, 1, 9, 3);  // arange(10)[1:9:3]
  EXPECT_GEOMETRY(s, ({3}), ({3}), 1);
  EXPECT_EQ(s.to_vector<int64_t>(), (Longs{1, 4, 7}));
  Tensor neg = a.slice(0, -4, -1);  // arange(10)[-4:-1]
  EXPECT_GEOMETRY(neg, ({3}), ({1}), 6);
  EXPECT_EQ(neg.to_vector<int64_t>(), (Longs{6, 7, 8}));
  EXPECT_EQ(a.slice(0, 5, 100).to_vector<int64_t>(), (Longs{5, 6, 7, 8, 9}));  // clamped
  EXPECT_EQ(a.slice(0, -100, 2).to_vector<int64_t>(), (Longs{0, 1}));
  Tensor empty_slice = a.slice(0, 7, 3);  // arange(10)[7:3]: empty, at offset 7
  EXPECT_GEOMETRY(empty_slice, ({0}), ({1}), 7);
  Tensor every4 = a.slice(0, {}, {}, 4);  // arange(10)[::4]
  EXPECT_GEOMETRY(every4, ({3}), ({4}), 0);
  EXPECT_EQ(every4.to_vector<int64_t>(), (Longs{0, 4, 8}));
  EXPECT_EQ(a.slice().to_vector<int64_t>(), a.to_vector<int64_t>());
}

TEST(Slice, OfASliceComposes) {
  Tensor m = iota(12).view({3, 4});
  Tensor odd = m.slice(1, 1, {}, 2);  // arange(12).view(3, 4)[:, 1::2]
  EXPECT_GEOMETRY(odd, ({3, 2}), ({4, 2}), 1);
  EXPECT_EQ(odd.to_vector<int64_t>(), (Longs{1, 3, 5, 7, 9, 11}));
  Tensor lower = odd.slice(0, 1);  // ...[1:]
  EXPECT_GEOMETRY(lower, ({2, 2}), ({4, 2}), 5);
  EXPECT_EQ(lower.to_vector<int64_t>(), (Longs{5, 7, 9, 11}));
}

TEST(Slice, NonPositiveStepsThrow) {
  EXPECT_ERROR_HAS(iota(10).slice(0, 0, 10, 0), "slice", "step", "0");
  EXPECT_ERROR_HAS(iota(10).slice(0, 0, 10, -1), "slice", "step", "-1");
  EXPECT_ERROR_HAS(tensor(1).slice(0, 0, 1), "slice", "0-d");
}

// ------------------------------------------------- chunk, split, unbind

TEST(Chunk, SplitsIntoAtMostNParts) {
  auto c = iota(6).chunk(4);  // arange(6).chunk(4): 3 chunks of 2
  ASSERT_EQ(c.size(), 3u);
  EXPECT_GEOMETRY(c[2], ({2}), ({1}), 4);
  EXPECT_EQ(c[2].to_vector<int64_t>(), (Longs{4, 5}));
  auto d = iota(7).chunk(3);  // sizes 3, 3, 1
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].size(0), 3);
  EXPECT_EQ(d[1].size(0), 3);
  EXPECT_EQ(d[2].to_vector<int64_t>(), (Longs{6}));
  EXPECT_EQ(iota(3).chunk(10).size(), 3u);  // never an empty chunk
  auto m = iota(12).view({3, 4}).chunk(2, 1);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_GEOMETRY(m[1], ({3, 2}), ({4, 1}), 2);
  EXPECT_EQ(m[1].to_vector<int64_t>(), (Longs{2, 3, 6, 7, 10, 11}));
  EXPECT_EQ(chunk(iota(4), 2).size(), 2u);
}

TEST(Chunk, OfAnEmptyTensorGivesNEmptyChunks) {
  auto c = zeros({0}).chunk(3);  // zeros(0).chunk(3): three empty tensors
  ASSERT_EQ(c.size(), 3u);
  for (const Tensor& part : c) EXPECT_GEOMETRY(part, ({0}), ({1}), 0);
  EXPECT_FALSE(c[0].is_same(c[1]));  // separate tensors that share the storage
  EXPECT_TRUE(c[0].is_alias_of(c[1]));
}

TEST(Chunk, NonPositiveCountOrAScalarThrows) {
  EXPECT_ERROR_HAS(iota(7).chunk(0), "chunk", "positive", "0");
  EXPECT_ERROR_HAS(tensor(1).chunk(2), "chunk", "0-d");
  EXPECT_ERROR_HAS(tensor(1).unbind(), "unbind", "0-d");
  EXPECT_ERROR_HAS(tensor(1).split(Longs{1}), "split", "0-d");
}

TEST(Split, BySizeAndBySizes) {
  auto s = iota(7).split(3);  // arange(7).split(3): 3, 3, 1
  ASSERT_EQ(s.size(), 3u);
  EXPECT_GEOMETRY(s[1], ({3}), ({1}), 3);
  EXPECT_EQ(s[2].to_vector<int64_t>(), (Longs{6}));
  auto t = iota(7).split(Longs{2, 5});  // arange(7).split([2, 5])
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].to_vector<int64_t>(), (Longs{0, 1}));
  EXPECT_EQ(t[1].to_vector<int64_t>(), (Longs{2, 3, 4, 5, 6}));
  auto m = iota(12).view({3, 4}).split(Longs{1, 3}, 1);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_GEOMETRY(m[0], ({3, 1}), ({4, 1}), 0);
  EXPECT_GEOMETRY(m[1], ({3, 3}), ({4, 1}), 1);
  EXPECT_EQ(m[0].to_vector<int64_t>(), (Longs{0, 4, 8}));
  EXPECT_EQ(split(iota(5), 2).size(), 3u);
}

TEST(Split, SizesMustSumToTheDim) {
  EXPECT_ERROR_HAS(iota(7).split(Longs{2, 4}), "split", "[2, 4]", "6", "size 7");
  EXPECT_ERROR_HAS(iota(7).split(0), "split", "positive");
}

TEST(Unbind, SelectsEveryIndex) {
  Tensor m = iota(6).view({2, 3});
  auto rows = m.unbind(0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].to_vector<int64_t>(), (Longs{3, 4, 5}));
  auto cols = m.unbind(1);  // arange(6).view(2, 3).unbind(1)
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_GEOMETRY(cols[2], ({2}), ({3}), 2);
  EXPECT_EQ(cols[2].to_vector<int64_t>(), (Longs{2, 5}));
  EXPECT_TRUE(cols[0].is_alias_of(m));
}

TEST(ChunkSplitUnbind, PartsAreViewsOfTheBase) {
  Tensor base = zeros({6}, kInt64);
  auto parts = base.chunk(3);
  parts[1].fill_(1);
  base.split(Longs{5, 1})[1].fill_(9);
  base.unbind()[0].fill_(-1);
  EXPECT_EQ(base.to_vector<int64_t>(), (Longs{-1, 0, 1, 1, 0, 9}));
}

// -------------------------------------------------------------- as_strided

TEST(AsStrided, ArbitraryGeometryOverTheStorage) {
  Tensor a = iota(9);
  Tensor s = a.as_strided({2, 2}, {1, 3}, 1);  // arange(9).as_strided((2, 2), (1, 3), 1)
  EXPECT_GEOMETRY(s, ({2, 2}), ({1, 3}), 1);
  EXPECT_EQ(s.to_vector<int64_t>(), (Longs{1, 4, 2, 5}));
  Tensor diagonal = a.as_strided({3}, {4});
  EXPECT_EQ(diagonal.to_vector<int64_t>(), (Longs{0, 4, 8}));
  diagonal.fill_(-1);  // writes land in the base
  EXPECT_EQ(a.to_vector<int64_t>(), (Longs{-1, 1, 2, 3, -1, 5, 6, 7, -1}));
  // without an offset, the view's own offset is kept
  Tensor tail = iota(9).slice(0, 2).as_strided({2}, {1});
  EXPECT_GEOMETRY(tail, ({2}), ({1}), 2);
  EXPECT_EQ(tail.to_vector<int64_t>(), (Longs{2, 3}));
}

TEST(AsStrided, OutOfBoundsThrows) {
  EXPECT_ERROR_HAS(iota(9).as_strided({2, 2}, {1, 3}, 6), "as_strided", "[2, 2]", "[1, 3]", "6", "72 bytes");
  EXPECT_ERROR_HAS(iota(9).as_strided({2, 2}, {1}), "as_strided", "2 sizes but 1 strides");
}

// ------------------------------------------------------- chained views

TEST(Views, ChainsOfViewsWriteIntoTheBase) {
  Tensor base = zeros({4, 6}, kInt64);
  Tensor v = base.view({2, 2, 6}).permute({2, 0, 1}).slice(0, 1, 6, 2).select(2, 1);  // [3, 2]
  EXPECT_EQ(v.sizes(), (Longs{3, 2}));
  v.fill_(1);
  EXPECT_EQ(base.sum().item<int64_t>(), 6);
  EXPECT_EQ(base.to_vector<int64_t>(), (Longs{0, 0, 0, 0, 0, 0,  //
                                              0, 1, 0, 1, 0, 1,  //
                                              0, 0, 0, 0, 0, 0,  //
                                              0, 1, 0, 1, 0, 1}));
  // and the base's writes show in the view
  base.fill_(3);
  EXPECT_EQ(v.to_vector<int64_t>(), Longs(6, 3));
}

TEST(Views, KeepTheDtypeAndDevice) {
  Tensor h = zeros({2, 3}, kFloat16);
  for (const Tensor& v : {h.t(), h.view({6}), h.unsqueeze(0), h.slice(1, 1), h.expand({4, 2, 3})}) {
    EXPECT_EQ(v.dtype(), kFloat16);
    EXPECT_EQ(v.device(), h.device());
    EXPECT_TRUE(v.is_alias_of(h));
  }
}

}  // namespace
