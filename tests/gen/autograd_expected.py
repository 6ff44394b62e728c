#!/usr/bin/python3
"""Expected gradients of tests/test_gradcheck.cpp's op table, computed by PyTorch 1.13.

    /usr/bin/python3 tests/gen/autograd_expected.py --write   # rewrites tests/gradcheck_expected.h

The table below mirrors the C++ one (tests/test_gradcheck.cpp and
tests/gradcheck_shape_cases.cpp): the same case names, input shapes and
generators, and the same op written in PyTorch. For each case it records
  - PyTorch's node name of output 0 (type(grad_fn).__name__, as printed in
    `grad_fn=<...>`),
  - a checksum of each input, so a generator out of step with the C++ one
    fails the test instead of comparing different inputs,
  - torch.autograd.grad of the floating outputs with respect to every input,
    for output gradients made by the same generator (None: unused input).
"""
import math

import torch
import torch.nn.functional as F

from op_refs import DTYPES, Refs, literal

inf = math.inf


# ---- the input generator (gradcheck_cases.h's generated_value) ----
def generated_value(gen, k, seed):
    r = (k * 37 + seed * 53 + 11) % 97
    if gen == "pos":
        return 0.5 + 1.5 * r / 97
    mag = 0.1 + 1.9 * r / 97
    return -mag if (k * 7 + seed * 3) % 5 < 2 else mag


def make(spec, seed):
    shape, gen, values = spec
    n = math.prod(shape)
    if gen == "list":
        assert len(values) == n, spec
        vals = [float(v) for v in values]
    else:
        vals = [generated_value(gen, k, seed) for k in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape)


def any_(*shape):
    return (tuple(shape), "any", None)


def pos(*shape):
    return (tuple(shape), "pos", None)


def lst(shape, values):
    return (tuple(shape), "list", values)


def checksum(t):
    s = 0.0
    for k, v in enumerate(t.reshape(-1).tolist()):
        s += v * (k + 1)
    return s


CASES = []


def case(name, inputs, fn):
    CASES.append((name, inputs, fn))


T = torch.tensor

# ---- elementwise ----
case("add", [any_(3, 4), any_(3, 4)], lambda a, b: a + b)
case("add_alpha", [any_(3, 4), any_(3, 4)], lambda a, b: torch.add(a, b, alpha=2.5))
case("add_broadcast", [any_(3, 1), any_(1, 4)], lambda a, b: a + b)
case("add_scalar", [any_(3, 4)], lambda a: a + 1.5)
case("add_0d", [any_(), any_(3)], lambda a, b: a + b)
case("sub", [any_(3, 4), any_(3, 4)], lambda a, b: a - b)
case("sub_alpha", [any_(3, 4), any_(1, 4)], lambda a, b: torch.sub(a, b, alpha=0.5))
case("sub_scalar", [any_(3, 4)], lambda a: a - 1.5)
case("rsub", [any_(3, 4)], lambda a: 2.0 - a)
case("mul", [any_(3, 4), any_(3, 4)], lambda a, b: a * b)
case("mul_broadcast", [any_(2, 3, 1), any_(3, 4)], lambda a, b: a * b)
case("mul_scalar", [any_(3, 4)], lambda a: a * 2.5)
case("scalar_mul", [any_(3, 4)], lambda a: 2.5 * a)
case("mul_self", [any_(3, 4)], lambda a: a * a)
case("square", [any_(3, 4)], lambda a: a.square())
case("div", [any_(3, 4), pos(3, 4)], lambda a, b: a / b)
case("div_broadcast", [any_(3, 4), pos(3, 1)], lambda a, b: a / b)
case("div_scalar", [any_(3, 4)], lambda a: a / 4.0)
case("scalar_div", [pos(3, 4)], lambda a: 2.0 / a)
case("pow_scalar", [pos(3, 4)], lambda a: a.pow(2.5))
case("pow_int", [any_(3, 4)], lambda a: a.pow(3))
case("pow_zero", [any_(3, 4)], lambda a: a.pow(0))
case("pow_tensor", [pos(3, 4), any_(3, 4)], lambda a, b: a.pow(b))
case("pow_scalar_base", [any_(3, 4)], lambda a: torch.pow(2.0, a))
case("neg", [any_(3, 4)], lambda a: -a)
case("abs", [any_(3, 4)], lambda a: a.abs())
case("exp", [any_(3, 4)], lambda a: a.exp())
case("log", [pos(3, 4)], lambda a: a.log())
case("sqrt", [pos(3, 4)], lambda a: a.sqrt())
case("rsqrt", [pos(3, 4)], lambda a: a.rsqrt())
case("sin", [any_(3, 4)], lambda a: a.sin())
case("cos", [any_(3, 4)], lambda a: a.cos())
case("tanh", [any_(3, 4)], lambda a: a.tanh())
case("sigmoid", [any_(3, 4)], lambda a: a.sigmoid())
case("relu", [any_(3, 4)], lambda a: a.relu())
case("reciprocal", [pos(3, 4)], lambda a: a.reciprocal())
case("clamp_min", [any_(3, 4)], lambda a: torch.clamp(a, min=-0.5))
case("clamp_max", [any_(3, 4)], lambda a: torch.clamp(a, max=0.8))
case("clamp", [any_(3, 4)], lambda a: torch.clamp(a, -0.5, 0.8))
case("maximum", [any_(3, 4), any_(3, 4)], lambda a, b: torch.maximum(a, b))
case("minimum", [any_(3, 4), any_(1, 4)], lambda a, b: torch.minimum(a, b))
case("maximum_ties", [lst((2, 3), [1, -0.5, 2, 0.25, 3, -1]), lst((2, 3), [1, 0.5, 2, -0.25, 1.5, -1])],
     lambda a, b: torch.maximum(a, b))
case("minimum_ties", [lst((2, 3), [1, -0.5, 2, 0.25, 3, -1]), lst((2, 3), [1, 0.5, 2, -0.25, 1.5, -1])],
     lambda a, b: torch.minimum(a, b))
case("where", [any_(3, 4), any_(3, 4)], lambda a, b: torch.where(a > 0, a, b))
case("where_broadcast", [any_(3, 1), any_(1, 4)], lambda a, b: torch.where(b > 0, a, b))
case("sign", [any_(3, 4)], lambda a: a.sign())
case("floor", [any_(3, 4)], lambda a: a.floor())
case("ceil", [any_(3, 4)], lambda a: a.ceil())
case("round", [any_(3, 4)], lambda a: a.round())
case("trunc", [any_(3, 4)], lambda a: a.trunc())
case("masked_fill", [any_(3, 4)], lambda a: a.masked_fill(a > 0.5, 0.25))
case("masked_fill_broadcast", [any_(3, 4)], lambda a: a.masked_fill(T([True, False, False, True]), -1.0))

# ---- reductions ----
case("sum", [any_(3, 4)], lambda a: a.sum())
case("sum_dim", [any_(3, 4)], lambda a: a.sum([1]))
case("sum_dims_keepdim", [any_(2, 3, 4)], lambda a: a.sum([0, 2], keepdim=True))
case("sum_negative_dim", [any_(2, 3, 4)], lambda a: a.sum([-1]))
case("mean", [any_(3, 4)], lambda a: a.mean())
case("mean_dim", [any_(3, 4)], lambda a: a.mean([0]))
case("mean_dims_keepdim", [any_(2, 3, 4)], lambda a: a.mean([1, 2], keepdim=True))
case("prod", [any_(3, 4)], lambda a: a.prod())
case("prod_dim", [any_(3, 4)], lambda a: a.prod(1))
case("prod_dim_keepdim", [any_(2, 3, 4)], lambda a: a.prod(0, keepdim=True))
case("prod_one_zero", [lst((2, 3), [0.5, -1.5, 0, 2, 1.25, -0.75])], lambda a: a.prod())
case("prod_two_zeros", [lst((2, 3), [0.5, 0, 1.5, 0, 2, -1])], lambda a: a.prod())
case("prod_dim_zeros", [lst((3, 3), [0, 1.5, -2, 0.5, 0, 0, 1.25, -0.5, 2])], lambda a: a.prod(1))
case("max", [any_(3, 4)], lambda a: a.max())
case("min", [any_(3, 4)], lambda a: a.min())
case("max_ties", [lst((2, 3), [0.5, 2, -1, 2, 0.25, -1.5])], lambda a: a.max())
case("max_dim", [any_(3, 4)], lambda a: list(a.max(1)))
case("min_dim_keepdim", [any_(3, 4)], lambda a: list(a.min(0, keepdim=True)))
case("amax", [any_(3, 4)], lambda a: a.amax(1))
case("amax_all", [any_(3, 4)], lambda a: a.amax())
case("amin_keepdim", [any_(3, 4)], lambda a: a.amin(0, keepdim=True))
case("amax_ties", [lst((2, 3), [1, 1, -1, 0.5, 2, 2])], lambda a: a.amax(1))
case("var", [any_(3, 4)], lambda a: a.var())
case("var_dim_biased", [any_(3, 4)], lambda a: a.var(1, unbiased=False))
case("var_dims_keepdim", [any_(2, 3, 4)], lambda a: a.var([0, 2], unbiased=True, keepdim=True))
case("std", [any_(3, 4)], lambda a: a.std())
case("std_dim_keepdim", [any_(3, 4)], lambda a: a.std(0, unbiased=True, keepdim=True))
case("std_biased", [any_(3, 4)], lambda a: a.std(unbiased=False))
case("norm", [any_(3, 4)], lambda a: a.norm())
case("norm_p1", [any_(3, 4)], lambda a: a.norm(1))
case("norm_p3", [any_(3, 4)], lambda a: a.norm(3))
case("norm_inf", [any_(3, 4)], lambda a: a.norm(inf))
case("norm_dim", [any_(3, 4)], lambda a: a.norm(2, [1]))
case("norm_p3_dim_keepdim", [any_(3, 4)], lambda a: a.norm(3, [0], True))
case("softmax", [any_(3, 4)], lambda a: a.softmax(1))
case("softmax_dim0", [any_(3, 4)], lambda a: a.softmax(0))
case("log_softmax", [any_(3, 4)], lambda a: a.log_softmax(1))
case("logsumexp", [any_(3, 4)], lambda a: a.logsumexp([1]))
case("logsumexp_keepdim", [any_(2, 3, 4)], lambda a: a.logsumexp([0, 1], keepdim=True))

# ---- linear algebra ----
case("mm", [any_(3, 4), any_(4, 2)], lambda a, b: a.mm(b))
case("bmm", [any_(2, 3, 4), any_(2, 4, 2)], lambda a, b: a.bmm(b))
case("mv", [any_(3, 4), any_(4)], lambda a, b: a.mv(b))
case("dot", [any_(4), any_(4)], lambda a, b: a.dot(b))
case("matmul_2d", [any_(3, 4), any_(4, 2)], lambda a, b: a.matmul(b))
case("matmul_2d_1d", [any_(3, 4), any_(4)], lambda a, b: a.matmul(b))
case("matmul_1d_2d", [any_(4), any_(4, 2)], lambda a, b: a.matmul(b))
case("matmul_batched", [any_(2, 3, 4), any_(2, 4, 2)], lambda a, b: a.matmul(b))
case("matmul_broadcast", [any_(2, 3, 4), any_(4, 2)], lambda a, b: a.matmul(b))
case("matmul_broadcast_batch", [any_(2, 1, 2, 3), any_(3, 3, 2)], lambda a, b: a.matmul(b))
case("matmul_batched_1d", [any_(2, 3, 4), any_(4)], lambda a, b: a.matmul(b))

# ---- shapes and views ----
case("view", [any_(3, 4)], lambda a: a.view(4, 3))
case("view_infer", [any_(2, 3, 4)], lambda a: a.view(-1, 4))
case("reshape_view", [any_(3, 4)], lambda a: a.reshape(2, 6))
case("reshape_copy", [any_(3, 4)], lambda a: a.t().reshape(12))
case("flatten", [any_(2, 3, 4)], lambda a: a.flatten())
case("flatten_from", [any_(2, 3, 4)], lambda a: a.flatten(1))
case("squeeze", [any_(3, 1, 4, 1)], lambda a: a.squeeze())
case("squeeze_dim", [any_(3, 1, 4)], lambda a: a.squeeze(1))
case("squeeze_dim_not_one", [any_(3, 4)], lambda a: a.squeeze(0))
case("unsqueeze", [any_(3, 4)], lambda a: a.unsqueeze(1))
case("unsqueeze_last", [any_(3, 4)], lambda a: a.unsqueeze(-1))
case("transpose", [any_(2, 3, 4)], lambda a: a.transpose(0, 2))
case("t", [any_(3, 4)], lambda a: a.t())
case("t_1d", [any_(4)], lambda a: a.t())
case("permute", [any_(2, 3, 4)], lambda a: a.permute(2, 0, 1))
case("expand", [any_(3, 1)], lambda a: a.expand(2, 3, 4))
case("expand_as", [any_(4), any_(3, 4)], lambda a, b: a.expand_as(b) * b)
case("narrow", [any_(3, 4)], lambda a: a.narrow(1, 1, 2))
case("slice_step", [any_(3, 5)], lambda a: a[:, 0:5:2])
case("slice_negative_start", [any_(4, 3)], lambda a: a[-2:])
case("select", [any_(3, 4)], lambda a: a.select(1, 2))
case("select_negative", [any_(3, 4)], lambda a: a[-1])
case("as_strided", [any_(3, 3)], lambda a: a.as_strided((2, 2), (1, 2)))
case("as_strided_overlapping", [any_(6)], lambda a: a.as_strided((3, 3), (1, 1)))
case("as_strided_offset", [any_(3, 4)], lambda a: a.as_strided((2, 2), (3, 1), 1))
case("as_strided_of_transpose", [any_(3, 4)], lambda a: a.t().as_strided((2, 3), (4, 1), 1))
case("index_select", [any_(3, 4)], lambda a: a.index_select(0, T([2, 0, 2])))
case("index_select_dim1", [any_(3, 4)], lambda a: a.index_select(1, T([3, 1])))
case("gather", [any_(3, 4)], lambda a: a.gather(1, T([[0, 0], [3, 1], [2, 2]])))
case("scatter_add", [any_(3, 4), any_(3, 2)], lambda a, s: a.scatter_add(1, T([[0, 0], [3, 1], [2, 2]]), s))
case("cat", [any_(2, 4), any_(3, 4)], lambda a, b: torch.cat([a, b], 0))
case("cat_dim1", [any_(3, 2), any_(3, 1), any_(3, 3)], lambda a, b, c: torch.cat([a, b, c], 1))
case("stack", [any_(3, 4), any_(3, 4)], lambda a, b: torch.stack([a, b], 1))
case("split", [any_(3, 5)], lambda a: list(a.split(2, 1)))
case("split_sizes", [any_(3, 4)], lambda a: list(a.split([1, 3], 1)))
case("chunk", [any_(4, 3)], lambda a: list(a.chunk(2, 0)))
case("unbind", [any_(3, 4)], lambda a: list(a.unbind(0)))
case("repeat", [any_(2, 3)], lambda a: a.repeat(2, 1, 2))
case("repeat_1d", [any_(3)], lambda a: a.repeat(2, 2))
case("index_tensor", [any_(3, 4)], lambda a: a[T([2, 0, 2])])
case("index_two_tensors", [any_(3, 4)], lambda a: a[T([0, 2]), T([1, 3])])
case("index_slice_tensor", [any_(3, 4)], lambda a: a[:, T([3, 0])])
case("index_mask", [any_(3, 4)], lambda a: a[a > 0])
case("index_row_mask", [any_(3, 4)], lambda a: a[T([True, False, True])])
case("clone", [any_(3, 4)], lambda a: a.clone())
case("contiguous", [any_(3, 4)], lambda a: a.t().contiguous())
case("to_float32", [any_(3, 4)], lambda a: a.to(torch.float32))

# ---- in place, on non-leaves ----
case("add_", [any_(3, 4), any_(3, 4)], lambda a, b: a.clone().add_(b))
case("add_scalar_", [any_(3, 4)], lambda a: a.clone().add_(2.0))
case("sub_", [any_(3, 4), any_(1, 4)], lambda a, b: a.clone().sub_(b, alpha=2))
case("mul_", [any_(3, 4), any_(3, 4)], lambda a, b: a.clone().mul_(b))
case("mul_broadcast_", [any_(3, 4), any_(1, 4)], lambda a, b: a.clone().mul_(b))
case("mul_scalar_", [any_(3, 4)], lambda a: a.clone().mul_(3.0))
case("div_", [any_(3, 4), pos(3, 4)], lambda a, b: a.clone().div_(b))
case("div_scalar_", [any_(3, 4)], lambda a: a.clone().div_(4.0))
case("relu_", [any_(3, 4)], lambda a: (a * 1.5).relu_())
case("clamp_", [any_(3, 4)], lambda a: (a * 1.5).clamp_(-0.5, 0.8))
case("masked_fill_", [any_(3, 4)], lambda a: a.clone().masked_fill_(a > 0.5, 0.25))
case("scatter_add_", [any_(3, 4), any_(3, 2)], lambda a, s: a.clone().scatter_add_(1, T([[0, 0], [3, 1], [2, 2]]), s))
case("fill_", [any_(3, 4)], lambda a: a.clone().fill_(2.0))
case("zero_", [any_(3, 4)], lambda a: a.clone().zero_())
case("copy_", [any_(3, 4), any_(3, 4)], lambda a, b: a.clone().copy_(b))
case("copy_broadcast", [any_(3, 4), any_(1, 4)], lambda a, b: (a * 2).copy_(b))

# ---- convolution and pooling ----
case("linear", [any_(3, 4), any_(5, 4), any_(5)], lambda x, w, b: F.linear(x, w, b))
case("linear_no_bias", [any_(3, 4), any_(5, 4)], lambda x, w: F.linear(x, w))
case("linear_3d", [any_(2, 3, 4), any_(5, 4), any_(5)], lambda x, w, b: F.linear(x, w, b))
case("conv2d", [any_(2, 2, 5, 5), any_(3, 2, 3, 3), any_(3)], lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1))
case("conv2d_groups_dilation", [any_(1, 4, 6, 6), any_(4, 2, 2, 2)], lambda x, w: F.conv2d(x, w, groups=2, dilation=2))
case("conv2d_1x1", [any_(2, 3, 2, 3), any_(2, 3, 1, 1), any_(2)], lambda x, w, b: F.conv2d(x, w, b))
case("conv1d", [any_(2, 2, 7), any_(3, 2, 3)], lambda x, w: F.conv1d(x, w, padding=1, stride=2))
case("conv_transpose2d", [any_(1, 2, 3, 3), any_(2, 3, 3, 3), any_(3)],
     lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1))
case("unfold", [any_(1, 2, 4, 4)], lambda x: F.unfold(x, 2, padding=1))
case("fold", [any_(1, 8, 9)], lambda x: F.fold(x, 4, 2))
case("max_pool2d", [any_(1, 2, 5, 5)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1))
case("max_pool2d_ceil_dilation", [any_(1, 2, 6, 6)], lambda x: F.max_pool2d(x, 2, dilation=2, ceil_mode=True))
case("avg_pool2d", [any_(1, 2, 5, 5)],
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False))
case("adaptive_avg_pool2d", [any_(1, 2, 5, 7)], lambda x: F.adaptive_avg_pool2d(x, (3, 4)))

# ---- layer norm ----
case("layer_norm", [any_(2, 3, 4), any_(4), any_(4)], lambda x, w, b: F.layer_norm(x, (4,), w, b))
case("layer_norm_2d", [any_(2, 3, 4), any_(3, 4), any_(3, 4)], lambda x, w, b: F.layer_norm(x, (3, 4), w, b, eps=0.1))
case("layer_norm_plain", [any_(3, 5)], lambda x: F.layer_norm(x, (5,)))
case("layer_norm_weight_only", [any_(3, 5), any_(5)], lambda x, w: F.layer_norm(x, (5,), w))
case("layer_norm_bias_only", [any_(2, 2, 3), any_(2, 3)], lambda x, b: F.layer_norm(x, (2, 3), None, b))
case("layer_norm_noncontiguous", [any_(4, 3), any_(4), any_(4)], lambda x, w, b: F.layer_norm(x.t(), (4,), w, b))


def ident(name):
    return "".join(c if c.isalnum() else "_" for c in name)


r = Refs(__file__)


def add_ref(cname, t):
    """A Ref like Refs.add, packed densely (no comment: the name says the case and input)."""
    t = t.detach().contiguous()
    vals = [literal(v, t.dtype) for v in t.reshape(-1).tolist()]
    shape = ", ".join(str(s) for s in t.shape)
    line = f"const Ref {cname}{{{DTYPES[t.dtype]}, {{{shape}}}, {{"
    for k, v in enumerate(vals):
        piece = v + (", " if k + 1 < len(vals) else "")
        if len(line) + len(piece) > 118:
            r.lines.append(line.rstrip())
            line = "    "
        line += piece
    r.lines.append(line + "}};")

table = []
for name, specs, fn in CASES:
    inputs = [make(s, i + 1).requires_grad_() for i, s in enumerate(specs)]
    out = fn(*inputs)
    outs = out if isinstance(out, list) else [out]
    node = type(outs[0].grad_fn).__name__
    diff = [o for o in outs if o.dtype.is_floating_point and o.requires_grad]
    grad_outputs = [make((tuple(o.shape), "any", None), 101 + k).to(o.dtype) for k, o in enumerate(diff)]
    grads = torch.autograd.grad(diff, inputs, grad_outputs, allow_unused=True)
    refs = []
    for i, g in enumerate(grads):
        if g is None:
            refs.append("nullptr")
            continue
        cname = f"kGrad_{ident(name)}_{i}"
        add_ref(cname, g)
        refs.append("&" + cname)
    summaries = ", ".join(
        f"{{{{{', '.join(str(s) for s in x.shape)}}}, {checksum(x.detach())!r}}}" for x in inputs)
    table.append(f'    {{"{name}", "{node}", {{{summaries}}}, {{{", ".join(refs)}}}}},')
r.lines.append("const Expected kExpected[] = {")
r.lines.extend(table)
r.lines.append("};")
r.write("gradcheck_expected.h")
