#!/usr/bin/env python3
"""Interoperability check between Ember's safetensors code and Python's `safetensors`.

Needs `pip install safetensors numpy` (checked with safetensors 0.8.0, numpy 2.4).

    check_safetensors.py write-python PATH   write the reference tensor set with Python safetensors
    check_safetensors.py check-swift PATH    check a file written by Ember (SafeTensorsInteropTests)
    check_safetensors.py swift-fixture       print the reference file as base64, for embedding in
                                             Tests/EmberTests/Checkpoint/SafeTensorsInteropTests.swift

Full round trip (what the Swift interop test expects):

    export EMBER_SAFETENSORS_INTEROP_DIR=$(mktemp -d)
    python3 Tests/Scripts/check_safetensors.py write-python $EMBER_SAFETENSORS_INTEROP_DIR/from_python.safetensors
    swift test --filter SafeTensorsInteropTests
    python3 Tests/Scripts/check_safetensors.py check-swift $EMBER_SAFETENSORS_INTEROP_DIR/from_swift.safetensors

The tensor set below is mirrored in SafeTensorsInteropTests.swift; keep the two in sync.
"""
import base64
import os
import sys

import numpy as np
import safetensors
import safetensors.numpy
from safetensors import TensorSpec, deserialize, safe_open, serialize, serialize_file

WEIRD_NAME = 'layer.0/we"ird\\name\n\x01\u2713'
METADATA = {"step": "42"}  # one key, so the header is deterministic (Rust HashMap order otherwise)


def reference_arrays():
    """name -> (safetensors dtype, numpy array); BF16 is stored as its uint16 bit patterns."""
    return {
        "weight": ("F32", (np.arange(6, dtype=np.float32) * 0.5 - 1.0).reshape(2, 3)),
        "bias": ("F64", np.array([0.1, -2.5, 3e100], dtype=np.float64)),
        "counter": ("I64", np.array(7, dtype=np.int64)),  # 0-d tensor
        "labels": ("U8", np.array([0, 1, 254, 255], dtype=np.uint8)),
        "index": ("I32", np.array([[-1, 2], [-2147483648, 2147483647]], dtype=np.int32)),
        "half": ("F16", np.array([1.0, -0.5, 65504.0, 2.0 ** -24], dtype=np.float16)),
        "empty": ("F32", np.zeros((0, 3), dtype=np.float32)),
        "mask": ("BOOL", np.array([True, False, True])),
        "brain": ("BF16", np.array([0x3F80, 0xC000, 0x4049], dtype=np.uint16)),  # 1.0, -2.0, 3.140625
        WEIRD_NAME: ("F32", np.array([1.5], dtype=np.float32)),
    }


NUMPY_NAME = {"BF16": "bfloat16"}


def specs(arrays):
    """Like safetensors.numpy's own flattening, plus BF16 from raw uint16 bit patterns."""
    result = {}
    for name, (dtype, array) in arrays.items():
        assert array.flags['C_CONTIGUOUS']
        assert sys.byteorder == "little"
        result[name] = TensorSpec(
            dtype=NUMPY_NAME.get(dtype, array.dtype.name),
            shape=array.shape,
            data_ptr=array.ctypes.data,
            data_len=array.nbytes,
        )
    return result


def python_bytes():
    arrays = reference_arrays()  # kept alive while serialize reads the pointers
    return bytes(serialize(specs(arrays), metadata=METADATA))


def write_python(path):
    arrays = reference_arrays()
    serialize_file(specs(arrays), path, metadata=METADATA)
    # The numpy-only subset also goes through the public numpy API, as users would call it.
    numpy_arrays = {k: a for k, (d, a) in arrays.items() if d != "BF16"}
    safetensors.numpy.save_file(numpy_arrays, path + ".numpy.safetensors", metadata=METADATA)
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and {path}.numpy.safetensors")


def check_swift(path):
    with open(path, "rb") as f:
        data = f.read()
    expected = reference_arrays()
    loaded = dict(deserialize(data))  # Python safetensors' own (validating) reader
    assert set(loaded) == set(expected), f"names differ: {sorted(loaded)} vs {sorted(expected)}"
    for name, (dtype, array) in expected.items():
        info = loaded[name]
        assert info["dtype"] == dtype, f"{name!r}: dtype {info['dtype']} != {dtype}"
        assert list(info["shape"]) == list(array.shape), f"{name!r}: shape {info['shape']} != {array.shape}"
        raw = bytes(info["data"])
        assert raw == array.tobytes(), f"{name!r}: data differs"
    with safe_open(path, framework="np") as f:
        assert f.metadata() == METADATA, f"metadata {f.metadata()} != {METADATA}"
        # Values through the numpy loader (BF16 has no numpy dtype, so skip it there).
        for name, (dtype, array) in expected.items():
            if dtype == "BF16":
                continue
            got = f.get_tensor(name)
            assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array), name
    reference = python_bytes()
    assert data == reference, "Swift file is not byte-identical to Python's serialization of the same tensors"
    print(f"OK: {path}: {len(loaded)} tensors, metadata {METADATA}, byte-identical to Python ({len(data)} bytes)")


def swift_fixture():
    print(base64.b64encode(python_bytes()).decode("ascii"))


def main(argv):
    if len(argv) == 3 and argv[1] == "write-python":
        write_python(argv[2])
    elif len(argv) == 3 and argv[1] == "check-swift":
        check_swift(argv[2])
    elif len(argv) == 2 and argv[1] == "swift-fixture":
        swift_fixture()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
