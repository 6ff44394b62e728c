#!/usr/bin/python3
"""Expected values of tests/test_indexing.cpp, computed by PyTorch 1.13.

    /usr/bin/python3 tests/gen/indexing_expected.py --write

X = torch.arange(24).reshape(2, 3, 4) (int64) and F = X * 0.5 (float32) are
built the same way in the test; each constant's comment is the PyTorch code
that produced it.
"""
import warnings

import torch

from op_refs import Refs

warnings.filterwarnings("ignore")  # uint8 masks are deprecated
r = Refs(__file__)
t = torch.tensor

X = torch.arange(24).reshape(2, 3, 4)
F = X * 0.5

# ---- index_select, gather, scatter_add ----
r.add("kIndexSelect1", X.index_select(1, t([2, 0, 2])), "X.index_select(1, torch.tensor([2, 0, 2]))")
r.add("kIndexSelectLast", F.index_select(-1, t([3, 1], dtype=torch.int32)),
      "F.index_select(-1, torch.tensor([3, 1], dtype=torch.int32))")
r.add("kIndexSelect0d", X.index_select(0, t(1)), "X.index_select(0, torch.tensor(1))  (a 0-d index)")
r.add("kIndexSelectTransposed", X.transpose(0, 2).index_select(1, t([1, 1, 0])),
      "X.transpose(0, 2).index_select(1, torch.tensor([1, 1, 0]))")
G = t([[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 2], [1, 0]]])
r.add("kGather2", X.gather(2, G), "X.gather(2, G)  (G = [[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 2], [1, 0]]])")
r.add("kGather0", F.gather(0, t([[[1, 0, 1, 0]], [[0, 0, 1, 1]]])),
      "F.gather(0, torch.tensor([[[1, 0, 1, 0]], [[0, 0, 1, 1]]]))  (an index smaller than the input)")
idx = t([[0, 1, 2, 0], [2, 2, 1, 0]])
src = t([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
r.add("kScatterAdd0", torch.zeros(3, 4).scatter_add(0, idx, src),
      "torch.zeros(3, 4).scatter_add(0, idx, src)  (idx = [[0, 1, 2, 0], [2, 2, 1, 0]], src = [[1., 2., 3., 4.], [10., 20., 30., 40.]])")
x = torch.ones(2, 3); x.scatter_add_(1, t([[0, 0, 0, 0], [2, 1, 2, 2]]), src)
r.add("kScatterAddDuplicates", x,
      "x = torch.ones(2, 3); x.scatter_add_(1, torch.tensor([[0, 0, 0, 0], [2, 1, 2, 2]]), src)  (duplicates accumulate)")
r.add("kScatterAddInt", torch.zeros(5, dtype=torch.int64).scatter_add(0, t([4, 0, 4, 4]), t([1, 2, 3, 4])),
      "torch.zeros(5, dtype=torch.int64).scatter_add(0, torch.tensor([4, 0, 4, 4]), torch.tensor([1, 2, 3, 4]))")
r.add("kMaskedFill3d", X.masked_fill(X % 5 == 0, -1), "X.masked_fill(X % 5 == 0, -1)")

# ---- cat, stack, repeat ----
A = t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
B = t([[7.0, 8.0, 9.0]])
r.add("kCat0", torch.cat([A, B]), "torch.cat([A, B])  (A = [[1., 2., 3.], [4., 5., 6.]], B = [[7., 8., 9.]])")
r.add("kCat1", torch.cat([A, A.t()[:2] * 10], 1), "torch.cat([A, A.t()[:2] * 10], 1)")
r.add("kCatPromote", torch.cat([t([[1, 2, 3]]), A]), "torch.cat([torch.tensor([[1, 2, 3]]), A])  (int64 + float32)")
r.add("kCatIntPromote", torch.cat([t([1, 2], dtype=torch.int32), t([3])]),
      "torch.cat([torch.tensor([1, 2], dtype=torch.int32), torch.tensor([3])])")
r.add("kCatNegDim", torch.cat([X, X[:, :, :1]], -1)[:, :, 3:], "torch.cat([X, X[:, :, :1]], -1)[:, :, 3:]")
r.add("kCatLegacyEmpty", torch.cat([torch.zeros(0), A]), "torch.cat([torch.zeros(0), A])  (1-d empty tensors are skipped)")
r.add("kStack0", torch.stack([A, A * 2]), "torch.stack([A, A * 2])")
r.add("kStack1", torch.stack([A, A * 2], 1), "torch.stack([A, A * 2], 1)")
r.add("kStackLast", torch.stack([A, A * 2], -1), "torch.stack([A, A * 2], -1)")
r.add("kRepeat", A.repeat(2, 3), "A.repeat(2, 3)")
r.add("kRepeatMoreDims", t([1, 2]).repeat(2, 1, 2), "torch.tensor([1, 2]).repeat(2, 1, 2)")
r.add("kRepeatTransposed", A.t().repeat(1, 2), "A.t().repeat(1, 2)")

# ---- index({...}) ----
r.add("kIntIndex", X[0], "X[0]")
r.add("kNegIntIndices", X[-1, 1], "X[-1, 1]")
r.add("kSlices", X[:, 1:, ::2], "X[:, 1:, ::2]")
r.add("kNegSlice", X[..., -3:-1], "X[..., -3:-1]")
r.add("kNoneIndex", X[None, 0], "X[None, 0]")
r.add("kEllipsisIndex", X[..., 1], "X[..., 1]")
r.add("kEllipsisNone", X[0, ..., None], "X[0, ..., None]")
r.add("kTensorIndex", X[t([1, 0, 1])], "X[torch.tensor([1, 0, 1])]")
r.add("kTensorNegative", X[:, t([2, -1])], "X[:, torch.tensor([2, -1])]")
r.add("kTensor2d", X[:, t([[0, 1], [2, 0]])], "X[:, torch.tensor([[0, 1], [2, 0]])]")
r.add("kIntAndTensor", F[1, t([0, 2])], "F[1, torch.tensor([0, 2])]")
r.add("kMaskAll", X[X > 15], "X[X > 15]")
r.add("kMaskFirstDim", X[t([False, True])], "X[torch.tensor([False, True])]")
r.add("kMask2d", F[t([[True, False, True], [False, False, True]])],
      "F[torch.tensor([[True, False, True], [False, False, True]])]")
r.add("kMaskMiddle", X[:, t([True, False, True])], "X[:, torch.tensor([True, False, True])]")
r.add("kByteMask", X[:, t([1, 0, 1], dtype=torch.uint8), 2],
      "X[:, torch.tensor([1, 0, 1], dtype=torch.uint8), 2]  (a uint8 index is a mask)")
r.add("kZeroDimMask", X[:, t(True), 1], "X[:, torch.tensor(True), 1]  (a 0-d mask adds a dim)")
r.add("kBoolIndex", X[1, False], "X[1, False]")
r.add("kAdjacent", X[:, t([0, 2]), t([1, 3])], "X[:, torch.tensor([0, 2]), torch.tensor([1, 3])]  (adjacent: in place)")
r.add("kNonAdjacent", X[t([0, 1]), :, t([1, 3])], "X[torch.tensor([0, 1]), :, torch.tensor([1, 3])]  (non-adjacent: first)")
r.add("kBroadcastIndices", X[t([[0], [1]]), :, t([1, 2, 3])],
      "X[torch.tensor([[0], [1]]), :, torch.tensor([1, 2, 3])]  (index shapes broadcast)")
r.add("kIntThenTensor", X[0, :, t([0, 1])], "X[0, :, torch.tensor([0, 1])]  (the integer selects first)")
r.add("kNoneSplitsAdvanced", X[t([0, 1]), None, :, t([1, 3])], "X[torch.tensor([0, 1]), None, :, torch.tensor([1, 3])]")
r.add("kSliceThenAdjacent", X[1:, t([2, 1]), t([0, 3])], "X[1:, torch.tensor([2, 1]), torch.tensor([0, 3])]")
r.add("kTransposedAdvanced", X.transpose(0, 2)[t([3, 0]), t([1, 2])],
      "X.transpose(0, 2)[torch.tensor([3, 0]), torch.tensor([1, 2])]")

# ---- index_put_ ----
x = X.clone(); x[0, 1:3] = t([100, 101, 102, 103])
r.add("kPutBasic", x, "x = X.clone(); x[0, 1:3] = torch.tensor([100, 101, 102, 103])")
x = X.clone(); x[:, t([0, 2])] = -1
r.add("kPutAdjacentScalar", x, "x = X.clone(); x[:, torch.tensor([0, 2])] = -1")
x = X.clone(); x[t([0, 1]), :, t([1, 3])] = t([[-1, -2, -3], [-4, -5, -6]])
r.add("kPutNonAdjacent", x, "x = X.clone(); x[torch.tensor([0, 1]), :, torch.tensor([1, 3])] = torch.tensor([[-1, -2, -3], [-4, -5, -6]])")
x = X.clone(); x[X > 20] = 0
r.add("kPutMask", x, "x = X.clone(); x[X > 20] = 0")
x = F.clone(); x[1, t([2, 0]), t([3, 1])] = t([7.5, 8.5])
r.add("kPutTwoIndices", x, "x = F.clone(); x[1, torch.tensor([2, 0]), torch.tensor([3, 1])] = torch.tensor([7.5, 8.5])")
x = F[0].clone(); x.t()[t([1, 3])] = -2.0
r.add("kPutTransposed", x, "x = F[0].clone(); x.t()[torch.tensor([1, 3])] = -2.")

r.write("test_indexing.cpp")
