#!/usr/bin/env python3
"""Generates tests/test_printing.cpp: every expected string is what Python
PyTorch 1.13 prints for the same values (repr(t) == str(t) == print(t)), with
'torch.' spelled 'ember.'.

Each case pairs the C++ construction with the equivalent Python expression;
keep the two in step when adding one. Regenerate with

    /usr/bin/python3 tests/gen/printing_expected.py   # writes tests/test_printing.cpp

Only exactly representable values (or values whose rounding is fixed by IEEE
conversion alone) are used, so that the expectations test printing and not how
a kernel rounds.
"""
import math
import os
import sys

import torch

assert torch.__version__.startswith("1.13"), torch.__version__
inf, nan = math.inf, math.nan

# (test name, what it shows, C++ expression, Python expression)
CASES = [
    # ---- basics ----
    ("IntMatrix", "int64 is the default integer dtype: no suffix",
     "ember::tensor({{1, 2, 3}, {4, 5, 6}})", "torch.tensor([[1, 2, 3], [4, 5, 6]])"),
    ("FloatVector", "four decimals when the values are not all integers",
     "ember::tensor({1.5, 2.25, 3.0})", "torch.tensor([1.5, 2.25, 3.0])"),
    ("SingleElementVector", "",
     "ember::tensor({3.5})", "torch.tensor([3.5])"),
    ("ScalarFloat", "a 0-d float in int mode prints a trailing dot",
     "ember::tensor(4.)", "torch.tensor(4.)"),
    ("ScalarInt", "", "ember::tensor(7)", "torch.tensor(7)"),
    ("ScalarBool", "", "ember::tensor(true)", "torch.tensor(True)"),
    ("ScalarFloat64", "", "ember::tensor(2.5, ember::kFloat64)", "torch.tensor(2.5, dtype=torch.float64)"),
    ("ScalarNan", "", "ember::tensor(kNan)", "torch.tensor(nan)"),
    ("RoundsToFourDecimals", "",
     "ember::tensor({0.12345, 1.99999, -3.00005})", "torch.tensor([0.12345, 1.99999, -3.00005])"),
    ("NegativeAlignment", "every element is padded to the widest one",
     "ember::tensor({{-1.5, 2.25}, {3.125, -40.0}})", "torch.tensor([[-1.5, 2.25], [3.125, -40.0]])"),
    ("NegativeInts", "", "ember::tensor({-5, 10, -200})", "torch.tensor([-5, 10, -200])"),
    ("LargeInt64", "",
     "ember::tensor(std::vector<int64_t>{1, 1000000000000, -42})", "torch.tensor([1, 1000000000000, -42])"),
    # ---- dtype suffixes ----
    ("Float64Suffix", "",
     "ember::tensor({1.23456789, 2.0}, ember::kFloat64)", "torch.tensor([1.23456789, 2.0], dtype=torch.float64)"),
    ("Int32Suffix", "",
     "ember::tensor({{-1, 200}, {3, 4}}, ember::kInt32)", "torch.tensor([[-1, 200], [3, 4]], dtype=torch.int32)"),
    ("UInt8Suffix", "",
     "ember::tensor({0, 7, 255}, ember::kUInt8)", "torch.tensor([0, 7, 255], dtype=torch.uint8)"),
    ("Float16Suffix", "half values print through float, as in Python",
     "ember::tensor({1.5, -2.25, 0.1}).to(ember::kFloat16)", "torch.tensor([1.5, -2.25, 0.1]).to(torch.float16)"),
    ("Float16IntMode", "",
     "ember::arange(4).to(ember::kFloat16)", "torch.arange(4).to(torch.float16)"),
    ("BFloat16Suffix", "",
     "ember::tensor({1.5, -2.25, 4.0}).to(ember::kBFloat16)", "torch.tensor([1.5, -2.25, 4.0]).to(torch.bfloat16)"),
    # ---- bools ----
    ("Bools", "True is padded to the width of False",
     "ember::tensor({true, false})", "torch.tensor([True, False])"),
    ("AllTrue", "", "ember::tensor({true, true})", "torch.tensor([True, True])"),
    ("BoolMatrix", "",
     "ember::tensor({{true, false, true}, {false, false, true}})",
     "torch.tensor([[True, False, True], [False, False, True]])"),
    # ---- int mode and scientific notation ----
    ("IntModeFloats", "floats holding integers print as `1.`",
     "ember::tensor({1., 2.})", "torch.tensor([1., 2.])"),
    ("IntModeNegative", "",
     "ember::tensor({-1., 20., 300.})", "torch.tensor([-1., 20., 300.])"),
    ("IntModeUpTo1e8", "1e8 itself still prints in int mode",
     "ember::tensor({100000000.})", "torch.tensor([100000000.])"),
    ("IntModeAbove1e8IsScientific", "",
     "ember::tensor({1e9, 1.})", "torch.tensor([1e9, 1.])"),
    ("ScientificLargeRatio", "a max/min ratio over 1000 switches to scientific",
     "ember::tensor({0.001, 10.5})", "torch.tensor([0.001, 10.5])"),
    ("ScientificTinyValues", "a nonzero value under 1e-4 switches to scientific",
     "ember::tensor({1e-5, 2e-5})", "torch.tensor([1e-5, 2e-5])"),
    ("ScientificHugeValues", "",
     "ember::tensor({1.5e9, 2.5})", "torch.tensor([1.5e9, 2.5])"),
    ("ScientificMatrixWithZero", "zeros do not take part in the decision",
     "ember::tensor({{1e-8, 1.}, {-2.5e3, 0.}})", "torch.tensor([[1e-8, 1.], [-2.5e3, 0.]])"),
    ("ScientificThreeDigitExponent", "",
     "ember::tensor({1e100, -1e-100}, ember::kFloat64)", "torch.tensor([1e100, -1e-100], dtype=torch.float64)"),
    ("ScientificNegativeWidth", "",
     "ember::tensor({-1e10, 1e-3})", "torch.tensor([-1e10, 1e-3])"),
    # ---- inf, nan, zeros ----
    ("InfNanIntMode", "non-finite values get no trailing dot",
     "ember::tensor({1., kInf, -kInf, kNan})", "torch.tensor([1., inf, -inf, nan])"),
    ("InfNanFixed", "",
     "ember::tensor({1.5, kInf, kNan})", "torch.tensor([1.5, inf, nan])"),
    ("InfNanScientific", "",
     "ember::tensor({1e-6, -kInf, kNan, 1.})", "torch.tensor([1e-6, -inf, nan, 1.])"),
    ("OnlyNonFinite", "",
     "ember::tensor({kNan, kInf, -kInf})", "torch.tensor([nan, inf, -inf])"),
    ("AllZeroFloats", "", "ember::zeros({2, 3})", "torch.zeros(2, 3)"),
    ("NegativeZero", "-0.0 keeps its sign but not its width",
     "ember::tensor({-0.0, 1.5})", "torch.tensor([-0.0, 1.5])"),
    ("ZerosInScientific", "",
     "ember::tensor({0., 1e-5, 1.})", "torch.tensor([0., 1e-5, 1.])"),
    # ---- empty tensors ----
    ("Empty1d", "", "ember::tensor(std::vector<float>{})", "torch.tensor([])"),
    ("Empty2dShowsSize", "", "ember::zeros({0, 3})", "torch.zeros(0, 3)"),
    ("EmptyInt64ShowsDtype", "an empty tensor cannot show its dtype through its values",
     "ember::zeros({0}, ember::kInt64)", "torch.zeros(0, dtype=torch.int64)"),
    ("EmptyFloat64", "", "ember::zeros({0}, ember::kFloat64)", "torch.zeros(0, dtype=torch.float64)"),
    ("EmptyBool3d", "", "ember::zeros({2, 0, 3}, ember::kBool)", "torch.zeros(2, 0, 3, dtype=torch.bool)"),
    # ---- more dimensions ----
    ("ThreeD", "a blank line between the 2-d blocks",
     "ember::arange(24).reshape({2, 3, 4})", "torch.arange(24).reshape(2, 3, 4)"),
    ("ThreeDFloat", "",
     "ember::arange(0., 3., 0.25).reshape({2, 3, 2})", "torch.arange(0., 3., 0.25).reshape(2, 3, 2)"),
    ("FourD", "", "ember::arange(16).reshape({2, 2, 2, 2})", "torch.arange(16).reshape(2, 2, 2, 2)"),
    ("ColumnVector", "", "ember::arange(5).reshape({5, 1})", "torch.arange(5).reshape(5, 1)"),
    # ---- factories ----
    ("Eye", "", "ember::eye(3)", "torch.eye(3)"),
    ("FullFloat", "", "ember::full({2, 2}, 3.5)", "torch.full((2, 2), 3.5)"),
    ("FullInt", "", "ember::full({3}, 7)", "torch.full((3,), 7)"),
    ("Linspace", "", "ember::linspace(-1, 1, 5)", "torch.linspace(-1, 1, 5)"),
    # ---- line wrapping at 80 columns ----
    ("LongIntVectorWraps", "", "ember::arange(40)", "torch.arange(40)"),
    ("LongFloatVectorWraps", "", "ember::arange(0., 10., 0.25)", "torch.arange(0., 10., 0.25)"),
    ("LongRowsWrap", "inner rows wrap one column further in",
     "ember::arange(0., 30., 0.5).reshape({2, 30})", "torch.arange(0., 30., 0.5).reshape(2, 30)"),
    ("LongRowsWrap3d", "",
     "ember::arange(0., 48., 0.5).reshape({2, 2, 24})", "torch.arange(0., 48., 0.5).reshape(2, 2, 24)"),
    ("DtypeSuffixWraps", "a suffix that would pass 80 columns goes on its own line",
     "ember::arange(0., 4.5, 0.5, ember::kFloat64)", "torch.arange(0., 4.5, 0.5, dtype=torch.float64)"),
    ("ThousandElementsAreNotSummarised", "", "ember::arange(1000)", "torch.arange(1000)"),
    # ---- summarisation past 1000 elements ----
    ("SummarisedVector", "", "ember::arange(2000)", "torch.arange(2000)"),
    ("SummarisedJustOverThreshold", "", "ember::arange(1001)", "torch.arange(1001)"),
    ("SummarisedFractional", "", "ember::arange(0., 200., 0.125)", "torch.arange(0., 200., 0.125)"),
    ("SummarisedScientific", "",
     "ember::arange(0., 2e8, 1e5, ember::kFloat64)", "torch.arange(0., 2e8, 1e5, dtype=torch.float64)"),
    ("SummarisedMatrix", "", "ember::arange(10000).reshape({100, 100})", "torch.arange(10000).reshape(100, 100)"),
    ("SummarisedFloatMatrix", "the width comes from the shown values only",
     "ember::arange(10000).reshape({100, 100}).to(ember::kFloat32)",
     "torch.arange(10000).reshape(100, 100).to(torch.float32)"),
    ("Summarised3d", "", "ember::arange(8000).reshape({20, 20, 20})", "torch.arange(8000).reshape(20, 20, 20)"),
    ("SummarisedWide", "", "ember::arange(3000).reshape({3, 1000})", "torch.arange(3000).reshape(3, 1000)"),
    ("SummarisedTall", "", "ember::arange(3000).reshape({1000, 3})", "torch.arange(3000).reshape(1000, 3)"),
    # ---- autograd and layout ----
    ("RequiresGrad", "",
     "ember::ones({2}, ember::TensorOptions().requires_grad(true))", "torch.ones(2, requires_grad=True)"),
    ("RequiresGradAfterDtype", "",
     "ember::ones({2, 2}, ember::TensorOptions().dtype(ember::kFloat64).requires_grad(true))",
     "torch.ones(2, 2, dtype=torch.float64, requires_grad=True)"),
    ("RequiresGradWraps", "",
     "ember::arange(0., 4.5, 0.5, ember::TensorOptions().requires_grad(true))",
     "torch.arange(0., 4.5, 0.5, requires_grad=True)"),
    ("TransposedInts", "non-contiguous tensors print their logical order",
     "ember::arange(6).reshape({2, 3}).t()", "torch.arange(6).reshape(2, 3).t()"),
    ("TransposedFloats", "",
     "ember::tensor({{1.5, -2.0, 3.25}, {4.0, 5.5, -6.75}}).t()",
     "torch.tensor([[1.5, -2.0, 3.25], [4.0, 5.5, -6.75]]).t()"),
]

HEADER = '''\
// Tensor printing must match Python PyTorch 1.13's print(t) byte for byte.
// GENERATED by tests/gen/printing_expected.py from PyTorch itself; edit that
// script and regenerate rather than editing the expectations here.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

TEST(Printing, UndefinedTensor) {
  ember::Tensor t;  // default-constructed: no data at all
  EXPECT_EQ(ember::to_string(t), "[ Tensor (undefined) ]");
}

TEST(Printing, StreamOperatorMatchesToString) {
  auto t = ember::tensor({{1.5, 2.0}, {-3.0, 4.25}});
  std::ostringstream out;
  out << t;
  EXPECT_EQ(out.str(), ember::to_string(t));
}
'''


def cpp_literal(s, indent):
    """The string as adjacent C++ literals, one per printed line."""
    assert '"' not in s and "\\" not in s
    lines = s.split("\n")
    parts = ['"' + line + ("\\n" if i + 1 < len(lines) else "") + '"' for i, line in enumerate(lines)]
    return ("\n" + " " * indent).join(parts)


def expected(py_expr):
    t = eval(py_expr, {"torch": torch, "inf": inf, "nan": nan})
    return repr(t).replace("torch.", "ember.")


def main():
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate test names"
    out = [HEADER]
    for name, what, cpp, py in CASES:
        body = ["TEST(Printing, %s) {" % name]
        if what:
            body.append("  // " + what)
        body.append("  auto t = %s;" % cpp)
        body.append("  EXPECT_EQ(ember::to_string(t),\n            %s);" % cpp_literal(expected(py), 12))
        body.append("}")
        out.append("\n".join(body) + "\n")
    out.append("}  // namespace\n")
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                              "test_printing.cpp")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print("wrote %d cases to %s" % (len(CASES) + 2, os.path.normpath(path)))


if __name__ == "__main__":
    main()
