#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Ember's tests.

Usage (needs torch 2.13 CPU + numpy; CI does NOT run this, it only reads the JSON):

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0+cpu numpy   # CPU wheel only
    cd Tests/EmberTests/Fixtures && /tmp/torchenv/bin/python generate_fixtures.py

Writes activations.json, losses.json, layers.json, batchnorm.json, init.json,
optimizers.json, schedulers.json next to this script. The output is deterministic
(fixed seeds, one thread, no timestamps): re-running on the same torch version gives
byte-identical files. FIXTURES.md documents the format and every case.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
torch.use_deterministic_algorithms(True)

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------
# Tensor <-> JSON encoding
# ---------------------------------------------------------------------------

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int64",
}


def _f32(v):
    """Shortest decimal that round-trips to this float32 (at most 9 significant digits)."""
    f = np.float32(v)
    if not np.isfinite(f):
        raise ValueError(f"non-finite float32 value {f!r} cannot be stored in JSON")
    d = float(str(f))
    assert np.float32(d) == f and (np.signbit(np.float32(d)) == np.signbit(f)), (f, d)
    return d


def _f64(v):
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"non-finite float64 value {f!r} cannot be stored in JSON")
    return f


def enc(t):
    """Encode a tensor as {"dtype", "shape", "data" (flat, C order)}."""
    t = t.detach().cpu().contiguous()
    if t.dtype not in DTYPE_NAMES:
        raise TypeError(f"unsupported dtype {t.dtype}")
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        data = [_f32(v) for v in flat]
    elif t.dtype == torch.float64:
        data = [_f64(v) for v in flat]
    else:
        data = [int(v) for v in flat]
    return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": data}


def jsonable(v):
    """Best-effort conversion of hyper-parameter / state values to JSON."""
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            return repr(v)
        return v
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return repr(v)


# ---------------------------------------------------------------------------
# Compact-but-readable JSON writer: objects indented, numeric lists on one line.
# ---------------------------------------------------------------------------


def _is_flat_list(v):
    return isinstance(v, list) and all(not isinstance(x, (list, dict)) for x in v)


def _dump(v, indent, level):
    pad = " " * (indent * level)
    pad_in = " " * (indent * (level + 1))
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [f"{pad_in}{json.dumps(str(k))}: {_dump(x, indent, level + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if _is_flat_list(v):
            return "[" + ",".join(json.dumps(x, allow_nan=False) for x in v) + "]"
        items = [pad_in + _dump(x, indent, level + 1) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(v, allow_nan=False)


def write_file(name, description, cases, extra=None):
    doc = {
        "format_version": FORMAT_VERSION,
        "generator": "Tests/EmberTests/Fixtures/generate_fixtures.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "description": description,
    }
    if extra:
        doc.update(extra)
    doc["cases"] = cases
    text = _dump(doc, 1, 0) + "\n"
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        f.write(text)
    _verify_roundtrip(path)
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"duplicate case names in {name}"
    print(f"{name}: {len(cases)} cases, {len(text)} bytes")


def _verify_roundtrip(path):
    """Reload the file; check shapes vs data lengths, ints, and canonical float32 text."""
    with open(path) as f:
        doc = json.load(f)

    def walk(v):
        if isinstance(v, dict):
            if set(v.keys()) == {"dtype", "shape", "data"}:
                n = int(np.prod(v["shape"])) if v["shape"] else 1
                assert len(v["data"]) == n, (path, v["shape"], len(v["data"]))
                if v["dtype"] == "float32":
                    for x in v["data"]:
                        # text is the canonical shortest float32 repr (idempotent re-encoding)
                        assert float(str(np.float32(x))) == x, (path, x)
                elif v["dtype"] == "int64":
                    assert all(isinstance(x, int) for x in v["data"])
                return
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def leaf(t, dtype=torch.float32):
    return t.detach().to(dtype).clone().requires_grad_(True)


def fwd_bwd(fn, inputs, grad_names, upstream=None, upstream_seed=None):
    """inputs: ordered dict name -> tensor (float leaves get requires_grad if in grad_names).

    Returns (output, upstream, grads dict). If upstream is None the upstream gradient is
    a random normal tensor of the output's shape (seeded by upstream_seed)."""
    ins = {}
    for k, v in inputs.items():
        if k in grad_names:
            ins[k] = leaf(v, v.dtype)
        else:
            ins[k] = v
    out = fn(**ins)
    if upstream is None:
        g = torch.Generator().manual_seed(upstream_seed if upstream_seed is not None else 1234)
        upstream = torch.randn(out.shape, generator=g, dtype=torch.float32).to(out.dtype)
    upstream = upstream.to(out.dtype)
    out.backward(upstream)
    grads = {k: ins[k].grad for k in grad_names}
    for k, v in grads.items():
        assert v is not None, f"no grad for {k}"
    return out.detach(), upstream, grads


def make_case(name, op, torch_expr, params, inputs, grad_names, fn, upstream=None, upstream_seed=None,
              extra=None):
    out, up, grads = fwd_bwd(fn, inputs, grad_names, upstream=upstream, upstream_seed=upstream_seed)
    case = {
        "name": name,
        "op": op,
        "torch": torch_expr,
        "params": params,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "output": enc(out),
        "upstream": enc(up),
        "grads": {k: enc(v) for k, v in grads.items()},
    }
    if extra:
        case.update(extra)
    return case


def seeded(seed):
    torch.manual_seed(seed)
    return seed


# ---------------------------------------------------------------------------
# 1. activations.json
# ---------------------------------------------------------------------------

SPECIALS = [-100.0, -30.0, -20.5, -20.0, -5.0, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 5.0,
            19.5, 20.0, 20.5, 30.0, 100.0]


def activation_input(seed):
    seeded(seed)
    rnd = torch.randn(32 - len(SPECIALS)) * 3.0
    x = torch.cat([torch.tensor(SPECIALS, dtype=torch.float32), rnd])
    return x.reshape(4, 8)


def softmax_input(seed):
    seeded(seed)
    x = torch.randn(2, 3, 4) * 2.0
    x[0, 0] = torch.tensor([100.0, -100.0, 30.0, -30.0])
    x[1, 2] = torch.tensor([-50.0, 50.0, 50.0, 0.0])   # tie of two large values along dim -1
    x[1, :, 1] = torch.tensor([30.0, -30.0, 50.0])      # large values along dim 1
    return x


def gen_activations():
    cases = []
    elementwise = [
        ("relu", "relu", "F.relu(x)", {}, lambda x: F.relu(x)),
        ("leaky_relu_0.01", "leaky_relu", "F.leaky_relu(x, negative_slope=0.01)", {"negative_slope": 0.01},
         lambda x: F.leaky_relu(x, 0.01)),
        ("leaky_relu_0.2", "leaky_relu", "F.leaky_relu(x, negative_slope=0.2)", {"negative_slope": 0.2},
         lambda x: F.leaky_relu(x, 0.2)),
        ("sigmoid", "sigmoid", "torch.sigmoid(x)", {}, torch.sigmoid),
        ("tanh", "tanh", "torch.tanh(x)", {}, torch.tanh),
        ("softplus", "softplus", "F.softplus(x, beta=1, threshold=20)", {"beta": 1.0, "threshold": 20.0},
         lambda x: F.softplus(x, beta=1, threshold=20)),
        ("softplus_beta2", "softplus", "F.softplus(x, beta=2, threshold=20)", {"beta": 2.0, "threshold": 20.0},
         lambda x: F.softplus(x, beta=2, threshold=20)),
        ("elu", "elu", "F.elu(x, alpha=1.0)", {"alpha": 1.0}, lambda x: F.elu(x, alpha=1.0)),
        ("gelu_none", "gelu", "F.gelu(x, approximate='none')", {"approximate": "none"},
         lambda x: F.gelu(x, approximate="none")),
        ("gelu_tanh", "gelu", "F.gelu(x, approximate='tanh')", {"approximate": "tanh"},
         lambda x: F.gelu(x, approximate="tanh")),
    ]
    f64_names = {"sigmoid", "tanh", "softplus", "gelu_none", "gelu_tanh", "elu"}
    for i, (name, op, expr, params, fn) in enumerate(elementwise):
        x = activation_input(100 + i)
        cases.append(make_case(name, op, expr, params, {"x": x}, ["x"], lambda x, fn=fn: fn(x),
                               upstream_seed=200 + i))
        if name in f64_names:
            cases.append(make_case(name + "_f64", op, expr + "  # float64", params, {"x": x.double()}, ["x"],
                                   lambda x, fn=fn: fn(x), upstream_seed=200 + i))
    j = 0
    for op, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
        for dim in (-1, 1):
            x = softmax_input(300 + j)
            name = f"{op}_dim{dim}"
            expr = f"F.{op}(x, dim={dim})"
            cases.append(make_case(name, op, expr, {"dim": dim}, {"x": x}, ["x"],
                                   lambda x, fn=fn, dim=dim: fn(x, dim=dim), upstream_seed=400 + j))
            if dim == -1:
                cases.append(make_case(name + "_f64", op, expr + "  # float64", {"dim": dim}, {"x": x.double()},
                                       ["x"], lambda x, fn=fn, dim=dim: fn(x, dim=dim), upstream_seed=400 + j))
            j += 1
    write_file("activations.json",
               "Elementwise activations and softmax/log_softmax: forward output and gradient w.r.t. x "
               "for a random upstream gradient.", cases)


# ---------------------------------------------------------------------------
# 2. losses.json
# ---------------------------------------------------------------------------


def scalar_upstream(out):
    return torch.ones((), dtype=out.dtype)


def loss_cases(base, op, expr_fmt, inputs, grad_names, fn, seed, dtype_suffix="", reductions=("mean", "sum", "none"),
               extra_params=None):
    cases = []
    for k, red in enumerate(reductions):
        params = dict(extra_params or {})
        params["reduction"] = red
        up = None
        if red != "none":
            up = torch.ones((), dtype=torch.float32)
        cases.append(make_case(f"{base}_{red}{dtype_suffix}", op, expr_fmt.format(red=red), params, inputs,
                               grad_names, lambda fn=fn, red=red, **kw: fn(reduction=red, **kw),
                               upstream=up, upstream_seed=seed + k))
    return cases


def gen_losses():
    cases = []
    # --- mse / l1 -----------------------------------------------------------
    seeded(1)
    x = torch.randn(3, 4)
    y = torch.randn(3, 4)
    cases += loss_cases("mse", "mse_loss", "F.mse_loss(input, target, reduction='{red}')",
                        {"input": x, "target": y}, ["input"],
                        lambda input, target, reduction: F.mse_loss(input, target, reduction=reduction), 10)
    seeded(2)
    x = torch.randn(3, 4)
    y = torch.randn(3, 4)
    y[0, 0] = x[0, 0]  # exact tie: d|x-y|/dx = sign(0) = 0
    cases += loss_cases("l1", "l1_loss", "F.l1_loss(input, target, reduction='{red}')",
                        {"input": x, "target": y}, ["input"],
                        lambda input, target, reduction: F.l1_loss(input, target, reduction=reduction), 20)

    # --- binary_cross_entropy ----------------------------------------------
    seeded(3)
    p_special = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1e-7, 0.99999988, 0.5, 1e-30]
    y_special = [0.0, 1.0, 0.0, 1.0, 0.3, 0.7, 1.0, 0.0, 0.5, 1.0]
    p = torch.cat([torch.tensor(p_special), torch.rand(14) * 0.98 + 0.01]).reshape(4, 6)
    yt = torch.cat([torch.tensor(y_special), (torch.rand(14) > 0.5).float()]).reshape(4, 6)
    yt[3, 5] = 0.25  # one more soft target
    cases += loss_cases("bce", "binary_cross_entropy",
                        "F.binary_cross_entropy(input, target, reduction='{red}')",
                        {"input": p, "target": yt}, ["input"],
                        lambda input, target, reduction: F.binary_cross_entropy(input, target, reduction=reduction),
                        30)
    w = torch.rand(6) + 0.5
    cases += loss_cases("bce_weight", "binary_cross_entropy",
                        "F.binary_cross_entropy(input, target, weight=weight, reduction='{red}')",
                        {"input": p, "target": yt, "weight": w}, ["input"],
                        lambda input, target, weight, reduction: F.binary_cross_entropy(
                            input, target, weight=weight, reduction=reduction), 35, reductions=("mean",))
    cases += loss_cases("bce", "binary_cross_entropy",
                        "F.binary_cross_entropy(input, target, reduction='{red}')  # float64",
                        {"input": p.double(), "target": yt.double()}, ["input"],
                        lambda input, target, reduction: F.binary_cross_entropy(input, target, reduction=reduction),
                        30, dtype_suffix="_f64", reductions=("mean",))

    # --- binary_cross_entropy_with_logits ----------------------------------
    seeded(4)
    z_special = [100.0, 100.0, -100.0, -100.0, 30.0, -30.0, 30.0, -30.0, 0.0, 0.0, 20.0, -20.0]
    t_special = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.3, 0.3]
    z = torch.cat([torch.tensor(z_special), torch.randn(12) * 3.0]).reshape(4, 6)
    tz = torch.cat([torch.tensor(t_special), (torch.rand(12) > 0.5).float()]).reshape(4, 6)
    cases += loss_cases("bce_logits", "binary_cross_entropy_with_logits",
                        "F.binary_cross_entropy_with_logits(input, target, reduction='{red}')",
                        {"input": z, "target": tz}, ["input"],
                        lambda input, target, reduction: F.binary_cross_entropy_with_logits(
                            input, target, reduction=reduction), 40)
    cases += loss_cases("bce_logits", "binary_cross_entropy_with_logits",
                        "F.binary_cross_entropy_with_logits(input, target, reduction='{red}')  # float64",
                        {"input": z.double(), "target": tz.double()}, ["input"],
                        lambda input, target, reduction: F.binary_cross_entropy_with_logits(
                            input, target, reduction=reduction), 40, dtype_suffix="_f64", reductions=("mean",))
    pw = torch.rand(6) * 2 + 0.5
    cases += loss_cases("bce_logits_pos_weight", "binary_cross_entropy_with_logits",
                        "F.binary_cross_entropy_with_logits(input, target, pos_weight=pos_weight, reduction='{red}')",
                        {"input": z, "target": tz, "pos_weight": pw}, ["input"],
                        lambda input, target, pos_weight, reduction: F.binary_cross_entropy_with_logits(
                            input, target, pos_weight=pos_weight, reduction=reduction), 45,
                        reductions=("mean", "none"))

    # --- cross_entropy ------------------------------------------------------
    seeded(5)
    logits = torch.randn(6, 4) * 2.0
    logits[1] = torch.tensor([100.0, -100.0, 30.0, 0.0])
    logits[4] = torch.tensor([-30.0, 50.0, 50.0, -100.0])
    tgt = torch.tensor([2, 0, 3, 1, 2, 0], dtype=torch.int64)
    cases += loss_cases("cross_entropy", "cross_entropy",
                        "F.cross_entropy(input, target, reduction='{red}', label_smoothing=0.0)",
                        {"input": logits, "target": tgt}, ["input"],
                        lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction), 50,
                        extra_params={"label_smoothing": 0.0, "ignore_index": -100})
    cases += loss_cases("cross_entropy", "cross_entropy",
                        "F.cross_entropy(input, target, reduction='{red}')  # float64",
                        {"input": logits.double(), "target": tgt}, ["input"],
                        lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction), 50,
                        dtype_suffix="_f64", reductions=("mean",),
                        extra_params={"label_smoothing": 0.0, "ignore_index": -100})
    # extras: class weights (mean divides by the sum of the selected weights) and ignore_index
    cw = torch.tensor([0.5, 1.0, 2.0, 1.5])
    cases += loss_cases("cross_entropy_weight", "cross_entropy",
                        "F.cross_entropy(input, target, weight=weight, reduction='{red}')",
                        {"input": logits, "target": tgt, "weight": cw}, ["input"],
                        lambda input, target, weight, reduction: F.cross_entropy(
                            input, target, weight=weight, reduction=reduction), 55, reductions=("mean", "none"),
                        extra_params={"label_smoothing": 0.0, "ignore_index": -100})
    tgt_ign = tgt.clone()
    tgt_ign[3] = -100
    cases += loss_cases("cross_entropy_ignore_index", "cross_entropy",
                        "F.cross_entropy(input, target, reduction='{red}')  # target[3] == -100 is ignored",
                        {"input": logits, "target": tgt_ign}, ["input"],
                        lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction), 57,
                        reductions=("mean", "none"), extra_params={"label_smoothing": 0.0, "ignore_index": -100})

    # --- nll_loss -----------------------------------------------------------
    seeded(6)
    lp = F.log_softmax(torch.randn(6, 4) * 2.0, dim=1)
    tgt = torch.tensor([1, 3, 0, 0, 2, 3], dtype=torch.int64)
    cases += loss_cases("nll", "nll_loss", "F.nll_loss(input, target, reduction='{red}')",
                        {"input": lp, "target": tgt}, ["input"],
                        lambda input, target, reduction: F.nll_loss(input, target, reduction=reduction), 60,
                        extra_params={"ignore_index": -100})
    write_file("losses.json",
               "Loss functions: forward value and gradient w.r.t. input. For reduction mean/sum the output is a "
               "0-d tensor and the upstream gradient is 1.0 (i.e. loss.backward()); for 'none' the upstream is "
               "random.", cases)


# ---------------------------------------------------------------------------
# 3. layers.json
# ---------------------------------------------------------------------------


def pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def module_case(name, op, torch_expr, params, module, x, upstream_seed, forward_kwargs=None, extra=None,
                x_grad=True, x_name="x"):
    """Run module on x with its parameters as explicit leaves; record them under inputs with their grads."""
    from torch.func import functional_call
    inputs = {x_name: x}
    grad_names = [x_name] if x_grad else []
    pnames = []
    for n, p in module.named_parameters():
        inputs[n] = p.detach().clone()
        grad_names.append(n)
        pnames.append(n)

    def fn(**kw):
        return functional_call(module, {n: kw[n] for n in pnames}, (kw[x_name],), forward_kwargs or {})

    return make_case(name, op, torch_expr, params, inputs, grad_names, fn, upstream_seed=upstream_seed, extra=extra)


def conv_params(m, transposed=False):
    p = {
        "in_channels": m.in_channels,
        "out_channels": m.out_channels,
        "kernel_size": list(m.kernel_size),
        "stride": list(m.stride),
        "padding": m.padding if isinstance(m.padding, str) else list(m.padding),
        "dilation": list(m.dilation),
        "groups": m.groups,
        "bias": m.bias is not None,
    }
    if transposed:
        p["output_padding"] = list(m.output_padding)
    return p


def gen_layers():
    cases = []
    seed = 1000

    # --- Linear ---------------------------------------------------------------
    for name, bias, xshape in [("linear", True, (4, 5)), ("linear_nobias", False, (4, 5)),
                               ("linear_3d_input", True, (2, 3, 5))]:
        seed += 1
        seeded(seed)
        m = nn.Linear(5, 3, bias=bias)
        x = torch.randn(*xshape)
        cases.append(module_case(name, "linear", f"F.linear(x, weight, {'bias' if bias else 'None'})",
                                 {"in_features": 5, "out_features": 3, "bias": bias}, m, x, seed))

    # --- Conv2d -----------------------------------------------------------------
    conv_specs = [
        # name, Cin, Cout, k, kwargs, input shape
        ("conv2d_k3_s1_p0", 3, 4, 3, dict(), (2, 3, 7, 9)),
        ("conv2d_k5_p2", 2, 3, 5, dict(padding=2), (1, 2, 7, 9)),
        ("conv2d_k3_s2_p1", 3, 4, 3, dict(stride=2, padding=1), (2, 3, 7, 9)),
        ("conv2d_k3_s2_p0_odd", 2, 3, 3, dict(stride=2), (1, 2, 7, 9)),
        ("conv2d_k3_dilation2", 2, 3, 3, dict(dilation=2), (1, 2, 7, 9)),
        ("conv2d_groups2", 4, 6, 3, dict(padding=1, groups=2), (1, 4, 5, 6)),
        ("conv2d_nobias", 2, 3, 3, dict(bias=False), (1, 2, 5, 5)),
        ("conv2d_same_k3", 2, 3, 3, dict(padding="same"), (1, 2, 7, 9)),
        ("conv2d_same_k4", 2, 3, 4, dict(padding="same"), (1, 2, 7, 9)),
        ("conv2d_k2x3_s2x1_p1x0", 2, 3, (2, 3), dict(stride=(2, 1), padding=(1, 0)), (1, 2, 7, 9)),
    ]
    for name, cin, cout, k, kw, xs in conv_specs:
        seed += 1
        seeded(seed)
        m = nn.Conv2d(cin, cout, k, **kw)
        x = torch.randn(*xs)
        p = conv_params(m)
        expr = (f"F.conv2d(x, weight, {'bias' if p['bias'] else 'None'}, stride={tuple(p['stride'])}, "
                f"padding={p['padding'] if isinstance(p['padding'], str) else tuple(p['padding'])!r}, "
                f"dilation={tuple(p['dilation'])}, groups={p['groups']})")
        cases.append(module_case(name, "conv2d", expr, p, m, x, seed))
        if name == "conv2d_k3_s2_p1":
            m64 = m.double()
            cases.append(module_case(name + "_f64", "conv2d", expr + "  # float64", p, m64, x.double(), seed))

    # --- ConvTranspose2d --------------------------------------------------------
    convt_specs = [
        ("conv_transpose2d_k5_s2_p2_op1", 3, 2, 5, dict(stride=2, padding=2, output_padding=1), (1, 3, 7, 7)),
        ("conv_transpose2d_k4_s2_p1", 3, 2, 4, dict(stride=2, padding=1), (2, 3, 4, 5)),
        ("conv_transpose2d_k4_s1_p0_1x1", 5, 3, 4, dict(stride=1, padding=0), (2, 5, 1, 1)),
        ("conv_transpose2d_groups2", 4, 6, 3, dict(stride=2, padding=1, groups=2), (1, 4, 3, 4)),
        ("conv_transpose2d_dilation2", 2, 3, 3, dict(dilation=2), (1, 2, 4, 5)),
        ("conv_transpose2d_k3_s2_nobias", 2, 3, 3, dict(stride=2, bias=False), (1, 2, 3, 4)),
        ("conv_transpose2d_k3_s2_p1_op1_rect", 2, 2, (3, 2), dict(stride=(2, 3), padding=(1, 0),
                                                                    output_padding=(1, 2)), (1, 2, 3, 4)),
    ]
    for name, cin, cout, k, kw, xs in convt_specs:
        seed += 1
        seeded(seed)
        m = nn.ConvTranspose2d(cin, cout, k, **kw)
        x = torch.randn(*xs)
        p = conv_params(m, transposed=True)
        expr = (f"F.conv_transpose2d(x, weight, {'bias' if p['bias'] else 'None'}, stride={tuple(p['stride'])}, "
                f"padding={tuple(p['padding'])}, output_padding={tuple(p['output_padding'])}, "
                f"groups={p['groups']}, dilation={tuple(p['dilation'])})")
        cases.append(module_case(name, "conv_transpose2d", expr, p, m, x, seed))

    # ConvTranspose2d with output_size passed to forward (output_padding is inferred)
    for name, cin, cout, xs, osize in [
        ("conv_transpose2d_k5_s2_p2_output_size_7to14", 2, 2, (1, 2, 7, 7), [14, 14]),
        ("conv_transpose2d_k5_s2_p2_output_size_14to28", 1, 1, (1, 1, 14, 14), [28, 28]),
        ("conv_transpose2d_k5_s2_p2_output_size_7to13", 2, 2, (1, 2, 7, 7), [13, 13]),
    ]:
        seed += 1
        seeded(seed)
        m = nn.ConvTranspose2d(cin, cout, 5, stride=2, padding=2)
        x = torch.randn(*xs)
        p = conv_params(m, transposed=True)
        p["output_size"] = osize
        inferred = m._output_padding(x, osize, list(m.stride), list(m.padding), list(m.kernel_size), 2,
                                     list(m.dilation))
        expr = (f"nn.ConvTranspose2d({cin}, {cout}, 5, stride=2, padding=2)(x, output_size={osize})  "
                f"== F.conv_transpose2d(x, weight, bias, stride=2, padding=2, output_padding={tuple(inferred)})")
        cases.append(module_case(name, "conv_transpose2d", expr, p, m, x, seed,
                                 forward_kwargs={"output_size": osize},
                                 extra={"inferred_output_padding": list(inferred)}))
    # output-size table only (no values): input size, output_size -> output shape / inferred output_padding
    table = []
    for (cin, cout, k, s, pd, hin, osz) in [(128, 128, 5, 2, 2, 7, 14), (128, 1, 5, 2, 2, 14, 28),
                                            (128, 128, 5, 2, 2, 7, 13), (8, 8, 3, 2, 1, 7, 14),
                                            (8, 8, 4, 2, 1, 7, 14), (8, 8, 4, 2, 1, 7, 15)]:
        m = nn.ConvTranspose2d(cin, cout, k, stride=s, padding=pd)
        x = torch.zeros(1, cin, hin, hin)
        with torch.no_grad():
            y = m(x, output_size=[osz, osz])
            y_default = m(x)
        op = m._output_padding(x, [osz, osz], list(m.stride), list(m.padding), list(m.kernel_size), 2,
                               list(m.dilation))
        table.append({"in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": s, "padding": pd,
                      "input_shape": list(x.shape), "output_size": [osz, osz],
                      "output_shape": list(y.shape), "inferred_output_padding": list(op),
                      "output_shape_without_output_size": list(y_default.shape)})
    cases.append({"name": "conv_transpose2d_output_size_shapes", "op": "conv_transpose2d_shapes",
                  "torch": "nn.ConvTranspose2d(cin, cout, k, stride=s, padding=p)(x, output_size=[o, o]).shape",
                  "params": {}, "shapes": table})

    # --- MaxPool2d --------------------------------------------------------------------
    pool_specs = [
        ("max_pool2d_k2_s2", dict(kernel_size=2, stride=2), (1, 2, 6, 6)),
        ("max_pool2d_k2_s2_odd_floor", dict(kernel_size=2, stride=2), (1, 2, 7, 9)),
        ("max_pool2d_k3_s2_p1", dict(kernel_size=3, stride=2, padding=1), (2, 2, 7, 9)),
        ("max_pool2d_k2_s2_ceil", dict(kernel_size=2, stride=2, ceil_mode=True), (1, 2, 7, 9)),
        ("max_pool2d_k3_s2_ceil", dict(kernel_size=3, stride=2, ceil_mode=True), (1, 1, 8, 8)),
        ("max_pool2d_k2_default_stride", dict(kernel_size=2), (1, 1, 5, 5)),
    ]
    for name, kw, xs in pool_specs:
        seed += 1
        seeded(seed)
        x = torch.randn(*xs)
        kw2 = dict(kw)
        kw2.setdefault("stride", None)
        kw2.setdefault("padding", 0)
        kw2.setdefault("ceil_mode", False)
        params = {"kernel_size": pair(kw2["kernel_size"]),
                  "stride": pair(kw2["stride"]) if kw2["stride"] is not None else None,
                  "padding": pair(kw2["padding"]), "dilation": [1, 1], "ceil_mode": kw2["ceil_mode"]}
        _, idx = F.max_pool2d(x, return_indices=True, **kw)
        expr = "F.max_pool2d(x, " + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ")"
        cases.append(make_case(name, "max_pool2d", expr, params, {"x": x}, ["x"],
                               lambda x, kw=kw: F.max_pool2d(x, **kw), upstream_seed=seed,
                               extra={"indices": enc(idx)}))
    # ties: integer-valued input with repeated maxima inside windows
    seed += 1
    seeded(seed)
    x = torch.tensor([[3., 3., 1., 2., 2.],
                      [1., 3., 2., 2., 0.],
                      [5., 1., 5., 4., 4.],
                      [0., 5., 4., 4., 1.],
                      [7., 7., 1., 1., 1.]]).reshape(1, 1, 5, 5)
    _, idx = F.max_pool2d(x, 2, 1, return_indices=True)
    cases.append(make_case("max_pool2d_ties_k2_s1", "max_pool2d", "F.max_pool2d(x, kernel_size=2, stride=1)",
                           {"kernel_size": [2, 2], "stride": [1, 1], "padding": [0, 0], "dilation": [1, 1],
                            "ceil_mode": False}, {"x": x}, ["x"], lambda x: F.max_pool2d(x, 2, 1),
                           upstream_seed=seed, extra={"indices": enc(idx)}))

    # --- AvgPool2d ---------------------------------------------------------------
    avg_specs = [
        ("avg_pool2d_k2", dict(kernel_size=2), (1, 2, 6, 7)),
        ("avg_pool2d_k3_s2_p1_include_pad", dict(kernel_size=3, stride=2, padding=1, count_include_pad=True),
         (1, 2, 7, 9)),
        ("avg_pool2d_k3_s2_p1_exclude_pad", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
         (1, 2, 7, 9)),
        ("avg_pool2d_k2_s2_ceil", dict(kernel_size=2, stride=2, ceil_mode=True), (1, 2, 7, 9)),
        ("avg_pool2d_k3_s2_p1_ceil_include_pad", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                                      count_include_pad=True), (1, 1, 6, 8)),
        ("avg_pool2d_k3_s2_p1_ceil_exclude_pad", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                                      count_include_pad=False), (1, 1, 6, 8)),
    ]
    for name, kw, xs in avg_specs:
        seed += 1
        seeded(seed)
        x = torch.randn(*xs)
        params = {"kernel_size": pair(kw["kernel_size"]),
                  "stride": pair(kw["stride"]) if "stride" in kw else None,
                  "padding": pair(kw.get("padding", 0)), "ceil_mode": kw.get("ceil_mode", False),
                  "count_include_pad": kw.get("count_include_pad", True), "divisor_override": None}
        expr = "F.avg_pool2d(x, " + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ")"
        cases.append(make_case(name, "avg_pool2d", expr, params, {"x": x}, ["x"],
                               lambda x, kw=kw: F.avg_pool2d(x, **kw), upstream_seed=seed))

    # --- AdaptiveAvgPool2d ---------------------------------------------------------
    for hw in [(7, 7), (5, 7)]:
        for osz in [(1, 1), (3, 3)]:
            seed += 1
            seeded(seed)
            x = torch.randn(1, 2, *hw)
            name = f"adaptive_avg_pool2d_{hw[0]}x{hw[1]}_to_{osz[0]}x{osz[1]}"
            cases.append(make_case(name, "adaptive_avg_pool2d", f"F.adaptive_avg_pool2d(x, {osz})",
                                   {"output_size": list(osz)}, {"x": x}, ["x"],
                                   lambda x, osz=osz: F.adaptive_avg_pool2d(x, osz), upstream_seed=seed))

    # --- Upsample / interpolate -------------------------------------------------------
    up_specs = [
        ("upsample_nearest_x2", dict(scale_factor=2, mode="nearest"), (1, 2, 3, 4)),
        ("upsample_nearest_size_5x7", dict(size=(5, 7), mode="nearest"), (1, 2, 3, 4)),
        # scale 1.7: src = floor(dst / 1.7) differs from floor(dst * in / out) for some dst
        ("upsample_nearest_x1.7", dict(scale_factor=1.7, mode="nearest"), (1, 1, 5, 4)),
        ("upsample_bilinear_x2_align_false", dict(scale_factor=2, mode="bilinear", align_corners=False),
         (1, 2, 3, 4)),
        ("upsample_bilinear_x2_align_true", dict(scale_factor=2, mode="bilinear", align_corners=True),
         (1, 2, 3, 4)),
        ("upsample_bilinear_size_5x7_align_false", dict(size=(5, 7), mode="bilinear", align_corners=False),
         (1, 2, 3, 4)),
        ("upsample_bilinear_size_5x7_align_true", dict(size=(5, 7), mode="bilinear", align_corners=True),
         (1, 2, 3, 4)),
        ("upsample_bilinear_x1.5_align_false", dict(scale_factor=1.5, mode="bilinear", align_corners=False),
         (1, 1, 3, 4)),
        ("upsample_bilinear_size_2x3_down_align_false", dict(size=(2, 3), mode="bilinear", align_corners=False),
         (1, 1, 5, 7)),
    ]
    for name, kw, xs in up_specs:
        seed += 1
        seeded(seed)
        x = torch.randn(*xs)
        params = {"size": list(kw["size"]) if "size" in kw else None,
                  "scale_factor": float(kw["scale_factor"]) if "scale_factor" in kw else None,
                  "mode": kw["mode"], "align_corners": kw.get("align_corners", None),
                  "recompute_scale_factor": None}
        expr = "F.interpolate(x, " + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ")"
        cases.append(make_case(name, "interpolate", expr, params, {"x": x}, ["x"],
                               lambda x, kw=kw: F.interpolate(x, **kw), upstream_seed=seed))
    # documented 2x2 example from REFERENCE-FACTS 1.2 (x2, nearest and bilinear align_corners=False)
    x = torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    for mode in ["nearest", "bilinear"]:
        kw = dict(scale_factor=2, mode=mode) if mode == "nearest" else dict(scale_factor=2, mode=mode,
                                                                           align_corners=False)
        params = {"size": None, "scale_factor": 2.0, "mode": mode, "align_corners": kw.get("align_corners"),
                  "recompute_scale_factor": None}
        expr = "F.interpolate(x, " + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ")"
        cases.append(make_case(f"upsample_{mode}_x2_2x2_example", "interpolate", expr, params, {"x": x}, ["x"],
                               lambda x, kw=kw: F.interpolate(x, **kw), upstream_seed=77))

    # --- Embedding ------------------------------------------------------------------
    seed += 1
    seeded(seed)
    m = nn.Embedding(10, 4)
    idx = torch.tensor([[1, 3, 3, 9], [0, 1, 7, 3]], dtype=torch.int64)
    cases.append(module_case("embedding", "embedding", "F.embedding(x, weight)",
                             {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": None}, m, idx, seed,
                             x_grad=False))
    seed += 1
    seeded(seed)
    m = nn.Embedding(10, 4, padding_idx=0)
    idx = torch.tensor([[0, 2, 2, 5], [0, 0, 9, 2]], dtype=torch.int64)
    cases.append(module_case("embedding_padding_idx0", "embedding", "F.embedding(x, weight, padding_idx=0)",
                             {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 0}, m, idx, seed,
                             x_grad=False))

    write_file("layers.json",
               "Layers: all tensors needed to compute the output (x, weight, bias) are under inputs; grads holds "
               "d(sum(output*upstream))/d(tensor).", cases)


# ---------------------------------------------------------------------------
# 4. batchnorm.json
# ---------------------------------------------------------------------------


def gen_batchnorm():
    cases = []
    specs = [
        ("batchnorm1d_NC", nn.BatchNorm1d, (6, 3)),
        ("batchnorm1d_NCL", nn.BatchNorm1d, (4, 3, 5)),
        ("batchnorm2d", nn.BatchNorm2d, (3, 2, 4, 5)),
    ]
    runs = []
    seed = 2000
    for name, cls, shape in specs:
        for mom in (0.1, 0.2):
            seed += 1
            runs.append((f"{name}_momentum{mom}", cls, shape, mom, torch.float32, seed))
    runs.append(("batchnorm2d_momentum_none", nn.BatchNorm2d, (3, 2, 4, 5), None, torch.float32, 2101))
    runs.append(("batchnorm1d_NC_momentum_none", nn.BatchNorm1d, (6, 3), None, torch.float32, 2102))
    # same data as batchnorm2d_momentum0.1 (seed 2005), computed in float64
    runs.append(("batchnorm2d_momentum0.1_f64", nn.BatchNorm2d, (3, 2, 4, 5), 0.1, torch.float64, 2005))
    for name, cls, shape, mom, dtype, seed in runs:
        seeded(seed)
        C = shape[1]
        bn = cls(C, momentum=mom, eps=1e-5)
        with torch.no_grad():
            bn.weight.copy_(1.0 + 0.5 * torch.randn(C))
            bn.bias.copy_(0.3 * torch.randn(C))
        xs = [torch.randn(*shape) * (1.0 + 0.5 * i) + 0.5 * (i - 1) for i in range(4)]
        ups = [torch.randn(*shape) for _ in range(4)]
        bn = bn.to(dtype)
        init_w = bn.weight.detach().clone()
        init_b = bn.bias.detach().clone()
        steps = []
        bn.train()
        for i in range(3):
            bn.zero_grad(set_to_none=True)
            x = xs[i].to(dtype).clone().requires_grad_(True)
            y = bn(x)
            y.backward(ups[i].to(dtype))
            steps.append({
                "input": enc(xs[i].to(dtype)),
                "upstream": enc(ups[i].to(dtype)),
                "output": enc(y),
                "grads": {"x": enc(x.grad), "weight": enc(bn.weight.grad), "bias": enc(bn.bias.grad)},
                "running_mean": enc(bn.running_mean),
                "running_var": enc(bn.running_var),
                "num_batches_tracked": int(bn.num_batches_tracked.item()),
            })
        # weight/bias must not have changed (no optimizer)
        assert torch.equal(bn.weight.detach(), init_w)
        bn.eval()
        bn.zero_grad(set_to_none=True)
        x = xs[3].to(dtype).clone().requires_grad_(True)
        y = bn(x)
        y.backward(ups[3].to(dtype))
        ev = {"input": enc(xs[3].to(dtype)), "upstream": enc(ups[3].to(dtype)), "output": enc(y),
              "grads": {"x": enc(x.grad), "weight": enc(bn.weight.grad), "bias": enc(bn.bias.grad)}}
        sd = bn.state_dict()
        cases.append({
            "name": name,
            "op": "batch_norm1d" if cls is nn.BatchNorm1d else "batch_norm2d",
            "torch": f"nn.{cls.__name__}({C}, eps=1e-5, momentum={mom!r}, affine=True, track_running_stats=True)"
                     + ("  # float64" if dtype == torch.float64 else ""),
            "params": {"num_features": C, "eps": 1e-5, "momentum": mom, "affine": True,
                       "track_running_stats": True},
            "dtype": DTYPE_NAMES[dtype],
            "weight": enc(init_w),
            "bias": enc(init_b),
            "initial_running_mean": enc(torch.zeros(C, dtype=dtype)),
            "initial_running_var": enc(torch.ones(C, dtype=dtype)),
            "train_steps": steps,
            "running_mean": enc(bn.running_mean),
            "running_var": enc(bn.running_var),
            "num_batches_tracked": int(bn.num_batches_tracked.item()),
            "state_dict_keys": list(sd.keys()),
            "state_dict_dtypes": {k: str(v.dtype).replace("torch.", "") for k, v in sd.items()},
            "eval": ev,
        })
    write_file("batchnorm.json",
               "BatchNorm: 3 training-mode steps (independent forward/backward, weight/bias not updated), "
               "running stats after each, then one eval-mode forward/backward.", cases)


# ---------------------------------------------------------------------------
# 5. init.json
# ---------------------------------------------------------------------------


def tensor_stats(t):
    t = t.detach().double()
    return {"mean": t.mean().item(), "std": t.std().item(), "min": t.min().item(), "max": t.max().item(),
            "max_abs": t.abs().max().item(), "numel": t.numel()}


def gen_init():
    cases = []
    specs = [
        ("linear_784_1024", "nn.Linear(784, 1024)", lambda: nn.Linear(784, 1024)),
        ("conv2d_64_128_k5", "nn.Conv2d(64, 128, 5)", lambda: nn.Conv2d(64, 128, 5)),
        ("conv_transpose2d_128_64_k5", "nn.ConvTranspose2d(128, 64, 5)", lambda: nn.ConvTranspose2d(128, 64, 5)),
        ("conv2d_64_128_k3_groups4", "nn.Conv2d(64, 128, 3, groups=4)", lambda: nn.Conv2d(64, 128, 3, groups=4)),
        ("conv_transpose2d_128_64_k5_groups2", "nn.ConvTranspose2d(128, 64, 5, groups=2)",
         lambda: nn.ConvTranspose2d(128, 64, 5, groups=2)),
        ("conv_transpose2d_100_64_k4_s2_p1", "nn.ConvTranspose2d(100, 64, 4, 2, 1)",
         lambda: nn.ConvTranspose2d(100, 64, 4, 2, 1)),
    ]
    for i, (name, expr, ctor) in enumerate(specs):
        seeded(3000 + i)
        m = ctor()
        w = m.weight
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
        bound = 1.0 / math.sqrt(fan_in)
        entry = {
            "name": name, "op": "init", "torch": expr,
            "weight_shape": list(w.shape),
            "fan_in": fan_in, "fan_out": fan_out,
            "weight": {"distribution": "uniform", "low": -bound, "high": bound, "bound": bound,
                       "bound_float32": float(np.float32(bound)),
                       "expected_mean": 0.0, "expected_std": bound / math.sqrt(3.0),
                       "measured": tensor_stats(w)},
            "bias_shape": list(m.bias.shape),
            "bias": {"distribution": "uniform", "low": -bound, "high": bound, "bound": bound,
                     "bound_float32": float(np.float32(bound)),
                     "expected_mean": 0.0, "expected_std": bound / math.sqrt(3.0),
                     "measured": tensor_stats(m.bias)},
        }
        # samples are float32: |v| <= float32(bound) (which may be a hair above the real bound)
        b32 = float(np.float32(bound))
        assert w.abs().max().item() <= b32 and m.bias.abs().max().item() <= b32, (name, bound)
        cases.append(entry)
    # BatchNorm and Embedding defaults
    seeded(3100)
    bn = nn.BatchNorm2d(64)
    cases.append({"name": "batchnorm2d_64", "op": "init", "torch": "nn.BatchNorm2d(64)",
                  "weight": {"distribution": "constant", "value": 1.0, "measured": tensor_stats(bn.weight)},
                  "bias": {"distribution": "constant", "value": 0.0, "measured": tensor_stats(bn.bias)},
                  "running_mean": {"distribution": "constant", "value": 0.0},
                  "running_var": {"distribution": "constant", "value": 1.0},
                  "num_batches_tracked": {"dtype": "int64", "shape": [], "value": 0},
                  "state_dict_keys": list(bn.state_dict().keys())})
    seeded(3101)
    emb = nn.Embedding(1000, 64)
    cases.append({"name": "embedding_1000_64", "op": "init", "torch": "nn.Embedding(1000, 64)",
                  "weight_shape": [1000, 64],
                  "weight": {"distribution": "normal", "mean": 0.0, "std": 1.0, "measured": tensor_stats(emb.weight)}})

    # --- model parameter counts ------------------------------------------------
    def count(model, name, expr, keras=None):
        params = list(model.named_parameters())
        bufs = list(model.named_buffers())
        n_train = sum(p.numel() for _, p in params if p.requires_grad)
        n_params = sum(p.numel() for _, p in params)
        n_bufs_excl = sum(b.numel() for n, b in bufs if not n.endswith("num_batches_tracked"))
        n_nbt = sum(1 for n, _ in bufs if n.endswith("num_batches_tracked"))
        sd = model.state_dict()
        entry = {
            "name": name, "op": "param_count", "torch": expr,
            "module_repr": repr(model).split("\n"),
            "parameters_numel": n_params,
            "trainable_numel": n_train,
            "buffers_numel_excluding_num_batches_tracked": n_bufs_excl,
            "num_batches_tracked_buffers": n_nbt,
            "total_params_plus_buffers_excluding_num_batches_tracked": n_params + n_bufs_excl,
            "state_dict": [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
                           for k, v in sd.items()],
            "per_parameter": [{"name": n, "shape": list(p.shape), "numel": p.numel()} for n, p in params],
        }
        if keras:
            entry["keras_summary"] = keras
        cases.append(entry)

    gen_b = nn.Sequential(
        nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.BatchNorm1d(256, momentum=0.2),
        nn.Linear(256, 512), nn.LeakyReLU(0.2), nn.BatchNorm1d(512, momentum=0.2),
        nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.BatchNorm1d(1024, momentum=0.2),
        nn.Linear(1024, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    count(gen_b, "workload_B_keras_generator",
          "Linear(100,256) LeakyReLU(0.2) BatchNorm1d(256) . Linear(256,512) LeakyReLU(0.2) BatchNorm1d(512) . "
          "Linear(512,1024) LeakyReLU(0.2) BatchNorm1d(1024) . Linear(1024,784) Tanh . Unflatten -> [N,1,28,28] "
          "(Keras BatchNormalization(momentum=0.8) == torch momentum 0.2)",
          keras={"total": 1493520, "trainable": 1489936, "non_trainable": 3584})
    disc_b = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                           nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())
    count(disc_b, "workload_B_keras_discriminator",
          "Flatten . Linear(784,512) LeakyReLU(0.2) . Linear(512,256) LeakyReLU(0.2) . Linear(256,1) Sigmoid",
          keras={"total": 533505, "trainable": 533505, "non_trainable": 0})
    gen_a = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                          nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh())
    count(gen_a, "workload_A_generator", "WORKLOADS.md section A generator")
    disc_a = nn.Sequential(nn.Linear(784, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(1024, 512),
                           nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                           nn.Dropout(0.3), nn.Linear(256, 1), nn.Sigmoid())
    count(disc_a, "workload_A_discriminator", "WORKLOADS.md section A discriminator")

    write_file("init.json",
               "Default initialisation: theoretical distribution bounds/std (what tests should check) plus "
               "statistics measured from one torch draw (reference only), and parameter counts of the "
               "WORKLOADS.md models built in torch.", cases)


# ---------------------------------------------------------------------------
# 6. optimizers.json
# ---------------------------------------------------------------------------

OPT_SHAPES = [(3, 4), (4,), (2, 2, 3)]
OPT_STEPS = 100
RECORD_STEPS = [1, 2, 3, 10, 50, 100]


def opt_problem():
    g = torch.Generator().manual_seed(4000)
    p0 = [torch.randn(s, generator=g) for s in OPT_SHAPES]
    a = [torch.rand(s, generator=g) + 0.5 for s in OPT_SHAPES]      # a in [0.5, 1.5)
    b = [torch.randn(s, generator=g) for s in OPT_SHAPES]
    return p0, a, b


def enc_state(opt, params):
    """Optimizer state per parameter index (position in params)."""
    out = {}
    for i, p in enumerate(params):
        st = opt.state.get(p, {})
        out[str(i)] = {k: (enc(v) if isinstance(v, torch.Tensor) else jsonable(v)) for k, v in st.items()}
    return out


def opt_state_dict_json(opt):
    sd = opt.state_dict()
    return {
        "state": {str(k): {kk: jsonable(vv) for kk, vv in v.items()} for k, v in sd["state"].items()},
        "param_groups": [{k: jsonable(v) for k, v in g.items()} for g in sd["param_groups"]],
    }


def gen_optimizers():
    p_init, A, B = opt_problem()
    configs = [
        ("sgd_plain", "SGD", dict(lr=0.05)),
        ("sgd_momentum0.9", "SGD", dict(lr=0.05, momentum=0.9)),
        ("sgd_momentum0.9_dampening0.1", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.1)),
        ("sgd_nesterov0.9", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
        ("sgd_weight_decay0.01", "SGD", dict(lr=0.05, weight_decay=0.01)),
        ("sgd_momentum0.9_weight_decay0.01", "SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
        ("adam_default", "Adam", dict()),
        ("adam_betas0.5_0.999_lr2e-4", "Adam", dict(lr=2e-4, betas=(0.5, 0.999))),
        ("adam_weight_decay0.01", "Adam", dict(weight_decay=0.01)),
        ("adam_amsgrad", "Adam", dict(amsgrad=True)),
        ("adam_lr0.05", "Adam", dict(lr=0.05)),
        ("adamw_default", "AdamW", dict()),
        ("adamw_amsgrad_lr0.01", "AdamW", dict(lr=0.01, amsgrad=True)),
        ("rmsprop_default", "RMSprop", dict()),
        ("rmsprop_momentum0.9", "RMSprop", dict(momentum=0.9)),
        ("rmsprop_centered", "RMSprop", dict(centered=True)),
        ("rmsprop_weight_decay0.01", "RMSprop", dict(weight_decay=0.01)),
        ("rmsprop_centered_momentum0.9", "RMSprop", dict(centered=True, momentum=0.9)),
        ("adagrad_default", "Adagrad", dict()),
        ("adagrad_lr_decay0.01", "Adagrad", dict(lr_decay=0.01)),
        ("adagrad_initial_accumulator0.1", "Adagrad", dict(initial_accumulator_value=0.1)),
        ("adagrad_weight_decay0.01", "Adagrad", dict(weight_decay=0.01)),
        # two param groups: group 0 = params [0, 1], group 1 = param [2]
        ("sgd_momentum0.9_two_groups", "SGD",
         dict(groups=[dict(params=[0, 1], lr=0.05), dict(params=[2], lr=0.01)], momentum=0.9)),
        ("adam_two_groups", "Adam",
         dict(groups=[dict(params=[0, 1], lr=1e-3), dict(params=[2], lr=1e-2, betas=(0.5, 0.999))])),
    ]
    cases = []
    for name, cls_name, kw in configs:
        kw = dict(kw)
        params = [p.clone().requires_grad_(True) for p in p_init]
        cls = getattr(torch.optim, cls_name)
        groups_spec = kw.pop("groups", None)
        if groups_spec:
            groups = []
            for gs in groups_spec:
                gs = dict(gs)
                gs["params"] = [params[i] for i in gs["params"]]
                groups.append(gs)
            opt = cls(groups, **kw)
            ctor = (f"torch.optim.{cls_name}([" + ", ".join(
                "{'params': [" + ", ".join(f"p{i}" for i in gs["params"]) + "], " +
                ", ".join(f"'{k}': {v!r}" for k, v in gs.items() if k != "params") + "}"
                for gs in groups_spec) + "]" + "".join(f", {k}={v!r}" for k, v in kw.items()) + ")")
        else:
            opt = cls(params, **kw)
            ctor = f"torch.optim.{cls_name}([p0, p1, p2]" + "".join(f", {k}={v!r}" for k, v in kw.items()) + ")"
        trajectory = []
        after_step1 = None
        for step in range(1, OPT_STEPS + 1):
            with torch.no_grad():
                for p, a, b in zip(params, A, B):
                    p.grad = p.detach() * a - b
            opt.step()
            if step in RECORD_STEPS:
                trajectory.append({"step": step, "params": [enc(p) for p in params]})
            if step == 1:
                after_step1 = {"params": [enc(p) for p in params], "state": enc_state(opt, params)}
        cases.append({
            "name": name,
            "op": cls_name,
            "torch": ctor,
            "hyperparameters": {k: jsonable(v) for k, v in kw.items()},
            "param_groups_spec": jsonable(groups_spec) if groups_spec else None,
            "steps": OPT_STEPS,
            "after_step_1": after_step1,
            "trajectory": trajectory,
            "final_params": [enc(p) for p in params],
            "final_state": enc_state(opt, params),
            "state_dict": opt_state_dict_json(opt),
        })
    extra = {
        "problem": {
            "param_shapes": [list(s) for s in OPT_SHAPES],
            "initial_params": [enc(p) for p in p_init],
            "a": [enc(a) for a in A],
            "b": [enc(b) for b in B],
            "gradient": "g_i = p_i * a_i - b_i, elementwise float32 (multiply, round, subtract, round; no FMA), "
                        "computed from the current params before every step",
        }
    }
    write_file("optimizers.json",
               "Optimizers: 100 steps on a fixed quadratic problem with gradient g = p*a - b (see 'problem').",
               cases, extra=extra)


# ---------------------------------------------------------------------------
# 7. schedulers.json
# ---------------------------------------------------------------------------


def sched_state_json(s):
    sd = s.state_dict()
    return {k: jsonable(v) for k, v in sd.items()}


def gen_schedulers():
    from torch.optim import lr_scheduler as L
    specs = [
        ("step_lr", "StepLR(opt, step_size=3, gamma=0.5)", lambda o: L.StepLR(o, step_size=3, gamma=0.5),
         {"step_size": 3, "gamma": 0.5}),
        ("multistep_lr", "MultiStepLR(opt, milestones=[2, 5], gamma=0.1)",
         lambda o: L.MultiStepLR(o, milestones=[2, 5], gamma=0.1), {"milestones": [2, 5], "gamma": 0.1}),
        ("exponential_lr", "ExponentialLR(opt, gamma=0.9)", lambda o: L.ExponentialLR(o, gamma=0.9),
         {"gamma": 0.9}),
        ("cosine_annealing_lr", "CosineAnnealingLR(opt, T_max=10, eta_min=0.001)",
         lambda o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001), {"T_max": 10, "eta_min": 0.001}),
        ("lambda_lr", "LambdaLR(opt, lr_lambda=lambda e: 0.95 ** e)",
         lambda o: L.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e), {"lr_lambda": "lambda e: 0.95 ** e"}),
        ("linear_lr_warmup", "LinearLR(opt, start_factor=0.1, total_iters=5)",
         lambda o: L.LinearLR(o, start_factor=0.1, total_iters=5),
         {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
    ]
    cases = []
    for name, expr, ctor, params in specs:
        p = torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        s = ctor(opt)
        lr0 = opt.param_groups[0]["lr"]
        lrs = []
        last = []
        for _ in range(12):
            opt.step()
            s.step()
            lrs.append(opt.param_groups[0]["lr"])
            last.append(s.get_last_lr()[0])
        assert lrs == last
        case = {"name": name, "op": type(s).__name__, "torch": "opt = SGD([p], lr=0.1); sched = " + expr,
                "params": params, "base_lr": 0.1,
                "lr_after_construction": lr0,
                "lrs": lrs,
                "state_dict": sched_state_json(s)}
        if name == "cosine_annealing_lr":
            case["closed_form_lrs"] = [0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * e / 10)) / 2
                                       for e in range(1, 13)]
        cases.append(case)
    write_file("schedulers.json",
               "LR schedulers on SGD(lr=0.1): lr after construction and after each of 12 "
               "(optimizer.step(); scheduler.step()) iterations; state_dict after the 12 steps.", cases)


def main():
    which = sys.argv[1:] or ["activations", "losses", "layers", "batchnorm", "init", "optimizers", "schedulers"]
    for w in which:
        globals()[f"gen_{w}"]()
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR) if f.endswith(".json"))
    print(f"total JSON size: {total} bytes")


if __name__ == "__main__":
    main()
