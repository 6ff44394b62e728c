# Writes tests/data/python_written.safetensors with Python's safetensors (the
# python3 on PATH: pip install safetensors numpy). test_serialize.cpp reads it.
import numpy as np
from safetensors.numpy import save_file

save_file({
    "weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
    "steps": np.array([7, -1], dtype=np.int64),
    "mask": np.array([True, False, True]),
    "half": np.array([1.5, -2.25], dtype=np.float16),
    "bytes": np.array([[0, 255]], dtype=np.uint8),
    "scalar": np.array(3.25, dtype=np.float64),
}, "data/python_written.safetensors", metadata={"format": "np"})
