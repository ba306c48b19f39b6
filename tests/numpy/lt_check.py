"""Independent float64 check of lrtl's trajectory loss Lt (value, ∂/∂w, ∂/∂c) with numpy.

    npx -y deno@2.9.6 run -A tests/numpy/lt_check.ts /tmp/lrtl-lt-check
    python3 tests/numpy/lt_check.py /tmp/lrtl-lt-check

Reference: the SVD of each P_k = C·diag(w_k) itself (numpy, LAPACK gesdd), the analytic
gradient from its singular vectors (exact null directions, σ ≤ 1e-10·σ₁, carry none), and
central finite differences of the SVD value on sampled weights. Exits 1 when any
max|Δ|/max|ref| exceeds 1e-3. Not part of the test suite: numpy is no dependency of lrtl.
"""
import json
import sys
from pathlib import Path

import numpy as np

TOL = 1e-3


def values(s, rank):
    tail, total = s[rank:].sum(), s.sum()
    return {"tail": tail, "nuclear": total, "squared-tail": (s[rank:] ** 2).sum(),
            "normalised-tail": tail / total}


def coefs(s, rank, variant):
    c = np.zeros_like(s)
    ok = s > 1e-10 * s[0]
    idx = np.arange(len(s))
    tail, total = s[rank:].sum(), s.sum()
    inv = np.where(ok, 1 / np.where(ok, s, 1), 0)
    if variant == "tail":
        c = np.where(idx >= rank, inv, 0)
    elif variant == "nuclear":
        c = inv
    elif variant == "squared-tail":
        c = np.where((idx >= rank) & ok, 2.0, 0)
    else:
        c = np.where(idx >= rank, inv / total, 0) - tail * inv / total**2
    return c


def main(d: Path) -> int:
    meta = json.loads((d / "cases.json").read_text())
    worst = 0.0
    print(f"{'case':46} {'variant':16} {'kernels':7} {'value':>8} {'dw':>8} {'dw FD':>8} {'dc':>8}")
    for i, cs in enumerate(meta["cases"]):
        b, k, t2, n, rank = cs["b"], cs["k"], cs["t2"], cs["n"], cs["rank"]
        sx, sy = cs["coordScale"]
        c = np.fromfile(d / f"{i}.c.f32", dtype=np.float32).astype(np.float64).reshape(b, t2, n)
        w = np.fromfile(d / f"{i}.w.f32", dtype=np.float32).astype(np.float64).reshape(b, k, n)
        scale = np.where(np.arange(t2) < t2 // 2, sx, sy)[:, None]
        cs_ = c * scale  # coordinates in the loss's units
        ref = {v: {"value": 0.0, "gw": np.zeros((b, k, n)), "gc": np.zeros((b, t2, n))}
               for v in meta["variants"]}
        svals = {}
        for bi in range(b):
            for kk in range(k):
                p = cs_[bi] * w[bi, kk]
                u, s, _ = np.linalg.svd(p, full_matrices=False)
                svals[bi, kk] = s
                q = u.T @ cs_[bi]  # projections of every track
                for v in meta["variants"]:
                    r = ref[v]
                    r["value"] += values(s, rank)[v] / (b * k)
                    a = coefs(s, rank, v)
                    r["gw"][bi, kk] = w[bi, kk] * (a[:, None] * q * q).sum(0) / (b * k)
                    r["gc"][bi] += scale * (u @ (a[:, None] * q)) * w[bi, kk] ** 2 / (b * k)
        # central finite differences on sampled weights (every variant from one pair of SVDs)
        rng = np.random.default_rng(i)
        picks = [np.unravel_index(np.argmax(np.abs(ref["tail"]["gw"])), (b, k, n))]
        picks += [tuple(int(x) for x in (rng.integers(b), rng.integers(k), rng.integers(n)))
                  for _ in range(5)]
        fd = {v: [] for v in meta["variants"]}
        for (bi, kk, j) in picks:
            h = 1e-4
            vals = []
            for sgn in (1, -1):
                ww = w[bi, kk].copy()
                ww[j] += sgn * h
                vals.append(values(np.linalg.svd(cs_[bi] * ww, compute_uv=False), rank))
            for v in meta["variants"]:
                fd[v].append(((vals[0][v] - vals[1][v]) / (2 * h) / (b * k), (bi, kk, j)))
        for v in meta["variants"]:
            r = ref[v]
            for kern in meta["kernels"]:
                gw = np.fromfile(d / f"{i}.{v}.{kern}.gw.f32", dtype=np.float32).reshape(b, k, n)
                gc = np.fromfile(d / f"{i}.{v}.{kern}.gc.f32", dtype=np.float32).reshape(b, t2, n)
                ev = abs(cs["values"][f"{v}.{kern}"] - r["value"]) / abs(r["value"])
                ew = np.abs(gw - r["gw"]).max() / np.abs(r["gw"]).max()
                efd = max(abs(gw[ix] - g) for g, ix in fd[v]) / np.abs(r["gw"]).max()
                ec = np.abs(gc - r["gc"]).max() / np.abs(r["gc"]).max()
                worst = max(worst, ev, ew, efd, ec)
                print(f"{cs['name'][:46]:46} {v:16} {kern:7} {ev:8.1e} {ew:8.1e} {efd:8.1e} {ec:8.1e}")
    print(f"worst max|Δ|/max|ref|: {worst:.1e} (tolerance {TOL:g})")
    return 0 if worst <= TOL else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/lrtl-lt-check")))
