#!/usr/bin/env python3
"""Checks an Ember-written TensorBoard log with TensorBoard's own readers.

Usage:
    pip install tensorboard pillow      # pillow is optional (PNG contents check)
    EMBER_TEST_OUTPUT=/tmp/ember-out swift test --filter TensorBoardTests
    python3 Tests/Scripts/check_tensorboard.py /tmp/ember-out/tensorboard

The log is the canonical one written by
TensorBoardTests.testWritesCanonicalLogForPythonCheck (Tests/EmberTests/LoggingTests.swift):
  - scalar "loss/train" = float32(1 / (step + 1)) for steps 0..99
  - scalar "accuracy"   = float32(step / 100) for steps 0, 10, ..., 90
  - image "samples": an RGB grid of 6 8x8 images, 3 per row -> 32 x 22 pixels, step 100
  - image "digit": 28 x 28 grey, pixel i = i % 256, step 100
  - histogram "weights": 1000 values -5.00, -4.99, ..., 4.99 in 10 bins, step 100
  - text "config" (tag "config/text_summary"): "lr = 0.0002, batch = 64", step 0

Three independent checks:
  1. a raw pass over the file: TFRecord framing with tensorboard's masked_crc32c, every record
     parsed by the generated protobuf class tensorboard.compat.proto.event_pb2.Event;
  2. tensorboard.backend.event_processing.event_accumulator.EventAccumulator (the classic
     reader) loads tags, steps, values, images, histograms and text;
  3. plugin_event_accumulator.EventAccumulator, the reader behind the TensorBoard web UI, which
     migrates the legacy values to plugin tensors (data_compat): every tag must land in the
     scalars, images, histograms and text plugins.
Exits non-zero with a message on the first mismatch.
"""
import glob
import io
import os
import re
import struct
import sys

import numpy as np
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
from tensorboard.util import tensor_util


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def raw_records(path):
    """Yields TFRecord payloads, verifying both masked CRC-32C checksums."""
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        header = data[offset:offset + 8]
        check(len(header) == 8, f"truncated length at byte {offset}")
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        check(length_crc == masked_crc32c(header), f"length CRC mismatch at byte {offset}")
        payload = data[offset + 12:offset + 12 + length]
        check(len(payload) == length, f"truncated record at byte {offset}")
        (data_crc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
        check(data_crc == masked_crc32c(payload), f"data CRC mismatch at byte {offset}")
        yield payload
        offset += 16 + length


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    logdir = sys.argv[1]
    files = sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))
    check(len(files) == 1, f"expected one events file in {logdir}, found {files}")
    path = files[0]
    name = os.path.basename(path)
    check(re.fullmatch(r"events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+", name) is not None, f"bad file name {name}")

    # 1. Raw framing and protobuf parsing.
    events = [event_pb2.Event.FromString(p) for p in raw_records(path)]
    check(events[0].file_version == "brain.Event:2", f"first event is {events[0]}")
    check(events[0].wall_time > 1.6e9, "wall time of the first event")
    check(len(events) == 115, f"expected 115 records, got {len(events)}")
    print(f"raw: {len(events)} records, CRCs ok, first event file_version={events[0].file_version!r}, "
          f"writer={events[0].source_metadata.writer!r}")

    # 2. TensorBoard's EventAccumulator.
    acc = event_accumulator.EventAccumulator(path, size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0,
        event_accumulator.HISTOGRAMS: 0, event_accumulator.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    check(sorted(tags["scalars"]) == ["accuracy", "loss/train"], f"scalar tags {tags['scalars']}")
    check(sorted(tags["images"]) == ["digit", "samples"], f"image tags {tags['images']}")
    check(tags["histograms"] == ["weights"], f"histogram tags {tags['histograms']}")
    check("config/text_summary" in tags["tensors"], f"tensor tags {tags['tensors']}")

    loss = acc.Scalars("loss/train")
    check([e.step for e in loss] == list(range(100)), "loss steps")
    expected = [float(np.float32(1.0 / (s + 1))) for s in range(100)]
    check([e.value for e in loss] == expected, "loss values")
    accuracy = acc.Scalars("accuracy")
    check([e.step for e in accuracy] == list(range(0, 100, 10)), "accuracy steps")
    check([e.value for e in accuracy] == [float(np.float32(s / 100)) for s in range(0, 100, 10)], "accuracy values")
    print(f"scalars: loss/train {len(loss)} points (last {loss[-1].value:.6f} at step {loss[-1].step}), "
          f"accuracy {len(accuracy)} points")

    samples = acc.Images("samples")
    check(len(samples) == 1 and samples[0].step == 100, "samples image event")
    check((samples[0].width, samples[0].height) == (32, 22), f"samples size {samples[0].width}x{samples[0].height}")
    digit = acc.Images("digit")[0]
    check((digit.width, digit.height) == (28, 28), "digit size")
    for image in (samples[0], digit):
        check(image.encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    try:
        from PIL import Image
    except ImportError:
        print("images: sizes ok (install pillow to check pixels)")
    else:
        grid = Image.open(io.BytesIO(samples[0].encoded_image_string))
        grid.load()
        check(grid.mode == "RGB" and grid.size == (32, 22), f"samples PNG is {grid.mode} {grid.size}")
        grey = Image.open(io.BytesIO(digit.encoded_image_string))
        check(grey.mode == "L" and grey.size == (28, 28), f"digit PNG is {grey.mode} {grey.size}")
        check(list(grey.tobytes()) == [i % 256 for i in range(28 * 28)], "digit pixels")
        check(grid.getpixel((0, 0)) == (0, 0, 0), "grid padding is black")
        print("images: samples 32x22 RGB, digit 28x28 grey, decoded by Pillow, pixels ok")

    histogram = acc.Histograms("weights")
    check(len(histogram) == 1 and histogram[0].step == 100, "histogram event")
    h = histogram[0].histogram_value
    check(h.num == 1000 and abs(h.min + 5) < 1e-12 and abs(h.max - 4.99) < 1e-12, f"histogram stats {h}")
    check(abs(h.sum + 5.0) < 1e-9, f"histogram sum {h.sum}")
    check(sum(h.bucket) == 1000 and len(h.bucket) == 11 and len(h.bucket_limit) == 11, "histogram buckets")
    print(f"histogram: num={h.num:.0f} min={h.min} max={h.max} buckets={[int(b) for b in h.bucket]}")

    text = acc.Tensors("config/text_summary")
    check(len(text) == 1 and text[0].step == 0, "text event")
    value = tensor_util.make_ndarray(text[0].tensor_proto)
    check(value.tolist() == [b"lr = 0.0002, batch = 64"], f"text value {value}")
    print(f"text: {value.tolist()[0].decode()!r}")

    # 3. The web UI's reader, with legacy-to-plugin migration.
    from tensorboard.backend.event_processing import plugin_event_accumulator
    ui = plugin_event_accumulator.EventAccumulator(path, size_guidance={plugin_event_accumulator.TENSORS: 0})
    ui.Reload()
    plugins = {name: sorted(ui.PluginTagToContent(name)) for name in ["scalars", "images", "histograms", "text"]}
    check(plugins == {"scalars": ["accuracy", "loss/train"], "images": ["digit", "samples"],
                      "histograms": ["weights"], "text": ["config/text_summary"]}, f"plugin tags {plugins}")
    migrated = ui.Tensors("loss/train")
    check([float(tensor_util.make_ndarray(e.tensor_proto)) for e in migrated] == expected, "migrated loss values")
    print(f"ui reader: {plugins}")

    print(f"OK: {path} read by tensorboard {__import__('tensorboard').__version__}")


if __name__ == "__main__":
    main()
