#!/usr/bin/python3
"""Expected values of tests/test_reduce.cpp, computed by PyTorch 1.13.

    /usr/bin/python3 tests/gen/reduce_expected.py --write

Each constant's comment is the PyTorch code that produced it; the test runs
the same code through Ember on the same inputs (kX and friends are emitted
too, so both sides read identical values).
"""
import math

import torch

from op_refs import Refs

nan, inf = math.nan, math.inf
r = Refs(__file__)

X = torch.tensor([[[1.5, -2.0, 3.25, 0.5], [4.0, -1.0, 2.0, -3.5], [0.25, 6.0, -4.5, 1.0]],
                  [[-0.5, 2.5, 1.0, 3.0], [-2.25, 0.75, 5.5, -1.5], [2.0, -3.0, 0.5, 4.5]]])
XI = torch.tensor([[3, -1, 4], [1, -5, 9]])
T = torch.tensor([[1.0, 3, 3, 2], [5, 5, 1, 5]])
NT = torch.tensor([[1.0, nan, 3, nan], [2, 1, 0, 1]])
BT = torch.tensor([[True, True, False], [True, True, True]])

r.comment("inputs")
r.add("kX", X, "X")
r.add("kXI", XI, "XI")
r.add("kT", T, "T  (ties)")
r.add("kNT", NT, "NT  (nan)")
r.add("kBT", BT, "BT")

# ---- sum ----
r.add("kSumAll", X.sum(), "X.sum()")
r.add("kSum02", X.sum([0, 2]), "X.sum([0, 2])")
r.add("kSum1Keep", X.sum(1, keepdim=True), "X.sum(1, keepdim=True)")
r.add("kSumLast", X.sum(-1), "X.sum(-1)")
r.add("kSumOuter", X.sum(0), "X.sum(0)  (outer dim)")
r.add("kSumEmptyDims", X.sum([]), "X.sum([])  (an empty dim list reduces everything)")
r.add("kSumInt", XI.sum(), "XI.sum()  (int64)")
r.add("kSumInt32", XI.int().sum(), "XI.int().sum()  (int32 -> int64)")
r.add("kSumBool", BT.sum(), "BT.sum()  (bool -> int64)")
r.add("kSumBoolDim", BT.sum(0), "BT.sum(0)")
r.add("kSumDtype", X.sum(dtype=torch.float64), "X.sum(dtype=torch.float64)")
r.add("kSumIntToFloat", XI.sum([1], dtype=torch.float32), "XI.sum([1], dtype=torch.float32)")

# ---- mean, prod ----
r.add("kMeanAll", X.mean(), "X.mean()")
r.add("kMean02", X.mean([0, 2]), "X.mean([0, 2])")
r.add("kMean1Keep", X.mean(1, keepdim=True), "X.mean(1, keepdim=True)")
r.add("kMeanIntDtype", XI.mean(dtype=torch.float32), "XI.mean(dtype=torch.float32)")
r.add("kProdAll", X.prod(), "X.prod()")
r.add("kProd1", X.prod(1), "X.prod(1)")
r.add("kProdInt", XI.prod(), "XI.prod()")
r.add("kProdInt0Keep", XI.prod(0, keepdim=True), "XI.prod(0, keepdim=True)")

# ---- max, min, argmax, argmin ----
r.add("kMaxAll", X.max(), "X.max()")
r.add("kMinAll", X.min(), "X.min()")
r.add("kMaxInt", XI.max(), "XI.max()")
r.add("kMaxNaN", NT.max(), "NT.max()  (nan wins)")
v, i = X.max(1)
r.add("kMax1Values", v, "X.max(1).values")
r.add("kMax1Indices", i, "X.max(1).indices")
v, i = X.min(2, keepdim=True)
r.add("kMin2KeepValues", v, "X.min(2, keepdim=True).values")
r.add("kMin2KeepIndices", i, "X.min(2, keepdim=True).indices")
v, i = X.max(0)
r.add("kMax0Values", v, "X.max(0).values")
r.add("kMax0Indices", i, "X.max(0).indices")
v, i = T.max(1)
r.add("kTiesMaxValues", v, "T.max(1).values")
r.add("kTiesMaxIndices", i, "T.max(1).indices  (first occurrence)")
v, i = T.min(1)
r.add("kTiesMinIndices", i, "T.min(1).indices")
v, i = NT.max(1)
r.add("kNaNMaxValues", v, "NT.max(1).values")
r.add("kNaNMaxIndices", i, "NT.max(1).indices  (the first nan)")
v, i = NT.min(1)
r.add("kNaNMinValues", v, "NT.min(1).values")
r.add("kNaNMinIndices", i, "NT.min(1).indices")
r.add("kArgmaxAll", X.argmax(), "X.argmax()")
r.add("kArgminAll", X.argmin(), "X.argmin()")
r.add("kArgmaxTies", T.argmax(), "T.argmax()")
r.add("kArgmax1", X.argmax(1), "X.argmax(1)")
r.add("kArgminLastKeep", X.argmin(-1, keepdim=True), "X.argmin(-1, keepdim=True)")
r.add("kArgmaxNaN", NT.argmax(1), "NT.argmax(1)")

# ---- var, std ----
r.add("kVarAll", X.var(), "X.var()")
r.add("kVarAllBiased", X.var(unbiased=False), "X.var(unbiased=False)")
r.add("kVar1", X.var([1]), "X.var([1])")
r.add("kVar02BiasedKeep", X.var([0, 2], unbiased=False, keepdim=True), "X.var([0, 2], unbiased=False, keepdim=True)")
r.add("kStdAll", X.std(), "X.std()")
r.add("kStd2", X.std([2]), "X.std([2])")
r.add("kStd0Biased", X.std([0], unbiased=False), "X.std([0], unbiased=False)")
r.add("kVarSingle", torch.tensor([[1.0, 2.0]]).var([0]), "torch.tensor([[1., 2.]]).var([0])  (one element: nan)")

# ---- norm ----
r.add("kNorm2", X.norm(), "X.norm()")
r.add("kNorm1", X.norm(1), "X.norm(1)")
r.add("kNormInf", X.norm(inf), "X.norm(inf)")
r.add("kNorm3", X.norm(3), "X.norm(3)")
r.add("kNorm2Dim1", X.norm(2, [1]), "X.norm(2, [1])")
r.add("kNorm1Dims02Keep", X.norm(1, [0, 2], keepdim=True), "X.norm(1, [0, 2], keepdim=True)")
r.add("kNormInfDim2", X.norm(inf, [2]), "X.norm(inf, [2])")

# ---- all, any ----
r.add("kAll", BT.all(), "BT.all()")
r.add("kAny", BT.any(), "BT.any()")
r.add("kAll1", BT.all(1), "BT.all(1)")
r.add("kAny0Keep", (~BT).any(0, keepdim=True), "(~BT).any(0, keepdim=True)")
r.add("kAllNumeric", X.all(), "X.all()  (nonzero)")
r.add("kAnyInt1", (XI > 3).any(1), "(XI > 3).any(1)")

# ---- softmax, log_softmax, logsumexp ----
r.add("kSoftmax1", X.softmax(1), "X.softmax(1)")
r.add("kSoftmaxLast", X.softmax(-1), "X.softmax(-1)")
r.add("kSoftmax1F64", X.softmax(1, dtype=torch.float64), "X.softmax(1, dtype=torch.float64)")
r.add("kLogSoftmax2", X.log_softmax(2), "X.log_softmax(2)")
r.add("kLogSoftmax0", X.log_softmax(0), "X.log_softmax(0)")
W = torch.tensor([[-inf, 0.0, 1.0], [1000.0, 1001.0, 999.0], [-1e4, 0.0, 1e4]])
r.add("kW", W, "W  (infinities and large values)")
r.add("kSoftmaxW", W.softmax(1), "W.softmax(1)")
r.add("kLogSoftmaxW", W.log_softmax(1), "W.log_softmax(1)")
r.add("kLogsumexpW", W.logsumexp(1), "W.logsumexp(1)")
r.add("kLogsumexp1", X.logsumexp(1), "X.logsumexp(1)")
r.add("kLogsumexp02Keep", X.logsumexp([0, 2], keepdim=True), "X.logsumexp([0, 2], keepdim=True)")
r.add("kLogsumexpInf", torch.tensor([[-inf, -inf], [inf, 1.0]]).logsumexp(1),
      "torch.tensor([[-inf, -inf], [inf, 1.]]).logsumexp(1)")
r.add("kLogsumexpInt", XI.logsumexp(1), "XI.logsumexp(1)  (int -> float32)")

# ---- non-contiguous ----
Xt = X.transpose(0, 2)
r.add("kTransposedSum0", Xt.sum(0), "X.transpose(0, 2).sum(0)")
r.add("kTransposedSum12", Xt.sum([1, 2]), "X.transpose(0, 2).sum([1, 2])")
v, i = X.permute(2, 0, 1).max(1)
r.add("kPermutedMaxValues", v, "X.permute(2, 0, 1).max(1).values")
r.add("kPermutedMaxIndices", i, "X.permute(2, 0, 1).max(1).indices")
r.add("kSteppedMean", X[:, ::2, 1::2].mean([0, 1]), "X[:, ::2, 1::2].mean([0, 1])")
r.add("kTransposedVar", Xt.var([2]), "X.transpose(0, 2).var([2])")
r.add("kTransposedSoftmax", Xt.softmax(1), "X.transpose(0, 2).softmax(1)")
r.add("kTransposedArgmin", Xt.argmin(), "X.transpose(0, 2).argmin()")

# ---- larger shapes: every parallel path of the CPU kernel ----
r.comment("L = torch.sin(torch.arange(100000, dtype=torch.float64) * 0.01).float()")
L = torch.sin(torch.arange(100000, dtype=torch.float64) * 0.01).float()
L2 = L.reshape(100, 1000)


def sums(t):
    return t.double()


r.add("kLSum0Head", L2.sum(0)[:6], "L.reshape(100, 1000).sum(0)[:6]  (many outputs, short folds)")
r.value("kLSum0Total", "double", L2.sum(0).double().sum().item(), "L.reshape(100, 1000).sum(0).double().sum()")
r.add("kLSum1Head", L2.sum(1)[:6], "L.reshape(100, 1000).sum(1)[:6]")
r.add("kLSumWide", L.reshape(2, 50000).sum(1), "L.reshape(2, 50000).sum(1)  (few outputs)")
r.add("kLSumLong", torch.cat([L, L]).reshape(2, 100000).sum(1), "torch.cat([L, L]).reshape(2, 100000).sum(1)  (chunked folds)")
r.add("kLSumMiddleHead", L.reshape(10, 1000, 10).sum(1)[0], "L.reshape(10, 1000, 10).sum(1)[0]  (middle dim)")
v, i = L.reshape(10, 10000).max(1)
r.add("kLMaxValues", v, "L.reshape(10, 10000).max(1).values")
r.add("kLMaxIndices", i, "L.reshape(10, 10000).max(1).indices")
r.add("kLArgminT", L.reshape(100, 1000).t().argmin(1)[:8], "L.reshape(100, 1000).t().argmin(1)[:8]")
r.add("kLMean", L.mean(), "L.mean()")
r.add("kLVar", L.var(), "L.var()")

# ---- determinism: a 1e6-element sum ----
D = torch.sin(torch.arange(1000000, dtype=torch.float64) * 0.001).float()
r.value("kMillionSum", "double", D.double().sum().item(),
        "D.double().sum()  (D = torch.sin(torch.arange(1000000, dtype=torch.float64) * 0.001).float())")

# ---- empty ----
E = torch.zeros(0, 3)
r.add("kEmptySum0", E.sum(0), "torch.zeros(0, 3).sum(0)")
r.add("kEmptyMean0", E.mean(0), "torch.zeros(0, 3).mean(0)")
r.add("kEmptyLogsumexp0", E.logsumexp(0), "torch.zeros(0, 3).logsumexp(0)")
r.add("kEmptyStd0", E.std(0), "torch.zeros(0, 3).std(0)")

r.write("test_reduce.cpp")
