#!/usr/bin/python3
"""Prints what PyTorch 1.13 gives for every view that tests/test_views.cpp checks.

Run with Debian's torch (python3-torch 1.13, CPU):
    /usr/bin/python3 tests/gen/views_expected.py
Each line is `expression -> sizes strides storage_offset values` (or the
error PyTorch raises); test_views.cpp writes the same expressions in C++ with
these numbers as its literals, so a change here means a change there.
"""
import torch

assert torch.__version__.startswith("1.13"), torch.__version__

a12 = lambda: torch.arange(12)
a24 = lambda: torch.arange(24)

cases = [
    ("arange(12).view(3, -1)", lambda: a12().view(3, -1)),
    ("arange(12).view(-1)", lambda: a12().view(3, 4).view(-1)),
    ("tensor([1, 2, 3]).expand(2, 3).view(2, 1, 3)", lambda: torch.tensor([1, 2, 3]).expand(2, 3).view(2, 1, 3)),
    ("arange(24).view(2, 3, 4).transpose(1, 2).view(2, 12)", lambda: a24().view(2, 3, 4).transpose(1, 2).view(2, 12)),
    ("arange(24).view(2, 3, 4)[:, 1:].view(2, 8)", lambda: a24().view(2, 3, 4)[:, 1:].view(2, 8)),
    ("arange(24).view(2, 3, 4)[:, 1:].view(4, 4)  (spans a gap)", lambda: a24().view(2, 3, 4)[:, 1:].view(4, 4)),
    ("arange(6).view(2, 3).t().view(6)", lambda: torch.arange(6).view(2, 3).t().view(6)),
    ("arange(6).view(4)", lambda: torch.arange(6).view(4)),
    ("arange(6).view(-1, -1)", lambda: torch.arange(6).view(-1, -1)),
    ("arange(6).view(2, 3).t().reshape(6)", lambda: torch.arange(6).view(2, 3).t().reshape(6)),
    ("arange(6).view(2, 3).t().reshape(3, 2)  (t() is already 3x2)", lambda: torch.arange(6).view(2, 3).t().reshape(3, 2)),
    ("zeros(2, 3, 4, 5).flatten(1, 2)", lambda: torch.zeros(2, 3, 4, 5).flatten(1, 2)),
    ("zeros(2, 3, 4, 5).flatten(-2)", lambda: torch.zeros(2, 3, 4, 5).flatten(-2)),
    ("tensor(5).flatten()", lambda: torch.tensor(5).flatten()),
    ("arange(6).view(2, 3).t().flatten()", lambda: torch.arange(6).view(2, 3).t().flatten()),
    ("zeros(2, 3).flatten(1, 0)", lambda: torch.zeros(2, 3).flatten(1, 0)),
    ("zeros(2, 1, 3, 1).squeeze()", lambda: torch.zeros(2, 1, 3, 1).squeeze()),
    ("zeros(2, 1, 3, 1).squeeze(1)", lambda: torch.zeros(2, 1, 3, 1).squeeze(1)),
    ("zeros(2, 1, 3, 1).squeeze(-1)", lambda: torch.zeros(2, 1, 3, 1).squeeze(-1)),
    ("zeros(2, 1, 3, 1).squeeze(0)", lambda: torch.zeros(2, 1, 3, 1).squeeze(0)),
    ("zeros(2, 3).squeeze(2)", lambda: torch.zeros(2, 3).squeeze(2)),
    ("zeros(2, 3).unsqueeze(0)", lambda: torch.zeros(2, 3).unsqueeze(0)),
    ("zeros(2, 3).unsqueeze(1)", lambda: torch.zeros(2, 3).unsqueeze(1)),
    ("zeros(2, 3).unsqueeze(-1)", lambda: torch.zeros(2, 3).unsqueeze(-1)),
    ("zeros(2, 3).t().unsqueeze(1)", lambda: torch.zeros(2, 3).t().unsqueeze(1)),
    ("tensor(1.).unsqueeze(0)", lambda: torch.tensor(1.).unsqueeze(0)),
    ("zeros(2, 3).unsqueeze(3)", lambda: torch.zeros(2, 3).unsqueeze(3)),
    ("arange(24).view(2, 3, 4).transpose(0, 2)", lambda: a24().view(2, 3, 4).transpose(0, 2)),
    ("arange(24).view(2, 3, 4).transpose(-1, -2)", lambda: a24().view(2, 3, 4).transpose(-1, -2)),
    ("arange(6).view(2, 3).t()", lambda: torch.arange(6).view(2, 3).t()),
    ("arange(3).t()", lambda: torch.arange(3).t()),
    ("zeros(2, 3, 4).t()", lambda: torch.zeros(2, 3, 4).t()),
    ("arange(24).view(2, 3, 4).permute(2, 0, 1)", lambda: a24().view(2, 3, 4).permute(2, 0, 1)),
    ("arange(24).view(2, 3, 4).permute(-1, 0, 1)", lambda: a24().view(2, 3, 4).permute(-1, 0, 1)),
    ("zeros(2, 3).permute(0, 0)", lambda: torch.zeros(2, 3).permute(0, 0)),
    ("zeros(2, 3).permute(0)", lambda: torch.zeros(2, 3).permute(0)),
    ("tensor([1, 2, 3]).expand(2, 3)", lambda: torch.tensor([1, 2, 3]).expand(2, 3)),
    ("tensor([[1], [2]]).expand(-1, 3)", lambda: torch.tensor([[1], [2]]).expand(-1, 3)),
    ("tensor([[1], [2]]).expand(4, 2, 3)", lambda: torch.tensor([[1], [2]]).expand(4, 2, 3)),
    ("tensor([1, 2, 3]).expand(2, 4)", lambda: torch.tensor([1, 2, 3]).expand(2, 4)),
    ("tensor([1, 2, 3]).expand(3)", lambda: torch.tensor([1, 2, 3]).expand(3)),
    ("zeros(2, 3).expand(3)", lambda: torch.zeros(2, 3).expand(3)),
    ("tensor([1., 2.]).expand_as(zeros(3, 2))", lambda: torch.tensor([1., 2.]).expand_as(torch.zeros(3, 2))),
    ("arange(10).narrow(0, 2, 3)", lambda: torch.arange(10).narrow(0, 2, 3)),
    ("arange(10).narrow(0, -3, 2)", lambda: torch.arange(10).narrow(0, -3, 2)),
    ("arange(12).view(3, 4).narrow(1, 1, 2)", lambda: a12().view(3, 4).narrow(1, 1, 2)),
    ("arange(10).narrow(0, 8, 3)", lambda: torch.arange(10).narrow(0, 8, 3)),
    ("arange(12).view(3, 4).select(0, 1)", lambda: a12().view(3, 4).select(0, 1)),
    ("arange(12).view(3, 4).select(1, -1)", lambda: a12().view(3, 4).select(1, -1)),
    ("arange(12).view(3, 4).select(1, 4)", lambda: a12().view(3, 4).select(1, 4)),
    ("arange(12).view(3, 4).select(0, -4)", lambda: a12().view(3, 4).select(0, -4)),
    ("tensor(1.).select(0, 0)", lambda: torch.tensor(1.).select(0, 0)),
    ("arange(10)[1:9:3]", lambda: torch.arange(10)[1:9:3]),
    ("arange(10)[-4:-1]", lambda: torch.arange(10)[-4:-1]),
    ("arange(10)[5:100]", lambda: torch.arange(10)[5:100]),
    ("arange(10)[-100:2]", lambda: torch.arange(10)[-100:2]),
    ("arange(10)[7:3]", lambda: torch.arange(10)[7:3]),
    ("arange(10)[::4]", lambda: torch.arange(10)[::4]),
    ("arange(12).view(3, 4)[:, 1::2]", lambda: a12().view(3, 4)[:, 1::2]),
    ("arange(12).view(3, 4)[:, 1::2][1:]  (a slice of a slice)", lambda: a12().view(3, 4)[:, 1::2][1:]),
    ("arange(10)[::0]", lambda: torch.arange(10)[::0]),
    ("arange(6).chunk(4)", lambda: torch.arange(6).chunk(4)),
    ("arange(7).chunk(3)", lambda: torch.arange(7).chunk(3)),
    ("arange(3).chunk(10)", lambda: torch.arange(3).chunk(10)),
    ("zeros(0).chunk(3)", lambda: torch.zeros(0).chunk(3)),
    ("arange(12).view(3, 4).chunk(2, 1)", lambda: a12().view(3, 4).chunk(2, 1)),
    ("arange(7).chunk(0)", lambda: torch.arange(7).chunk(0)),
    ("arange(7).split(3)", lambda: torch.arange(7).split(3)),
    ("arange(7).split([2, 5])", lambda: torch.arange(7).split([2, 5])),
    ("arange(12).view(3, 4).split([1, 3], 1)", lambda: a12().view(3, 4).split([1, 3], 1)),
    ("arange(7).split([2, 4])", lambda: torch.arange(7).split([2, 4])),
    ("arange(6).view(2, 3).unbind(0)", lambda: torch.arange(6).view(2, 3).unbind(0)),
    ("arange(6).view(2, 3).unbind(1)", lambda: torch.arange(6).view(2, 3).unbind(1)),
    ("arange(9).as_strided((2, 2), (1, 3), 1)", lambda: torch.arange(9).as_strided((2, 2), (1, 3), 1)),
    ("arange(9).as_strided((3,), (4,))  (a diagonal)", lambda: torch.arange(9).as_strided((3,), (4,))),
    ("arange(9)[2:].as_strided((2,), (1,))  (default offset: the view's)", lambda: torch.arange(9)[2:].as_strided((2,), (1,))),
    ("arange(9).as_strided((2, 2), (1, 3), 6)", lambda: torch.arange(9).as_strided((2, 2), (1, 3), 6)),
]


def describe(r):
    if isinstance(r, (tuple, list)):
        return "[" + "; ".join(describe(x) for x in r) + "]"
    values = r.flatten().tolist() if r.numel() <= 24 else f"({r.numel()} elements)"
    return f"sizes {list(r.shape)} strides {list(r.stride())} offset {r.storage_offset()} values {values}"


for label, fn in cases:
    try:
        out = describe(fn())
    except Exception as e:
        out = f"ERROR {type(e).__name__}: {str(e).splitlines()[0]}"
    print(f"{label} -> {out}")
