#!/usr/bin/python3
"""Prints the expected values of tests/test_optim.cpp from PyTorch 1.13.

Run with Debian's torch (python3-torch 1.13, CPU):
    /usr/bin/python3 tests/gen/optim_expected.py
and paste the output between the GENERATED markers of tests/test_optim.cpp.

Optimizers: two float32 parameters, W0 = [1, -2, 3] and M0 = [[0.5, -1], [1.5, 2]],
trained for 5 steps on loss = (w * w * [1, 2, 3]).sum() + 0.5 * (m * m * m).sum();
each constant holds w then m after the last step.
Schedulers: the lr of an SGD(lr=0.1) after construction and after each of 12
(optimizer.step(), scheduler.step()) pairs.
"""
import numpy as np
import torch
from torch import optim

assert torch.__version__.startswith("1.13"), torch.__version__

STEPS = 5


def flit(x):
    s = str(np.float32(x))
    return s + ("f" if any(c in s for c in ".e") else ".0f")


def emit(name, ctype, values, source):
    vals = [flit(v) if ctype == "float" else repr(float(v)) for v in values]
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


def train(make, groups=False):
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    m = torch.tensor([[0.5, -1.0], [1.5, 2.0]], requires_grad=True)
    opt = make([w, m])
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (w * w * torch.tensor([1.0, 2.0, 3.0])).sum() + 0.5 * (m * m * m).sum()
        loss.backward()
        opt.step()
    return w.detach().flatten().tolist() + m.detach().flatten().tolist()


OPTIMIZERS = [
    ("kAdam", "Adam(lr=0.1)", lambda p: optim.Adam(p, lr=0.1)),
    ("kAdamAll", "Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)",
     lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("kAdamGroups", "Adam([{'params': [w]}, {'params': [m], 'lr': 0.01}], lr=0.1)",
     lambda p: optim.Adam([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.01}], lr=0.1)),
    ("kAdamW", "AdamW(lr=0.1)", lambda p: optim.AdamW(p, lr=0.1)),
    ("kAdamWAll", "AdamW(lr=0.05, betas=(0.85, 0.95), weight_decay=0.5, amsgrad=True)",
     lambda p: optim.AdamW(p, lr=0.05, betas=(0.85, 0.95), weight_decay=0.5, amsgrad=True)),
    ("kRmsprop", "RMSprop(lr=0.01)", lambda p: optim.RMSprop(p, lr=0.01)),
    ("kRmspropMomentum", "RMSprop(lr=0.02, momentum=0.5, weight_decay=0.1)",
     lambda p: optim.RMSprop(p, lr=0.02, momentum=0.5, weight_decay=0.1)),
    ("kRmspropCentered", "RMSprop(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.9, centered=True)",
     lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.9, centered=True)),
    ("kAdagrad", "Adagrad(lr=0.1)", lambda p: optim.Adagrad(p, lr=0.1)),
    ("kAdagradAll", "Adagrad(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-8)",
     lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-8)),
]


def lrs(make_scheduler, metrics=None, groups=1):
    params = [torch.zeros(1, requires_grad=True) for _ in range(groups)]
    opt = optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], lr=0.1)
    sched = make_scheduler(opt)
    out = [g["lr"] for g in opt.param_groups]
    for i in range(12):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        out += [g["lr"] for g in opt.param_groups]
    return out


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
SCHEDULERS = [
    ("kStepLR", "StepLR(opt, 2, 0.1)", lambda o: optim.lr_scheduler.StepLR(o, 2, 0.1), None, 1),
    ("kStepLR3", "StepLR(opt, step_size=3, gamma=0.5), two groups (lr 0.1 and 0.2)",
     lambda o: optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), None, 2),
    ("kMultiStepLR", "MultiStepLR(opt, [2, 5, 5, 9], 0.5)",
     lambda o: optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], 0.5), None, 1),
    ("kExponentialLR", "ExponentialLR(opt, 0.9)", lambda o: optim.lr_scheduler.ExponentialLR(o, 0.9), None, 1),
    ("kCosine", "CosineAnnealingLR(opt, T_max=4, eta_min=0.01)  [past T_max, it rises again]",
     lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01), None, 1),
    ("kCosine10", "CosineAnnealingLR(opt, 10)", lambda o: optim.lr_scheduler.CosineAnnealingLR(o, 10), None, 1),
    ("kPlateauMin", f"ReduceLROnPlateau(opt, factor=0.5, patience=1, threshold=1e-2, cooldown=1, min_lr=0.02), "
     "step(kPlateauMetrics[i])",
     lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=1e-2, cooldown=1,
                                                    min_lr=0.02), PLATEAU_METRICS, 1),
    ("kPlateauMaxAbs", "ReduceLROnPlateau(opt, mode='max', factor=0.3, patience=1, threshold=0.05,\n//   "
     "threshold_mode='abs', min_lr=[0.01, 0.05]), two groups, step(kPlateauMetrics[i])",
     lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1, threshold=0.05,
                                                    threshold_mode="abs", min_lr=[0.01, 0.05]),
     PLATEAU_METRICS, 2),
]

print("// BEGIN GENERATED by tests/gen/optim_expected.py")
for name, source, make in OPTIMIZERS:
    emit(name, "float", train(make), source)
emit("kPlateauMetrics", "double", PLATEAU_METRICS, "the metrics passed to ReduceLROnPlateau.step")
for name, source, make, metrics, groups in SCHEDULERS:
    emit(name, "double", lrs(make, metrics, groups), source)
print("// END GENERATED")
