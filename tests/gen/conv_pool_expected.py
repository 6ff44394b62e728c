#!/usr/bin/python3
"""Expected values of tests/test_conv_pool.cpp, computed by PyTorch 1.13:

    /usr/bin/python3 tests/gen/conv_pool_expected.py --write

Inputs come from torch.manual_seed + randn, which Ember's generator repeats
bit for bit, so the C++ test draws the same inputs itself. Module weights are
PyTorch's default initialisation after manual_seed, checked as such.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from op_refs import Refs

r = Refs(__file__)

# Default initialisation, in construction order after one seed.
torch.manual_seed(0)
conv = nn.Conv2d(3, 4, 3, stride=(2, 1), padding=1)
convt = nn.ConvTranspose2d(4, 2, (3, 2), stride=2, output_padding=1, bias=False)
conv1 = nn.Conv1d(2, 3, 3, padding=2, dilation=2)
r.add("kConvWeight", conv.weight, "manual_seed(0); Conv2d(3, 4, 3, stride=(2, 1), padding=1).weight")
r.add("kConvBias", conv.bias, "... .bias")
r.add("kConvTWeight", convt.weight, "then ConvTranspose2d(4, 2, (3, 2), stride=2, output_padding=1, bias=False).weight")
r.add("kConv1Weight", conv1.weight, "then Conv1d(2, 3, 3, padding=2, dilation=2).weight")
r.add("kConv1Bias", conv1.bias, "... .bias")

torch.manual_seed(1)
x = torch.randn(2, 3, 7, 6)
x1 = torch.randn(2, 2, 9)
with torch.no_grad():
    y = conv(x)
    r.add("kConvOut", y, "manual_seed(1); x = randn(2, 3, 7, 6); conv(x)")
    r.add("kConvTOut", convt(y), "convt(conv(x))")
    r.add("kConvTOutSized", convt(y, output_size=[10, 12]), "convt(conv(x), output_size=[10, 12])")
    r.add("kConv1Out", conv1(x1), "x1 = randn(2, 2, 9); conv1(x1)")
    r.add("kConvUnbatched", conv(x[1]), "conv(x[1]) (unbatched)")
    v, i = F.max_pool2d(x, 2, return_indices=True)
    r.add("kMaxPool", v, "F.max_pool2d(x, 2, return_indices=True)")
    r.add("kMaxPoolIdx", i, "... indices")
    r.add("kMaxPoolCeil", F.max_pool2d(x, (3, 2), stride=2, padding=1, ceil_mode=True),
          "F.max_pool2d(x, (3, 2), stride=2, padding=1, ceil_mode=True)")
    r.add("kAvgPool", F.avg_pool2d(x, 3, stride=2, padding=1), "F.avg_pool2d(x, 3, stride=2, padding=1)")
    r.add("kAvgPoolNoPad", F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
          "F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)")
    r.add("kAvgPoolDivisor", F.avg_pool2d(x, 2, divisor_override=3), "F.avg_pool2d(x, 2, divisor_override=3)")
    r.add("kAdaptive", F.adaptive_avg_pool2d(x, (3, 4)), "F.adaptive_avg_pool2d(x, (3, 4))")
    r.add("kAdaptiveGlobal", F.adaptive_avg_pool2d(x, 1), "F.adaptive_avg_pool2d(x, 1)")
    r.add("kUnfold", F.unfold(x, (2, 3), stride=(2, 1), dilation=(1, 2)), "F.unfold(x, (2, 3), stride=(2, 1), dilation=(1, 2))")

# A nan wins its window.
xn = torch.arange(16.0).reshape(1, 1, 4, 4)
xn[0, 0, 0, 1] = float("nan")
r.add("kMaxPoolNaN", F.max_pool2d(xn, 2), "x = arange(16.).reshape(1, 1, 4, 4); x[0, 0, 0, 1] = nan; F.max_pool2d(x, 2)")

# Gradients through a small CNN in float32.
torch.manual_seed(2)
net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.ReLU(),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
xi = torch.randn(5, 1, 8, 8)
loss = F.cross_entropy(net(xi), torch.tensor([0, 2, 1, 1, 0]))
loss.backward()
r.value("kCnnLoss", "double", loss.item(), "manual_seed(2); net = Conv2d(1,4,3,p=1), ReLU, MaxPool2d(2), Conv2d(4,6,3), "
        "ReLU, AdaptiveAvgPool2d(1), Flatten, Linear(6,3); xi = randn(5,1,8,8); cross_entropy(net(xi), [0,2,1,1,0])")
r.add("kCnnGradConv0", net[0].weight.grad, "net[0].weight.grad")
r.add("kCnnGradConv3", net[3].weight.grad, "net[3].weight.grad")
r.add("kCnnGradConv3Bias", net[3].bias.grad, "net[3].bias.grad")

# padding_mode: F.pad first, then a convolution without padding.
torch.manual_seed(3)
convr = nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")
conv1c = nn.Conv1d(2, 3, 3, padding=2, padding_mode="circular")
xr, x1c = torch.randn(1, 2, 5, 4), torch.randn(1, 2, 6)
with torch.no_grad():
    r.add("kConvReflect", convr(xr), "manual_seed(3); Conv2d(2, 3, 3, padding=1, padding_mode='reflect')(randn(1, 2, 5, 4))")
    r.add("kConv1Circular", conv1c(x1c), "then Conv1d(2, 3, 3, padding=2, padding_mode='circular')(randn(1, 2, 6))")

# Python's repr of each module.
for name, m in [("kReprConv", nn.Conv2d(1, 32, 3, padding=1)),
                ("kReprConvAll", nn.Conv2d(4, 8, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=2, bias=False)),
                ("kReprConvT", nn.ConvTranspose2d(4, 2, (3, 2), stride=2, output_padding=1, bias=False)),
                ("kReprConv1", nn.Conv1d(2, 3, 3, padding=2, dilation=2)),
                ("kReprConvReflect", nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")),
                ("kReprMaxPool", nn.MaxPool2d(2)),
                ("kReprMaxPoolTuple", nn.MaxPool2d((3, 2), stride=2, padding=1, ceil_mode=True)),
                ("kReprAvgPool", nn.AvgPool2d(3, stride=2, padding=1)),
                ("kReprAdaptive", nn.AdaptiveAvgPool2d((3, 4))),
                ("kReprAdaptiveInt", nn.AdaptiveAvgPool2d(1))]:
    r.value(name, "char*", '"' + repr(m) + '"', "repr")

r.write("test_conv_pool.cpp")
