"""nbench's torch backend: PyTorch as an external worker (docs/protocol.md).

Each kernel is PyTorch's own op, or a short composite of its ops where
PyTorch has no single one, with the semantics of KERNELS.md; the suites'
checks judge PyTorch's own numerics. Tensors are torch.frombuffer views of
nbench's shared memory: ops with an out= argument write there directly;
for the others, the copy of the result into the output tensor is part of
the work timed, as it is part of what a caller of that op pays.
"""

import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbench_worker as nw  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
    IMPORT_ERROR = None
except Exception as e:  # reported by hello: the backend is unavailable
    IMPORT_ERROR = "%s: %s" % (type(e).__name__, e)

try:
    import torchvision
    import torchvision.ops
except Exception as e:
    torchvision = None
    TV_ERROR = "%s: %s" % (type(e).__name__, e)

DTYPES = {}
if IMPORT_ERROR is None:
    DTYPES = {"f32": torch.float32, "i8": torch.int8, "u8": torch.uint8, "i32": torch.int32}

NMS_KERNELS = ["nms", "batched_nms"]

# Environment that changes PyTorch's speed, recorded in the result files.
ENV_KEYS = {"LD_PRELOAD", "ATEN_CPU_CAPABILITY", "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "DNNL_MAX_CPU_ISA"}


def capability():
    """ATen's CPU dispatch level (torch 2: torch.backends.cpu.get_cpu_capability)."""
    f = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    if f is not None:
        return str(f())
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def loaded_blas():
    """The BLAS library actually mapped (Debian's libblas.so.3 is an alternative:
    the reference netlib BLAS, or OpenBLAS when installed)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.realpath(l) for l in libs)) or "none mapped"
    except OSError:
        return "unknown"


def build_setting(key):
    m = re.search(re.escape(key) + r"=([^,\s]+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


class Torch:
    name = "torch"

    def hello(self, threads, isa):
        if IMPORT_ERROR is not None:
            raise RuntimeError("python %s cannot import torch: %s" % (sys.executable, IMPORT_ERROR))
        torch.set_num_threads(threads)
        self.cap = capability()
        kernels = sorted(k for k in KERNELS if k not in NMS_KERNELS or torchvision is not None)
        config = [
            ["python", "%s %s" % (sys.executable, sys.version.split()[0])],
            ["python-choice", os.environ.get("NBENCH_PYTHON_CHOICE", "")],
            ["threads", str(torch.get_num_threads())],
            ["cpu-capability", self.cap],
            ["blas", "%s (%s)" % (build_setting("BLAS_INFO"), loaded_blas())],
            ["quantized-engine", str(torch.backends.quantized.engine)],
            ["env", " ".join("%s=%s" % (k, os.environ[k]) for k in sorted(os.environ) if k in ENV_KEYS) or "-"],
            ["mkldnn", str(torch.backends.mkldnn.is_available())],
            ["torchvision", torchvision.__version__ if torchvision is not None else "unavailable (%s)" % TV_ERROR],
            ["sdpa", str(hasattr(F, "scaled_dot_product_attention"))],
        ]
        return {"version": torch.__version__, "kernels": kernels, "device": "cpu",
                "paths": ["aten-" + self.cap.lower()], "config": config}

    def wrap(self, buf, dtype, n):
        if n == 0:
            return torch.empty(0, dtype=DTYPES[dtype])
        return torch.frombuffer(buf, dtype=DTYPES[dtype], count=n)

    def prepare(self, kernel, p, outputs):
        f = KERNELS.get(kernel)
        if f is None:
            raise nw.Unimplemented("%s is not in PyTorch (natively or as a short composite)" % kernel)
        run, how = f(p)
        return run, "%s/aten-%s" % (how, self.cap.lower())


# Each entry takes the op's params and returns (run, how): run computes the
# op once into the output tensors; how says whether it is PyTorch's op or
# a composite.

def layernorm(p):
    R, C = p["Rows"], p["C"]
    x, y = p["X"].view(R, C), p["Y"].view(R, C)
    return (lambda: y.copy_(F.layer_norm(x, (C,), p["Gamma"], p["Beta"], p["Eps"]))), "layer_norm"


def rms(x, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def rmsnorm(p):
    R, C = p["Rows"], p["C"]
    x, y, g = p["X"].view(R, C), p["Y"].view(R, C), p["Gamma"]
    return (lambda: torch.mul(rms(x, p["Eps"]), g, out=y)), "composite"


def layernorm_scaling(p):
    R, C, eps = p["Rows"], p["C"], p["Eps"]
    x, y, g, b = p["X"].view(R, C), p["Y"].view(R, C), p["Gamma"], p["Beta"]
    f = 1 / math.sqrt(p["Layer"])
    if p["Base"] == 0:
        return (lambda: torch.mul(F.layer_norm(x, (C,), g, b, eps), f, out=y)), "layer_norm"
    return (lambda: torch.mul(rms(x, eps) * g, f, out=y)), "composite"


def nonscaling_layernorm(p):
    R, C = p["Rows"], p["C"]
    x, y = p["X"].view(R, C), p["Y"].view(R, C)
    return (lambda: y.copy_(F.layer_norm(x, (C,), None, p["Bias"], p["Eps"]))), "layer_norm"


def crmsnorm(p):
    R, N, eps = p["Rows"], p["N"], p["Eps"]
    z, y, g = p["Z"].view(R, N), p["Y"].view(R, N), p["Gamma"]

    def run():
        s = z.pow(2).sum(-1, keepdim=True) + z.sum(-1, keepdim=True).pow(2)
        r = z * torch.rsqrt(s / (N + 1) + eps)
        if g is None:
            y.copy_(r)
        else:
            torch.mul(r, g, out=y)
    return run, "composite"


def single_scale_rmsnorm(p):
    R, C = p["Rows"], p["C"]
    x, y = p["X"].view(R, C), p["Y"].view(R, C)
    return (lambda: torch.mul(rms(x, p["Eps"]), p["Scale"], out=y)), "composite"


def mc(p, *names):
    M, C = p["M"], p["C"]
    return [p[n].view(M, C) for n in names]


def batchnorm_infer(p):
    x, y = mc(p, "X", "Y")
    args = (p["RunMean"], p["RunVar"], p["Gamma"], p["Beta"], False, 0.0, p["Eps"])
    return (lambda: y.copy_(F.batch_norm(x, *args))), "batch_norm"


def batchnorm_train(p):
    x, y = mc(p, "X", "Y")
    rm, rv, nm, nv = p["RunMean"], p["RunVar"], p["NewMean"], p["NewVar"]

    def run():  # batch_norm updates the running state in place: start from the old
        nm.copy_(rm)
        nv.copy_(rv)
        y.copy_(F.batch_norm(x, nm, nv, p["Gamma"], p["Beta"], True, p["Momentum"], p["Eps"]))
    return run, "batch_norm"


def repbn_infer(p):
    x, y = mc(p, "X", "Y")
    args = (p["RunMean"], p["RunVar"], p["Gamma"], p["Beta"], False, 0.0, p["Eps"])
    return (lambda: torch.add(F.batch_norm(x, *args), x, alpha=p["Alpha"], out=y)), "composite"


def prepbn_train(p):
    x, y = mc(p, "X", "Y")
    C, lam = p["C"], p["Lambda"]
    rm, rv, nm, nv = p["RunMean"], p["RunVar"], p["NewMean"], p["NewVar"]

    def run():
        ln = F.layer_norm(x, (C,), p["LNGamma"], p["LNBeta"], p["LNEps"])
        nm.copy_(rm)
        nv.copy_(rv)
        bn = F.batch_norm(x, nm, nv, p["BNGamma"], p["BNBeta"], True, p["Momentum"], p["BNEps"])
        torch.add(ln.mul_(lam), bn.add_(x, alpha=p["Alpha"]), alpha=1 - lam, out=y)
    return run, "composite"


def evonorm_b0(p):
    N, HW, C, eps = p["N"], p["HW"], p["C"], p["Eps"]
    x, y = p["X"].view(N, HW, C), p["Y"].view(N, HW, C)
    g, b, v, rv, nrv = p["Gamma"], p["Beta"], p["V"], p["RunVar"], p["NewRunVar"]
    train, k = p["Training"], 1 - p["Decay"]

    def run():  # EvoNorm-B0 as timm's EvoNorm2dB0, with TF's biased running-var update
        if not p["Nonlinear"] or N == 0:
            if train:
                nrv.copy_(rv)
            torch.addcmul(b, x, g, out=y)
            return
        sb2 = rv
        if train:
            sb2 = x.var(dim=(0, 1), unbiased=False)
            torch.sub(rv, (rv - sb2) * k, out=nrv)
        sw2 = x.var(dim=1, unbiased=False, keepdim=True)
        den = torch.maximum(torch.sqrt(sb2 + eps), torch.addcmul(torch.sqrt(sw2 + eps), v, x))
        torch.addcmul(b, x / den, g, out=y)
    return run, "composite"


def evonorm_s0(p):
    N, HW, C, G, eps = p["N"], p["HW"], p["C"], p["Groups"], p["Eps"]
    x, y = p["X"].view(N, HW, C), p["Y"].view(N, HW, C)
    g, b, v = p["Gamma"], p["Beta"], p["V"].view(G, C // G)
    xg = x.view(N, HW, G, C // G)

    def run():  # EvoNorm-S0: x * sigmoid(v x) / group std
        if not p["Nonlinear"]:
            torch.addcmul(b, x, g, out=y)
            return
        r = torch.rsqrt(xg.var(dim=(1, 3), unbiased=False, keepdim=True) + eps)
        t = xg * torch.sigmoid(v * xg) * r
        torch.addcmul(b, t.view(N, HW, C), g, out=y)
    return run, "composite"


def selu(p):
    x, y = p["X"], p["Y"]

    def run():
        y.copy_(x)
        torch.selu_(y)
    return run, "selu"


def nd(p):
    N, D = p["N"], p["D"]
    return p["P"].view(N, D), p["T"].view(N, D), p["Out"]


def mse(p):
    pr, t, out = nd(p)
    return (lambda: out.copy_(F.mse_loss(pr, t).view(1))), "mse_loss"


def huber(p):
    pr, t, out = nd(p)
    return (lambda: out.copy_(F.huber_loss(pr, t, delta=p["Delta"]).view(1))), "huber_loss"


def pseudo_huber(p):
    pr, t, out = nd(p)
    c = p["C"]

    def run():
        s = (pr - t).pow_(2).sum(1)
        l = s / (torch.sqrt(s + c * c) + c)
        out.copy_(torch.where(s == math.inf, s, l).mean().view(1))  # s = +Inf gives +Inf, not Inf/Inf
    return run, "composite"


def cauchy(p):
    pr, t, out = nd(p)
    k = 1 / (2 * p["C"] * p["C"])

    def run():
        s = (pr - t).pow_(2).sum(1)
        out.copy_(torch.log1p(s * k).mean().view(1))
    return run, "composite"


def cross_entropy(p):
    N, V, ii = p["N"], p["V"], p["IgnoreIndex"]
    z, tg, out = p["Logits"].view(N, V), p["Targets"], p["Out"]

    def run():
        t = tg.long()
        # KERNELS.md: a target out of range (not ignore_index) makes the loss
        # NaN, where PyTorch would raise.
        if bool((((t < 0) | (t >= V)) & (t != ii)).any()):
            out.fill_(math.nan)
            return
        out.copy_(F.cross_entropy(z, t, ignore_index=ii).view(1))
    return run, "cross_entropy"


def mse_masked(p):
    pr, t, out = nd(p)
    mask, w = p["Mask"], p["Weights"]
    zero = torch.zeros(())

    def run():
        per = (pr - t).pow_(2).mean(1)
        if w is not None:
            per = per * w
        # where, not a product: a NaN in a masked-out sample must not reach the loss
        out.copy_((torch.where(mask != 0, per, zero).sum() / p["N"]).view(1))
    return run, "composite"


def softmax_attention(p):
    B, H, L, S, D, Dv = p["B"], p["H"], p["L"], p["S"], p["D"], p["Dv"]
    scale, causal = p["Scale"], p["Causal"]
    q, k, v = p["Q"].view(B, H, L, D), p["K"].view(B, H, S, D), p["V"].view(B, H, S, Dv)
    o = p["O"].view(B, H, L, Dv)
    sdpa = getattr(F, "scaled_dot_product_attention", None)
    if sdpa is not None and tuple(int(x) for x in torch.__version__.split(".")[:2]) >= (2, 1):
        return (lambda: o.copy_(sdpa(q, k, v, is_causal=causal, scale=scale))), "sdpa"
    q3, k3, v3, o3 = q.view(B * H, L, D), k.view(B * H, S, D), v.view(B * H, S, Dv), o.view(B * H, L, Dv)
    # As torch 1.x's nn.MultiheadAttention: scale q, Q K^T, softmax, then the
    # second GEMM straight into O; the causal mask is filled in, not added
    # (MHA's baddbmm): an Inf in a masked key must not reach the row.
    mask = torch.ones(L, S, dtype=torch.bool).triu_(1) if causal else None

    def run():
        s = torch.bmm(q3 * scale, k3.transpose(1, 2))
        if mask is not None:
            s.masked_fill_(mask, -math.inf)
        torch.bmm(torch.softmax(s, -1), v3, out=o3)
    return run, "bmm-softmax-bmm"


def sla(p):
    """Simplified linear attention (SLAB): relu kernels, linear attention, plus a
    depthwise conv of V over the token grid (2D) or sequence (1D); composite."""
    B, H, L, D, Dv, causal = p["B"], p["H"], p["L"], p["D"], p["Dv"], p["Causal"]
    if B * H * L == 0:  # no tokens: nothing to compute (conv refuses empty inputs)
        return (lambda: None), "composite"
    q, k = p["Q"].view(B, H, L, D), p["K"].view(B, H, L, D)
    v, o = p["V"].view(B, H, L, Dv), p["O"].view(B, H, L, Dv)
    pk = None if p["Pk"] is None else p["Pk"].view(L, H, D).permute(1, 0, 2)
    bd, two_d = p["Bd"], p["Conv"] == 0
    wd = p["Wd"].view(Dv, 1, 5, 5) if two_d else p["Wd"].view(Dv, 1, 5)

    def dwc():
        if two_d:  # (b h) as the batch, Dv channels over the GridH x GridW grid
            x = v.reshape(B * H, p["GridH"], p["GridW"], Dv).permute(0, 3, 1, 2)
            y = F.conv2d(x, wd, bd, padding=2, groups=Dv)
        else:
            x = v.reshape(B * H, L, Dv).transpose(1, 2)
            y = F.conv1d(F.pad(x, (4, 0)), wd, bd, groups=Dv) if causal else F.conv1d(x, wd, bd, padding=2, groups=Dv)
        return y.reshape(B, H, Dv, L).transpose(2, 3)

    def run():
        qr = torch.relu(q)
        kr = torch.relu(k if pk is None else k + pk)
        if causal:
            num, den = causal_linear(qr, kr, v)
        else:
            num = torch.matmul(qr, torch.matmul(kr.transpose(2, 3), v))
            den = torch.matmul(qr, kr.sum(2, keepdim=True).transpose(2, 3))
        torch.add(num / (den + 1e-6), dwc(), out=o)
    return run, "composite"


CHUNK = 128


def causal_linear(qr, kr, v):
    """Causal linear attention in chunks of CHUNK tokens: inside a chunk the
    masked (Qr Kr^T) V, across chunks the prefix sums of KV = Kr^T V and
    ks = sum Kr (KERNELS.md's prefix-sum form, O(L) memory)."""
    B, H, L, D = qr.shape
    Dv = v.shape[3]
    n = (L + CHUNK - 1) // CHUNK
    pad = n * CHUNK - L  # zero rows: relu'd keys of 0 add nothing; their queries are dropped
    q, k, vv = (F.pad(t, (0, 0, 0, pad)).view(B, H, n, CHUNK, t.shape[3]) for t in (qr, kr, v))
    tril = torch.ones(CHUNK, CHUNK, dtype=torch.bool).tril_()
    a = torch.matmul(q, k.transpose(3, 4)).masked_fill_(~tril, 0)
    num, den = torch.matmul(a, vv), a.sum(-1, keepdim=True)
    kv, ks = torch.matmul(k.transpose(3, 4), vv), k.sum(3, keepdim=True)  # per chunk
    # exclusive prefix over the chunks before each one
    kv = torch.cat([torch.zeros(B, H, 1, D, Dv), kv.cumsum(2)[:, :, :-1]], 2)
    ks = torch.cat([torch.zeros(B, H, 1, 1, D), ks.cumsum(2)[:, :, :-1]], 2)
    num += torch.matmul(q, kv)
    den += torch.matmul(q, ks.transpose(3, 4))
    return num.view(B, H, n * CHUNK, Dv)[:, :, :L], den.view(B, H, n * CHUNK, 1)[:, :, :L]


def sla1d(p):
    return sla(p)


def sla2d(p):
    return sla(p)


def quantize_rows(x):
    """Per-row symmetric int8 (KERNELS.md 3.1): the codes as float and the scales."""
    amax = x.abs().amax(1)
    bad = ~torch.isfinite(amax)
    if bool(bad.any()):
        raise ValueError("NaN or Inf in row %d of the input" % int(bad.nonzero()[0]))
    s = torch.where(amax == 0, torch.ones(()), amax / 127)
    return torch.round(x / s[:, None]).clamp_(-127, 127), s


def quantize_i8(p):
    R, K = p["Rows"], p["K"]
    x, q, sc = p["X"].view(R, K), p["Q"].view(R, K), p["Scale"]

    def run():
        codes, s = quantize_rows(x)
        q.copy_(codes)
        sc.copy_(s)
    return run, "composite"


# Largest K whose int8 dot products stay exact in float32: every partial sum
# is an integer of magnitude <= 127*127*K < 2^24.
EXACT_K = ((1 << 24) - 1) // (127 * 127)


def gemm_w8a8(p):
    M, N, K = p["M"], p["N"], p["K"]
    # PyTorch 1.x has no CPU int8 GEMM with int32 results (its quantized
    # Linear requantizes the output), so the exact accumulation goes
    # through float32 GEMMs over K blocks of at most EXACT_K, each exact,
    # summed in float64 (exact below 2^53). Weights are converted and
    # blocked here, in prepare (packing).
    blocks = [(k0, min(k0 + EXACT_K, K)) for k0 in range(0, K, EXACT_K)]
    wq = p["Wq"].view(N, K)
    wts = [wq[:, k0:k1].to(torch.float32).t().contiguous() for k0, k1 in blocks]
    sw, bias, y, acc = p["Sw"], p["Bias"], p["Y"].view(M, N), p["Acc"]

    def run():
        if p["Fused"]:
            xf, sx = quantize_rows(p["X"].view(M, K))
        else:
            xf, sx = p["Xq"].view(M, K).to(torch.float32), p["Sx"]
        a = torch.mm(xf[:, blocks[0][0]:blocks[0][1]], wts[0])
        if len(blocks) > 1:
            a = a.double()
            for (k0, k1), wt in zip(blocks[1:], wts[1:]):
                a.add_(torch.mm(xf[:, k0:k1], wt))
        if acc is not None:
            acc.view(M, N).copy_(a)
        torch.mul(a.float(), sx[:, None] * sw[None, :], out=y)
        if bias is not None:
            y.add_(bias)
    return run, "fp32-gemm-exact-k%d" % EXACT_K


def gemm_f32(p):
    M, N, K = p["M"], p["N"], p["K"]
    x, w, y, b = p["X"].view(M, K), p["W"].view(N, K), p["Y"].view(M, N), p["Bias"]
    if b is None:
        return (lambda: torch.mm(x, w.t(), out=y)), "mm"
    return (lambda: torch.addmm(b, x, w.t(), out=y)), "addmm"


def nms(p):
    if p["Legacy"]:
        raise nw.Unimplemented("nms legacy=true (+1 widths, suppression at IoU >= t): torchvision has only the strict form")
    N, iou, thr = p["N"], p["IoU"], p["ScoreThreshold"]
    boxes, scores, keep, count = p["Boxes"].view(N, 4), p["Scores"], p["Keep"], p["Count"]

    def run():
        idx = torch.nonzero(scores >= thr).squeeze(1)  # also drops NaN scores (KERNELS.md 4)
        kept = idx[torchvision.ops.nms(boxes[idx], scores[idx], iou)]
        keep[: len(kept)].copy_(kept)
        count.fill_(len(kept))
    return run, "torchvision.nms"


def batched_nms(p):
    B, N, iou = p["Images"], p["N"], p["IoU"]
    counts, keepc = p["Counts"], p["KeepCount"]
    boxes, scores = p["Boxes"].view(B, N, 4), p["Scores"].view(B, N)
    labels, keep = p["Labels"].view(B, N), p["Keep"].view(B, N)

    def run():
        for b, c in enumerate(counts.tolist()):
            sc = scores[b, :c]
            idx = torch.nonzero(sc == sc).squeeze(1)  # NaN scores are dropped
            kept = idx[torchvision.ops.batched_nms(boxes[b, :c][idx], sc[idx], labels[b, :c][idx].long(), iou)]
            keep[b, : len(kept)].copy_(kept)
            keepc[b] = len(kept)
    return run, "torchvision.batched_nms"


KERNELS = {f.__name__: f for f in [
    layernorm, rmsnorm, layernorm_scaling, nonscaling_layernorm, crmsnorm, single_scale_rmsnorm,
    batchnorm_infer, batchnorm_train, repbn_infer, prepbn_train, evonorm_b0, evonorm_s0, selu,
    mse, huber, pseudo_huber, cauchy, cross_entropy, mse_masked,
    softmax_attention, sla1d, sla2d, quantize_i8, gemm_w8a8, gemm_f32, nms, batched_nms]}

if __name__ == "__main__":
    nw.serve(Torch())
