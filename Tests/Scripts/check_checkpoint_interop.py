#!/usr/bin/env python3
"""Ember checkpoints <-> Python `safetensors`, at the level of a model's state dict.

Needs only `pip install safetensors numpy`. The architecture on both sides is PyTorch's
    nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
whose state-dict keys are 0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean, 1.running_var,
1.num_batches_tracked, 3.weight, 3.bias. Values are deterministic: element i of the tensor with
key k is (i + offset(k)) / 16 with offset the position of k in that list (num_batches_tracked = 5).

    check_checkpoint_interop.py write-torch-style DIR   write DIR/torch_style.safetensors (no prefix)
    check_checkpoint_interop.py check-ember DIR         check DIR/ember_checkpoint.safetensors
                                                        (keys under the prefix "model.")

The Swift side is Tests/EmberTests/Checkpoint/CheckpointInteropTests.swift, which runs when
EMBER_INTEROP_DIR is set; .ci/run drives the round trip when the two packages install.
"""
import os
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

SHAPES = [("0.weight", (8, 4)), ("0.bias", (8,)), ("1.weight", (8,)), ("1.bias", (8,)),
          ("1.running_mean", (8,)), ("1.running_var", (8,)), ("1.num_batches_tracked", ()),
          ("3.weight", (2, 8)), ("3.bias", (2,))]


def expected(key, shape):
    if key.endswith("num_batches_tracked"):
        return np.array(5, dtype=np.int64)
    offset = [k for k, _ in SHAPES].index(key)
    n = int(np.prod(shape)) if shape else 1
    return ((np.arange(n, dtype=np.float32) + offset) / 16).reshape(shape)


def write_torch_style(directory):
    tensors = {k: expected(k, s) for k, s in SHAPES}
    save_file(tensors, os.path.join(directory, "torch_style.safetensors"))
    print("wrote", len(tensors), "tensors")


def check_ember(directory):
    path = os.path.join(directory, "ember_checkpoint.safetensors")
    loaded = load_file(path)
    model = {k[len("model."):]: v for k, v in loaded.items() if k.startswith("model.")}
    problems = []
    if set(model) != {k for k, _ in SHAPES}:
        problems.append(f"keys differ: {sorted(model)}")
    for key, shape in SHAPES:
        if key not in model:
            continue
        arr = model[key]
        want = expected(key, shape)
        if arr.dtype != want.dtype:
            problems.append(f"{key}: dtype {arr.dtype}, expected {want.dtype}")
        if arr.shape != want.shape:
            problems.append(f"{key}: shape {arr.shape}, expected {want.shape}")
        elif not np.array_equal(arr, want):
            problems.append(f"{key}: values differ")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"ok: {len(model)} tensors with PyTorch names, dtypes, shapes and values")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write-torch-style", "check-ember"):
        print(__doc__)
        sys.exit(2)
    {"write-torch-style": write_torch_style, "check-ember": check_ember}[sys.argv[1]](sys.argv[2])
