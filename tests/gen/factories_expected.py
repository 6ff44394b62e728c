#!/usr/bin/python3
"""Prints the expected values of tests/test_factories.cpp from PyTorch 1.13.

Run with Debian's torch (python3-torch 1.13, CPU, AVX2):
    /usr/bin/python3 tests/gen/factories_expected.py > tests/factories_expected.h

Each constant names the PyTorch call that produced it; the test makes the same
call through Ember and compares element for element (floats bit for bit, as
their shortest round-trip literals).
"""
import math

import numpy as np
import torch

assert torch.__version__.startswith("1.13"), torch.__version__

CTYPE = {
    torch.float32: "float", torch.float64: "double", torch.int64: "int64_t", torch.int32: "int32_t",
    torch.uint8: "int64_t", torch.float16: "float", torch.bfloat16: "float", torch.bool: "bool",
}
DTYPE = {
    torch.float32: "kFloat32", torch.float64: "kFloat64", torch.int64: "kInt64", torch.int32: "kInt32",
    torch.uint8: "kUInt8", torch.float16: "kFloat16", torch.bfloat16: "kBFloat16", torch.bool: "kBool",
}


def literal(x, ctype):
    if ctype == "float":
        s = str(np.float32(x))
        return s + ("f" if any(c in s for c in ".e") else ".0f")
    if ctype == "double":
        return repr(float(x))
    if ctype == "bool":
        return "true" if x else "false"
    return str(int(x))


def emit(name, t, source):
    """A struct: the dtype PyTorch chose and the values (as float for 16-bit floats)."""
    ctype = CTYPE[t.dtype]
    values = t.to(torch.float32) if t.dtype in (torch.float16, torch.bfloat16) else t
    vals = [literal(v, ctype) for v in values.flatten().tolist()]
    lines, line = [], "   "
    for v in vals:
        if len(line) + len(v) + 2 > 110:
            lines.append(line)
            line = "   "
        line += " " + v + ","
    lines.append(line)
    print(f"// {source}")
    print(f"const Expected<{ctype}> {name} = {{{DTYPE[t.dtype]}, {{")
    print("\n".join(lines))
    print("}};")


F32, F64, I64, I32 = torch.float32, torch.float64, torch.int64, torch.int32
cases = [
    # arange: the dtype follows the arguments (any float -> float32), values exact
    ("kArangeEnd", "arange(5)", lambda: torch.arange(5)),
    ("kArangeStartEndStep", "arange(1, 10, 3)", lambda: torch.arange(1, 10, 3)),
    ("kArangeNegativeStep", "arange(10, 0, -3)", lambda: torch.arange(10, 0, -3)),
    ("kArangeFloatEnd", "arange(5.0)", lambda: torch.arange(5.0)),
    ("kArangeHalfSteps", "arange(0.5, 3)", lambda: torch.arange(0.5, 3)),
    ("kArangeTenths", "arange(0, 1, 0.1)", lambda: torch.arange(0, 1, 0.1)),
    ("kArangeQuarterNeg", "arange(1.0, -1.0, -0.25)", lambda: torch.arange(1.0, -1.0, -0.25)),
    ("kArangeLongFloat", "arange(-2.5, 7.1, 0.013)  [739 steps]", lambda: torch.arange(-2.5, 7.1, 0.013)),
    ("kArangeF64", "arange(0, 1, 0.1, dtype=float64)", lambda: torch.arange(0, 1, 0.1, dtype=F64)),
    ("kArangeIntAsFloat", "arange(5, dtype=float32)", lambda: torch.arange(5, dtype=F32)),
    ("kArangeInt32", "arange(-3, 3, dtype=int32)", lambda: torch.arange(-3, 3, dtype=I32)),
    ("kArangeTruncatedStep", "arange(0, 5, 1.5, dtype=int64)  [step truncated to 1]",
     lambda: torch.arange(0, 5, 1.5, dtype=I64)),
    ("kArangeTruncatedStart", "arange(-2.5, 3, dtype=int64)", lambda: torch.arange(-2.5, 3, dtype=I64)),
    ("kArangeTruncatedInt32", "arange(-2.5, 3, dtype=int32)  [sized from -2.5 but starts at -2]",
     lambda: torch.arange(-2.5, 3, dtype=I32)),
    ("kArangeHalf", "arange(0, 2, 0.25, dtype=float16)", lambda: torch.arange(0, 2, 0.25, dtype=torch.float16)),
    ("kArangeEmpty", "arange(3, 3)", lambda: torch.arange(3, 3)),
    # linspace: float32 bit for bit, including the vectorised blocks (>= 16 steps)
    ("kLinspace5", "linspace(0, 1, 5)", lambda: torch.linspace(0, 1, 5)),
    ("kLinspace10", "linspace(0, 1, 10)", lambda: torch.linspace(0, 1, 10)),
    ("kLinspaceOdd", "linspace(-3.7, 11.3, 17)", lambda: torch.linspace(-3.7, 11.3, 17)),
    ("kLinspaceDown", "linspace(3, -2, 33)", lambda: torch.linspace(3, -2, 33)),
    ("kLinspace20", "linspace(0, 1, 20)", lambda: torch.linspace(0, 1, 20)),
    ("kLinspace50", "linspace(-5, 5, 50)", lambda: torch.linspace(-5, 5, 50)),
    ("kLinspace100", "linspace(1, 1000, 100)", lambda: torch.linspace(1, 1000, 100)),
    ("kLinspace1000", "linspace(0, 1, 1000)", lambda: torch.linspace(0, 1, 1000)),
    ("kLinspaceF64", "linspace(-3.7, 11.3, 50, dtype=float64)", lambda: torch.linspace(-3.7, 11.3, 50, dtype=F64)),
    ("kLinspaceF64Long", "linspace(0, 1, 1000, dtype=float64)", lambda: torch.linspace(0, 1, 1000, dtype=F64)),
    ("kLinspaceInt64", "linspace(0, 10, 37, dtype=int64)", lambda: torch.linspace(0, 10, 37, dtype=I64)),
    ("kLinspaceInt32", "linspace(-3, 5, 41, dtype=int32)", lambda: torch.linspace(-3, 5, 41, dtype=I32)),
    ("kLinspaceUInt8", "linspace(1, 4, 100, dtype=uint8)", lambda: torch.linspace(1, 4, 100, dtype=torch.uint8)),
    ("kLinspaceIntFromFloats", "linspace(2.7, 9.9, 5, dtype=int64)",
     lambda: torch.linspace(2.7, 9.9, 5, dtype=I64)),
    ("kLinspaceHalf", "linspace(0, 10, 37, dtype=float16)", lambda: torch.linspace(0, 10, 37, dtype=torch.float16)),
    ("kLinspaceBFloat16", "linspace(0, 1000, 100, dtype=bfloat16)",
     lambda: torch.linspace(0, 1000, 100, dtype=torch.bfloat16)),
    ("kLinspaceOne", "linspace(2, 5, 1)", lambda: torch.linspace(2, 5, 1)),
    ("kLinspaceEqualEnds", "linspace(2, 2, 4)", lambda: torch.linspace(2, 2, 4)),
    # full takes the value's dtype
    ("kFullInt", "full((2,), 7)", lambda: torch.full((2,), 7)),
    ("kFullFloat", "full((2,), 7.5)", lambda: torch.full((2,), 7.5)),
    ("kFullBool", "full((2,), True)", lambda: torch.full((2,), True)),
    # eye
    ("kEye3", "eye(3)", lambda: torch.eye(3)),
    ("kEye2x4", "eye(2, 4)", lambda: torch.eye(2, 4)),
    ("kEye4x2Int", "eye(4, 2, dtype=int64)", lambda: torch.eye(4, 2, dtype=I64)),
]

print("#pragma once")
print("// Expected values of tests/test_factories.cpp, from PyTorch 1.13.")
print("// GENERATED: /usr/bin/python3 tests/gen/factories_expected.py > tests/factories_expected.h")
print("// Included inside the test's anonymous namespace, after `Expected`: no")
print("// includes of its own.")
print("// BEGIN GENERATED by tests/gen/factories_expected.py")
for name, source, fn in cases:
    emit(name, fn(), source)
print("// END GENERATED")
