"""Shared by the generators that print C++ constants for pasting between a
test's GENERATED markers (losses, nn_layers, rnn): float32 values in their
shortest round-trip form, so the C++ literals are exact.
"""
import numpy as np
import torch


def literal(x, ctype):
    if ctype == "float":
        s = str(np.float32(x))
        if s in ("nan", "inf", "-inf"):
            return {"nan": "NAN", "inf": "INFINITY", "-inf": "-INFINITY"}[s]
        return s + ("f" if any(c in s for c in ".e") else ".0f")
    return str(int(x))


def emit(name, values, source, ctype="float"):
    """const std::vector<ctype> name = {...}; with a comment naming `source`."""
    if isinstance(values, torch.Tensor):
        values = values.detach().flatten().tolist()
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


def emit_str(name, text, source):
    """const char* const name = "text"; (escaped for C++)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    print(f"// {source}")
    print(f'const char* const {name} = "{escaped}";')
