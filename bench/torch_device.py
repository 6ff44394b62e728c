#!/usr/bin/env python3
"""PyTorch counterpart of bench_device.cpp: the same cases, timed the same way.

Each case runs a warm-up first (one iteration, as bench_device's training
cases do, plus a few more to settle cuBLAS/cuDNN handles and the caching
allocator), then repeats for about --min-time seconds; every iteration ends
with torch.cuda.synchronize() (sum_16m's .item() synchronises by itself, as
Ember's item<float>() does). The mean wall time per iteration is printed in
milliseconds, one line per case, named as in bench_device (whose console
lines read `<case>/real_time <time> <unit> ...`).

float32 throughout, TF32 off for matmul and for cuDNN's convolutions (Ember's
CUDA backend never uses TF32 for float32: cuBLAS CUBLAS_COMPUTE_32F and
cuDNN CUDNN_FMA_MATH). torch.backends.cudnn.benchmark is left at its
default, False (cuDNN's heuristic picks the algorithm, as Ember does).

  python3 bench/torch_device.py [--device cuda] [--min-time 0.3] [--filter REGEX]
"""
import argparse
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda", help="torch device (default cuda; cpu for a test run)")
    p.add_argument("--min-time", type=float, default=0.3, help="seconds to repeat each case for (default 0.3)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up iterations before timing (default 3)")
    p.add_argument("--filter", default=".", help="regex on case names (default: all)")
    return p.parse_args()


ARGS = parse_args()
DEV = torch.device(ARGS.device)


def sync():
    if DEV.type == "cuda":
        torch.cuda.synchronize(DEV)


def rand(*shape):
    return torch.rand(*shape, device=DEV)


# ---- the cases: each returns the function one iteration calls ----


def add_16m():
    a, b = rand(1 << 24), rand(1 << 24)

    def it():
        a + b
        sync()

    return it


def matmul(n):
    def case():
        a, b = rand(n, n), rand(n, n)

        def it():
            a.matmul(b)
            sync()

        return it

    return case


def sum_16m():
    a = rand(1 << 24)

    def it():
        a.sum().item()  # item() synchronises

    return it


def softmax_128x512():
    a = rand(128, 512)

    def it():
        a.softmax(1)
        sync()

    return it


def train_step(net, optimizer, x, y):
    def it():
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        sync()

    return it


def mlp_784_512_512_10():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)).to(DEV)


def mlp_step_sgd():
    net = mlp_784_512_512_10()
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    return train_step(net, sgd, rand(128, 784), torch.randint(0, 10, (128,), device=DEV))


def mlp_step_adam():
    net = mlp_784_512_512_10()
    adam = torch.optim.Adam(net.parameters(), lr=1e-3)
    return train_step(net, adam, rand(128, 784), torch.randint(0, 10, (128,), device=DEV))


def cnn_step_adam():
    # The CNN of bench_device.cpp / examples/fashion_mnist (without dropout).
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    ).to(DEV)
    adam = torch.optim.Adam(net.parameters(), lr=1e-3)
    return train_step(net, adam, rand(64, 1, 28, 28), torch.randint(0, 10, (64,), device=DEV))


CASES = [
    ("add_16m", add_16m),
    ("matmul_1024", matmul(1024)),
    ("matmul_4096", matmul(4096)),
    ("sum_16m", sum_16m),
    ("softmax_128x512", softmax_128x512),
    ("cnn_step_adam", cnn_step_adam),
    ("mlp_step_sgd", mlp_step_sgd),
    ("mlp_step_adam", mlp_step_adam),
]


def time_case(it):
    for _ in range(max(ARGS.warmup, 1)):
        it()
    iters, start = 0, time.perf_counter()
    while True:
        it()
        iters += 1
        elapsed = time.perf_counter() - start
        if elapsed >= ARGS.min_time:
            return elapsed / iters * 1e3, iters


def main():
    # Explicit, though both are torch's defaults for matmul (allow_tf32 False
    # since 1.12); cuDNN's allow_tf32 defaults to True, so it is turned off.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    name = torch.cuda.get_device_name(DEV) if DEV.type == "cuda" else "cpu"
    cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    print(f"# torch {torch.__version__} (CUDA {torch.version.cuda}), device {DEV} ({name}), "
          f"threads {torch.get_num_threads()}")
    print(f"# cudnn {cudnn}, cudnn.benchmark={torch.backends.cudnn.benchmark} (left at the default), "
          f"cuda.matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32}, "
          f"cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}, "
          f"float32_matmul_precision={torch.get_float32_matmul_precision()}")
    print(f"# optimizers at torch's defaults (foreach on CUDA, not fused); warm-up {ARGS.warmup} iterations, "
          f"then about {ARGS.min_time}s per case, synchronised per iteration")
    print(f"{'case':<24} {'mean_ms':>12} {'iterations':>11}")
    failed = False
    for case, make in CASES:
        if not re.search(ARGS.filter, case):
            continue
        try:
            ms, iters = time_case(make())
            print(f"{case:<24} {ms:12.4f} {iters:11d}", flush=True)
        except Exception as e:  # report and go on with the other cases
            print(f"{case:<24} {'ERROR':>12} {type(e).__name__}: {e}", flush=True)
            failed = True
        if DEV.type == "cuda":
            torch.cuda.empty_cache()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
