#!/usr/bin/python3
"""Expected values of tests/test_elementwise.cpp, computed by PyTorch 1.13.

    /usr/bin/python3 tests/gen/elementwise_expected.py --write

Each constant's comment is the PyTorch code that produced it; the test runs
the same code through Ember. The inputs below are spelled identically in the
test.
"""
import math

import torch

from op_refs import Refs

nan, inf = math.nan, math.inf
r = Refs(__file__)

A = torch.tensor([[1.5, -2.0, 3.25], [0.0, -0.5, 4.0]])
B = torch.tensor([[0.5, 4.0, -1.25], [2.0, -3.0, 0.75]])
C = torch.tensor([[1.5, 0.0, 3.25], [1.0, -0.5, 5.0]])
I = torch.tensor([[7, -3, 0], [5, 2, -8]])
J = torch.tensor([[2, 5, -4], [-3, 1, 6]])
S = torch.tensor([-inf, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 2.5, 10.0, inf, nan])
R = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4, -2.6, -0.0, inf, nan])
P = torch.tensor([True, False, True, False])
Q = torch.tensor([True, True, False, False])

# ---- arithmetic ----
r.add("kAddAB", A + B, "A + B")
r.add("kSubAB", A - B, "A - B")
r.add("kMulAB", A * B, "A * B")
r.add("kDivAB", A / B, "A / B")
r.add("kAddAScalar", A + 2.5, "A + 2.5")
r.add("kSubAScalar", A - 2, "A - 2")
r.add("kMulAScalar", A * -3, "A * -3")
r.add("kDivAScalar", A / 4, "A / 4")
r.add("kScalarSubA", 10 - A, "10 - A")
r.add("kScalarMulA", 3 * A, "3 * A")
r.add("kScalarDivB", 1 / B, "1 / B")
r.add("kScalarAddI", 2 + I, "2 + I")
r.add("kScalarDivJ", 12 / J, "12 / J")
r.add("kNegA", -A, "-A")
r.add("kAddAlpha", A.add(B, alpha=2), "A.add(B, alpha=2)")
r.add("kSubAlpha", A.sub(B, alpha=0.5), "A.sub(B, alpha=0.5)")
r.add("kAddAlphaInt", I.add(J, alpha=3), "I.add(J, alpha=3)")
r.add("kAddScalarAlpha", A.add(1, alpha=-2), "A.add(1, alpha=-2)")
r.add("kMulIJ", I.mul(J), "I.mul(J)")
r.add("kSubIJ", I.sub(J), "I.sub(J)")
r.add("kDivIJ", I / J, "I / J  (true division: int64 / int64 -> float32)")
r.add("kDivI2", I.div(2), "I.div(2)")

# ---- comparisons ----
r.add("kEqAC", A == C, "A == C")
r.add("kNeAC", A != C, "A != C")
r.add("kLtAC", A < C, "A < C")
r.add("kLeAC", A <= C, "A <= C")
r.add("kGtAC", A > C, "A > C")
r.add("kGeAC", A >= C, "A >= C")
r.add("kGtA0", A > 0, "A > 0")
r.add("kLeI2", I <= 2, "I <= 2")
r.add("kEqIA", I == A, "I == A  (int64 vs float32 compares in float32)")
r.add("kEqSS", S == S, "S == S  (nan is not equal to itself)")
r.add("kNeSS", S != S, "S != S")
r.add("kLtSInf", S < inf, "S < inf")

# ---- pow ----
r.add("kPowA2", A.pow(2), "A.pow(2)")
r.add("kPowAbsAB", A.abs().pow(B), "A.abs().pow(B)")
r.add("kPowAB", A.pow(B), "A.pow(B)  (negative bases, integral exponents)")
r.add("kPowAHalf", A.pow(0.5), "A.pow(0.5)")
r.add("kPowI2", I.pow(2), "I.pow(2)")
r.add("kPowIJabs", I.pow(J.abs()), "I.pow(J.abs())")
r.add("kPow2J", torch.pow(2, J.abs()), "torch.pow(2, J.abs())")
r.add("kPowFloatBaseA", torch.pow(2.0, A), "torch.pow(2.0, A)")
r.add("kPowIHalf", I.pow(0.5), "I.pow(0.5)")
r.add("kPowIntNegative", torch.tensor([1, -1, 2, -2, -1]).pow(torch.tensor([-1, -3, -1, -2, -2])),
      "torch.tensor([1, -1, 2, -2, -1]).pow(torch.tensor([-1, -3, -1, -2, -2]))")

# ---- unary ----
for name, fn in [("Neg", "neg"), ("Abs", "abs"), ("Exp", "exp"), ("Log", "log"), ("Sqrt", "sqrt"),
                 ("Rsqrt", "rsqrt"), ("Sin", "sin"), ("Cos", "cos"), ("Tanh", "tanh"), ("Sigmoid", "sigmoid"),
                 ("Relu", "relu"), ("Sign", "sign"), ("Floor", "floor")]:
    r.add(f"k{name}S", getattr(S, fn)(), f"S.{fn}()")
r.add("kRoundR", R.round(), "R.round()  (half to even)")
r.add("kFloorR", R.floor(), "R.floor()")
r.add("kAbsI", I.abs(), "I.abs()")
r.add("kNegI", I.neg(), "I.neg()")
r.add("kReluI", I.relu(), "I.relu()")
r.add("kSignI", I.sign(), "I.sign()")
r.add("kExpI", I.exp(), "I.exp()  (int -> float32)")
r.add("kSqrtI", I.sqrt(), "I.sqrt()")
r.add("kSigmoidI", I.sigmoid(), "I.sigmoid()")

# ---- clamp, maximum, minimum ----
r.add("kClampMinS", S.clamp(min=0), "S.clamp(min=0)")
r.add("kClampMaxS", S.clamp(max=1), "S.clamp(max=1)")
r.add("kClampS", S.clamp(-1, 2), "S.clamp(-1, 2)")
r.add("kClampI", I.clamp(-2, 3), "I.clamp(-2, 3)")
r.add("kClampIFloat", I.clamp(min=-2.5), "I.clamp(min=-2.5)  (a float bound promotes)")
r.add("kClampCrossed", A.clamp(2, 1), "A.clamp(2, 1)  (min > max: everything is max)")
r.add("kMaximumAB", A.maximum(B), "A.maximum(B)")
r.add("kMinimumAB", A.minimum(B), "A.minimum(B)")
r.add("kMaximumS", S.maximum(torch.tensor(0.5)), "S.maximum(torch.tensor(0.5))  (nan propagates)")
r.add("kMinimumS", S.minimum(torch.tensor(0.5)), "S.minimum(torch.tensor(0.5))")
r.add("kMaximumIJ", I.maximum(J), "I.maximum(J)")

# ---- where ----
cond = A > 0
r.add("kWhereAB", torch.where(cond, A, B), "torch.where(A > 0, A, B)")
r.add("kWhereAScalar", torch.where(cond, A, 0.0), "torch.where(A > 0, A, 0.0)")
r.add("kWhereScalarA", torch.where(cond, -1.0, A), "torch.where(A > 0, -1.0, A)")
r.add("kWhereScalars", torch.where(cond, 1, 0), "torch.where(A > 0, 1, 0)")
r.add("kWhereIA", torch.where(cond, I, A), "torch.where(A > 0, I, A)  (promotes to float32)")
r.add("kWhereIScalar", torch.where(cond, I, 2.5), "torch.where(A > 0, I, 2.5)")
r.add("kWhereBroadcast", torch.where(torch.tensor([[True], [False]]), A, torch.tensor([7.0, 8.0, 9.0])),
      "torch.where(torch.tensor([[True], [False]]), A, torch.tensor([7., 8., 9.]))")

# ---- logical ----
r.add("kAndPQ", P & Q, "P & Q")
r.add("kOrPQ", P | Q, "P | Q")
r.add("kXorPQ", P ^ Q, "P ^ Q")
r.add("kNotP", ~P, "~P")
r.add("kLogicalNotI", torch.logical_not(I), "torch.logical_not(I)")

# ---- in place ----
x = A.clone(); x.add_(B)
r.add("kAddInplace", x, "x = A.clone(); x.add_(B)")
x = A.clone(); x.add_(B, alpha=2).mul_(2).sub_(1).div_(4)
r.add("kChainInplace", x, "x = A.clone(); x.add_(B, alpha=2).mul_(2).sub_(1).div_(4)")
x = A.clone(); x.add_(1.5).sub_(0.5, alpha=2).mul_(-2).div_(8)
r.add("kChainScalarInplace", x, "x = A.clone(); x.add_(1.5).sub_(0.5, alpha=2).mul_(-2).div_(8)")
x = A.clone(); x.add_(torch.tensor([1.0, 2.0, 3.0]))
r.add("kAddRowInplace", x, "x = A.clone(); x.add_(torch.tensor([1., 2., 3.]))  (broadcast other)")
x = I.clone(); x.add_(J).mul_(3).sub_(2)
r.add("kIntInplace", x, "x = I.clone(); x.add_(J).mul_(3).sub_(2)")
x = A.clone(); x.add_(I)
r.add("kFloatAddIntInplace", x, "x = A.clone(); x.add_(I)")
x = A.clone(); x[:, 1].fill_(9.0); x[1].zero_()
r.add("kFillZeroViews", x, "x = A.clone(); x[:, 1].fill_(9.0); x[1].zero_()")
x = S.clone(); x.clamp_(-1, 1)
r.add("kClampInplace", x, "x = S.clone(); x.clamp_(-1, 1)")
x = S.clone(); x.relu_()
r.add("kReluInplace", x, "x = S.clone(); x.relu_()")
r.add("kMaskedFill", A.masked_fill(A < 0, 0.0), "A.masked_fill(A < 0, 0.0)")
r.add("kMaskedFillRow", A.masked_fill(torch.tensor([True, False, True]), -1),
      "A.masked_fill(torch.tensor([True, False, True]), -1)  (broadcast mask)")
r.add("kMaskedFillIntFloat", I.masked_fill(I > 0, 2.5), "I.masked_fill(I > 0, 2.5)  (the value is cast)")
x = A.clone(); x.masked_fill_(A > 1, nan)
r.add("kMaskedFillInplace", x, "x = A.clone(); x.masked_fill_(A > 1, nan)")

# ---- broadcasting ----
col = torch.tensor([[1.0], [2.0], [3.0]])
row = torch.tensor([[10.0, 20.0, 30.0, 40.0]])
r.add("kColPlusRow", col + row, "col + row  ((3, 1) + (1, 4))")
r.add("kColTimesRow", col * row, "col * row")
r.add("kRowMinusCol", row - col, "row - col")
V = torch.tensor([1.0, -1.0, 2.0])
r.add("kAMulV", A * V, "A * torch.tensor([1., -1., 2.])  ((2, 3) * (3,))")
r.add("kAPlus0d", A + torch.tensor(2.0), "A + torch.tensor(2.)  (0-d operand)")
r.add("k0dTimesA", torch.tensor(3.0) * A, "torch.tensor(3.) * A")
r.add("kAMinus0dInt", A - torch.tensor(1), "A - torch.tensor(1)")
r.add("k0dPlus0d", torch.tensor(2.5) + torch.tensor(4), "torch.tensor(2.5) + torch.tensor(4)")

# ---- type promotion ----
r.comment("PyTorch's torch.result_type over (operand, operand); 't' a 1-d tensor, 'z' a 0-d tensor, 's' a Python number")
cases = [
    (("t", "int32"), ("z", "int64")), (("t", "int32"), ("s", 2.5)), (("t", "int64"), ("s", 2.5)),
    (("t", "bool"), ("s", 2)), (("t", "float16"), ("z", "float32")), (("t", "uint8"), ("t", "bool")),
    (("t", "uint8"), ("s", True)), (("t", "bool"), ("t", "bool")), (("t", "int32"), ("t", "int64")),
    (("t", "float16"), ("t", "float32")), (("t", "int32"), ("z", "float64")), (("t", "float32"), ("z", "float64")),
    (("t", "int64"), ("z", "float32")), (("z", "int64"), ("s", 2.5)), (("z", "int32"), ("z", "int64")),
    (("z", "float16"), ("s", 2.5)), (("t", "uint8"), ("s", 300)), (("t", "float64"), ("s", 2)),
    (("t", "int32"), ("s", 2)), (("t", "bool"), ("s", 2.5)), (("t", "bool"), ("s", True)),
    (("t", "uint8"), ("t", "int32")), (("t", "int32"), ("t", "float16")), (("t", "bfloat16"), ("t", "float16")),
    (("z", "float64"), ("s", 1)), (("z", "bool"), ("t", "uint8")), (("t", "int64"), ("z", "float16")),
    (("t", "uint8"), ("z", "int64")), (("z", "uint8"), ("t", "int32")), (("t", "bool"), ("z", "float64")),
]


def operand(o):
    kind, v = o
    if kind == "s":
        return v
    t = torch.ones(2 if kind == "t" else (), dtype=getattr(torch, v))
    return t


def cpp_operand(o):
    kind, v = o
    if kind == "s":
        sv = ("true" if v else "false") if isinstance(v, bool) else repr(v)
        return f"Operand::number({sv})"
    return f"Operand::{'tensor' if kind == 't' else 'zero_dim'}(ember::k{v.capitalize() if v != 'bfloat16' else 'BFloat16'})"


dt_cpp = {torch.float32: "kFloat32", torch.float64: "kFloat64", torch.float16: "kFloat16",
          torch.bfloat16: "kBFloat16", torch.int32: "kInt32", torch.int64: "kInt64", torch.uint8: "kUInt8",
          torch.bool: "kBool"}
r.lines.append("const std::vector<PromotionCase> kPromotionCases = {")
for a, b in cases:
    res = torch.result_type(operand(a), operand(b))
    assert (operand(a) + operand(b)).dtype == res
    r.lines.append(f"    {{{cpp_operand(a).replace('Uint8', 'UInt8').replace('Float16', 'Float16')}, "
                   f"{cpp_operand(b).replace('Uint8', 'UInt8')}, ember::{dt_cpp[res]}}},")
r.lines.append("};")
r.add("kHalfPlusFloat0d", torch.tensor([1.5, -2.25, 1000.0], dtype=torch.float16) + torch.tensor(0.125),
      "torch.tensor([1.5, -2.25, 1000.], dtype=torch.float16) + torch.tensor(0.125)")
r.add("kUInt8PlusBool", torch.tensor([1, 200, 255], dtype=torch.uint8) + torch.tensor([True, False, True]),
      "torch.tensor([1, 200, 255], dtype=torch.uint8) + torch.tensor([True, False, True])  (wraps around)")
r.add("kBoolPlusInt", torch.tensor([True, False]) + 2, "torch.tensor([True, False]) + 2")
r.add("kInt32Plus0dInt64", torch.tensor([1, 2], dtype=torch.int32) + torch.tensor(2**40),
      "torch.tensor([1, 2], dtype=torch.int32) + torch.tensor(2**40)  (int32 result: the 0-d value wraps)")

# ---- non-contiguous ----
M = torch.arange(12.0).reshape(3, 4) * 0.5 - 2
N = torch.arange(12.0).reshape(4, 3)
r.add("kTransposedMul", M.t() * N, "M.t() * N  (M = torch.arange(12.).reshape(3, 4) * 0.5 - 2, N = torch.arange(12.).reshape(4, 3))")
r.add("kTransposedExp", M.t().exp(), "M.t().exp()")
r.add("kSteppedSlices", M[:, ::2] - M[:, 1::2], "M[:, ::2] - M[:, 1::2]")
x = M.clone(); x.t().add_(N)
r.add("kTransposedInplace", x, "x = M.clone(); x.t().add_(N)")
IA = torch.arange(20).reshape(4, 5)
r.add("kIntStepped", IA[::2, 1::2] * 3, "IA[::2, 1::2] * 3  (IA = torch.arange(20).reshape(4, 5))")
r.add("kSteppedCompare", IA[::2, :4:2] * 2 > IA[1::2, 1::2], "IA[::2, :4:2] * 2 > IA[1::2, 1::2]")

# ---- large (parallel path) ----
n = 100003
X = torch.arange(n, dtype=torch.float32) * 0.001 - 50
Y = (X.sin() * X + 1) / (X.abs() + 1)
picks = [0, 1, 32767, 32768, 65536, 99999, 100002]
r.add("kLargeSamples", Y[picks], f"Y[{picks}]  (X = torch.arange({n}.) * 0.001 - 50; Y = (X.sin() * X + 1) / (X.abs() + 1))")
r.value("kLargeSum", "double", Y.double().sum().item(), "Y.double().sum()")
r.value("kLargePositive", "int64_t", (X > 0).sum().item(), "(X > 0).sum()")
Z = X.clone(); Z.clamp_(-1, 1).mul_(3)
r.value("kLargeInplaceSum", "double", Z.double().sum().item(), "Z = X.clone(); Z.clamp_(-1, 1).mul_(3); Z.double().sum()")
G = torch.arange(300 * 200, dtype=torch.float32).reshape(300, 200) * 1e-3
H = G.t() + (G.t() * 0.5).cos()
r.add("kLargeTransposedSamples", torch.stack([H[0, 0], H[199, 299], H[57, 123], H[100, 7]]),
      "H[0, 0], H[199, 299], H[57, 123], H[100, 7]  (G = torch.arange(60000.).reshape(300, 200) * 1e-3; H = G.t() + (G.t() * 0.5).cos())")
r.value("kLargeTransposedSum", "double", H.double().sum().item(), "H.double().sum()")

K = torch.arange(500, dtype=torch.float32).reshape(500, 1) * 0.01
V = (torch.arange(300, dtype=torch.float64) * 0.1).sin().float().reshape(1, 300)
BR = (K - V).maximum(K * V)
r.add("kLargeBroadcastSamples", torch.stack([BR[0, 0], BR[499, 299], BR[123, 45], BR[250, 299]]),
      "BR[0, 0], BR[499, 299], BR[123, 45], BR[250, 299]  (K = torch.arange(500.).reshape(500, 1) * 0.01; "
      "V = (torch.arange(300, dtype=torch.float64) * 0.1).sin().float().reshape(1, 300); BR = (K - V).maximum(K * V))")
r.value("kLargeBroadcastSum", "double", BR.double().sum().item(), "BR.double().sum()")

r.write("test_elementwise.cpp")
