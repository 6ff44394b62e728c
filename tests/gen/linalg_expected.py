#!/usr/bin/python3
"""Expected values of tests/test_linalg.cpp, computed by PyTorch 1.13.

    /usr/bin/python3 tests/gen/linalg_expected.py --write

Operands come from one formula that Ember evaluates identically:
    mat(shape, seed, dtype) = sin(arange(numel, float64) * 0.37 + seed).reshape(shape)
then .to(dtype) for floating dtypes, or (x * 8).round().to(int64) for int64.
Each constant's comment is the PyTorch code that produced it.
"""
import torch

from op_refs import Refs

r = Refs(__file__)


def mat(shape, seed, dtype=torch.float32):
    n = 1
    for s in shape:
        n *= s
    x = torch.sin(torch.arange(n, dtype=torch.float64) * 0.37 + seed).reshape(shape)
    if dtype == torch.int64:
        return (x * 8).round().to(torch.int64)
    return x.to(dtype)


# ---- every shape case of matmul ----
r.add("kDot", mat([5], 1) @ mat([5], 2), "mat([5], 1) @ mat([5], 2)  (1-d . 1-d)")
r.add("kMatVec", mat([3, 5], 1) @ mat([5], 2), "mat([3, 5], 1) @ mat([5], 2)  (2-d . 1-d)")
r.add("kVecMat", mat([3], 1) @ mat([3, 5], 2), "mat([3], 1) @ mat([3, 5], 2)  (1-d . 2-d)")
r.add("kMatMat", mat([3, 5], 1) @ mat([5, 4], 2), "mat([3, 5], 1) @ mat([5, 4], 2)")
r.add("kBatchedBroadcast", mat([2, 1, 3, 4], 1) @ mat([5, 4, 2], 2), "mat([2, 1, 3, 4], 1) @ mat([5, 4, 2], 2)")
r.add("kBatchedVec", mat([2, 3, 4], 1) @ mat([4], 2), "mat([2, 3, 4], 1) @ mat([4], 2)  (3-d . 1-d)")
r.add("kVecBatched", mat([3], 1) @ mat([2, 3, 4], 2), "mat([3], 1) @ mat([2, 3, 4], 2)  (1-d . 3-d)")
r.add("kMatBatched", mat([3, 4], 1) @ mat([2, 4, 2], 2), "mat([3, 4], 1) @ mat([2, 4, 2], 2)  (2-d . 3-d)")
r.add("kBmm", torch.bmm(mat([2, 3, 4], 1), mat([2, 4, 5], 2)), "torch.bmm(mat([2, 3, 4], 1), mat([2, 4, 5], 2))")
r.add("kMv", torch.mv(mat([4, 3], 3), mat([3], 4)), "torch.mv(mat([4, 3], 3), mat([3], 4))")

# ---- dtypes ----
r.add("kMatMatF64", mat([3, 5], 1, torch.float64) @ mat([5, 4], 2, torch.float64),
      "mat([3, 5], 1, float64) @ mat([5, 4], 2, float64)")
r.add("kMatMatI64", mat([3, 5], 1, torch.int64) @ mat([5, 4], 2, torch.int64),
      "mat([3, 5], 1, int64) @ mat([5, 4], 2, int64)")
r.add("kBatchedI64", mat([2, 1, 3, 4], 1, torch.int64) @ mat([5, 4, 2], 2, torch.int64),
      "mat([2, 1, 3, 4], 1, int64) @ mat([5, 4, 2], 2, int64)")
r.add("kDotI64", mat([7], 1, torch.int64).dot(mat([7], 2, torch.int64)), "mat([7], 1, int64).dot(mat([7], 2, int64))")

# ---- non-contiguous operands ----
r.add("kTransposedBoth", mat([5, 3], 1).t() @ mat([4, 5], 2).t(), "mat([5, 3], 1).t() @ mat([4, 5], 2).t()")
r.add("kStepped", mat([3, 10], 1)[:, ::2] @ mat([10, 4], 2)[::2], "mat([3, 10], 1)[:, ::2] @ mat([10, 4], 2)[::2]")
r.add("kBatchTransposed", torch.bmm(mat([4, 2, 3], 1).transpose(0, 1), mat([2, 5, 3], 2).transpose(1, 2)),
      "torch.bmm(mat([4, 2, 3], 1).transpose(0, 1), mat([2, 5, 3], 2).transpose(1, 2))")
r.add("kExpandedVec", mat([3, 4], 1) @ mat([1], 2).expand(4),
      "mat([3, 4], 1) @ mat([1], 2).expand(4)  (a stride-0 vector)")
r.add("kTransposedI64", mat([5, 3], 1, torch.int64).t() @ mat([4, 5], 2, torch.int64).t(),
      "mat([5, 3], 1, int64).t() @ mat([4, 5], 2, int64).t()")

# ---- sizes 1, 64, 257 (square mm), float32 / float64 / int64 ----
r.comment("For n x n products C = mat([n, n], 1, dt) @ mat([n, n], 2, dt).t(): four samples")
r.comment("C[0, 0], C[n-1, n-1], C[n//2, n//3], C[n//3, n-1], then sum(C) and sum(C * mat([n, n], 9, float64))")
for n in [1, 64, 257]:
    for dt, tag in [(torch.float32, "F32"), (torch.float64, "F64"), (torch.int64, "I64")]:
        c = mat([n, n], 1, dt) @ mat([n, n], 2, dt).t()
        samples = torch.stack([c[0, 0], c[n - 1, n - 1], c[n // 2, n // 3], c[n // 3, n - 1]])
        r.add(f"kSquare{n}{tag}Samples", samples, f"n = {n}, {dt}")
        r.value(f"kSquare{n}{tag}Sum", "double", c.double().sum().item(), "sum(C)")
        r.value(f"kSquare{n}{tag}Weighted", "double", (c.double() * mat([n, n], 9, torch.float64)).sum().item(),
                "sum(C * mat([n, n], 9, float64))")

r.write("test_linalg.cpp")
