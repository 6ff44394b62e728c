#!/usr/bin/python3
"""Prints the expected values of tests/test_random.cpp from PyTorch 1.13 itself.

Run with Debian's torch (python3-torch 1.13, CPU):
    /usr/bin/python3 tests/gen/random_expected.py
and paste the output between the GENERATED markers of tests/test_random.cpp.

Each constant names the PyTorch code that produced it; test_random.cpp runs
the same calls through Ember. Floats print in their shortest round-trip form
(float32 values as float32), so the C++ literals are exact.
"""
import numpy as np
import torch

assert torch.__version__.startswith("1.13"), torch.__version__


def seeded(seed, fn):
    torch.manual_seed(seed)
    return fn()


def literal(x, dtype):
    if dtype == "float":
        s = str(np.float32(x))
        return s + ("f" if any(c in s for c in ".e") else ".0f")
    if dtype == "double":
        return repr(float(x))
    return str(int(x))


def emit(name, ctype, values, source):
    vals = [literal(v, ctype) for v in values]
    lines, line = [], "   "
    for v in vals:
        if len(line) + len(v) + 2 > 110:
            lines.append(line)
            line = "   "
        line += " " + v + ","
    lines.append(line)
    print(f"// {source}")
    print(f"const std::vector<{ctype}> {name} = {{")
    print("\n".join(lines))
    print("};")


def flat(t):
    return t.flatten().tolist()


F, D = torch.float32, torch.float64
cases = [
    # uniform_: exact streams
    ("kRand23", "float", "manual_seed(0); rand(2, 3)", lambda: seeded(0, lambda: torch.rand(2, 3))),
    ("kRand5F64", "double", "manual_seed(0); rand(5, dtype=float64)", lambda: seeded(0, lambda: torch.rand(5, dtype=D))),
    ("kRand5F16", "float", "manual_seed(0); rand(5, dtype=float16)", lambda: seeded(0, lambda: torch.rand(5, dtype=torch.float16))),
    ("kUniformF32", "float", "manual_seed(1); empty(7).uniform_(-3.7, 11.3)",
     lambda: seeded(1, lambda: torch.empty(7).uniform_(-3.7, 11.3))),
    ("kUniformF64", "double", "manual_seed(1); empty(7, dtype=float64).uniform_(-3.7, 11.3)",
     lambda: seeded(1, lambda: torch.empty(7, dtype=D).uniform_(-3.7, 11.3))),
    ("kUniformTransposed", "float", "manual_seed(13); empty(4, 3).t().uniform_() (a 3x4 view, row-major)",
     lambda: seeded(13, lambda: torch.empty(4, 3).t().uniform_())),
    # randn / normal_: Box-Muller (serial below 16 elements, normal_fill from 16)
    ("kRandnF32_5", "float", "manual_seed(42); randn(5)", lambda: seeded(42, lambda: torch.randn(5))),
    ("kRandnF32_16", "float", "manual_seed(42); randn(16)", lambda: seeded(42, lambda: torch.randn(16))),
    ("kRandnF32_17", "float", "manual_seed(42); randn(17)", lambda: seeded(42, lambda: torch.randn(17))),
    ("kRandnF32_100", "float", "manual_seed(42); randn(100)", lambda: seeded(42, lambda: torch.randn(100))),
    ("kRandnF64_5", "double", "manual_seed(42); randn(5, dtype=float64)", lambda: seeded(42, lambda: torch.randn(5, dtype=D))),
    ("kRandnF64_16", "double", "manual_seed(42); randn(16, dtype=float64)", lambda: seeded(42, lambda: torch.randn(16, dtype=D))),
    ("kRandnF64_17", "double", "manual_seed(42); randn(17, dtype=float64)", lambda: seeded(42, lambda: torch.randn(17, dtype=D))),
    ("kRandnF64_100", "double", "manual_seed(42); randn(100, dtype=float64)", lambda: seeded(42, lambda: torch.randn(100, dtype=D))),
    ("kNormalF32_5", "float", "manual_seed(3); empty(5).normal_(0.3, 2.7)",
     lambda: seeded(3, lambda: torch.empty(5).normal_(0.3, 2.7))),
    ("kNormalF32_17", "float", "manual_seed(3); empty(17).normal_(0.3, 2.7)",
     lambda: seeded(3, lambda: torch.empty(17).normal_(0.3, 2.7))),
    ("kNormalF64_17", "double", "manual_seed(3); empty(17, dtype=float64).normal_(0.3, 2.7)",
     lambda: seeded(3, lambda: torch.empty(17, dtype=D).normal_(0.3, 2.7))),
    ("kNormalTransposed", "float", "manual_seed(13); empty(6, 3).t().normal_() (non-contiguous: serial path)",
     lambda: seeded(13, lambda: torch.empty(6, 3).t().normal_())),
    ("kRandnTwiceA", "float", "manual_seed(0); randn(5)  [leaves a cached sample]", lambda: seeded(0, lambda: torch.randn(5))),
    ("kRandnTwiceB", "float", "... then randn(5) again  [starts with the cached sample]",
     lambda: seeded(0, lambda: (torch.randn(5), torch.randn(5))[1])),
    ("kRandnCachedAfterFill", "float", "manual_seed(0); randn(3); randn(16); randn(2)  [the fill keeps the cache]",
     lambda: seeded(0, lambda: (torch.randn(3), torch.randn(16), torch.randn(2))[2])),
    # randint / random_
    ("kRandint", "int64_t", "manual_seed(7); randint(0, 10, (20,))", lambda: seeded(7, lambda: torch.randint(0, 10, (20,)))),
    ("kRandintWide", "int64_t", "manual_seed(7); randint(-5, 10**10, (6,))  [range >= 2^32: 64-bit draws]",
     lambda: seeded(7, lambda: torch.randint(-5, 10**10, (6,)))),
    ("kRandintF32", "float", "manual_seed(7); randint(-100, 100, (8,), dtype=float32)",
     lambda: seeded(7, lambda: torch.randint(-100, 100, (8,), dtype=F))),
    # randperm
    ("kRandperm10", "int64_t", "manual_seed(11); randperm(10)", lambda: seeded(11, lambda: torch.randperm(10))),
    ("kRandperm20", "int64_t", "manual_seed(11); randperm(20)", lambda: seeded(11, lambda: torch.randperm(20))),
    # bernoulli
    ("kBernoulliP", "float", "manual_seed(9); empty(20).bernoulli_(0.5)", lambda: seeded(9, lambda: torch.empty(20).bernoulli_(0.5))),
    ("kBernoulliProbF32", "float", "manual_seed(9); bernoulli(tensor([(i % 17) / 16 for i in range(20)]))",
     lambda: seeded(9, lambda: torch.bernoulli(torch.tensor([(i % 17) / 16 for i in range(20)], dtype=F)))),
    ("kBernoulliProbF64", "double", "manual_seed(9); bernoulli(tensor([(i % 17) / 16 for i in range(20)], dtype=float64))",
     lambda: seeded(9, lambda: torch.bernoulli(torch.tensor([(i % 17) / 16 for i in range(20)], dtype=D)))),
]

print("// BEGIN GENERATED by tests/gen/random_expected.py")
for name, ctype, source, fn in cases:
    emit(name, ctype, flat(fn()), source)
print("// END GENERATED")
