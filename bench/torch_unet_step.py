"""PyTorch anchor for `deno task bench train`: one training step of the project's UNet
(learn/net/segmenter.ts, arch "unet": 16-32-64, two 3x3 conv + batch norm + ReLU per block,
2x2 max pooling, nearest x2 upsampling + conv-BN-ReLU + skip concat, 1x1 head, softmax over K)
on a [4, 3, H, W] batch (--height, --width, --depth; the bench passes the small profile's) with a fixed linear loss of the masks and AdamW, on the CPU.

torch is an anchor, never a dependency: the bench runs this only when `import torch` works.
Prints one JSON line: {"step_ms": median, "forward_ms": median, "threads": n, "torch": version}.

    python3 bench/torch_unet_step.py --threads 2 --steps 30
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(ci: int, co: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(ci, co, 3, padding=1, bias=False), nn.BatchNorm2d(co), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, width: int = 16, depth: int = 3, k: int = 4):
        super().__init__()
        ch = [width * 2**i for i in range(depth)]
        self.enc = nn.ModuleList(
            nn.Sequential(conv_bn(3 if i == 0 else ch[i - 1], ch[i]), conv_bn(ch[i], ch[i]))
            for i in range(depth)
        )
        self.up = nn.ModuleList(conv_bn(ch[i + 1], ch[i]) for i in reversed(range(depth - 1)))
        self.dec = nn.ModuleList(
            nn.Sequential(conv_bn(2 * ch[i], ch[i]), conv_bn(ch[i], ch[i]))
            for i in reversed(range(depth - 1))
        )
        self.head = nn.Conv2d(ch[0], k, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = (x - 0.45) / 0.225
        feats = []
        for i, block in enumerate(self.enc):
            if i > 0:
                h = F.max_pool2d(h, 2, 2, ceil_mode=True)
            h = block(h)
            feats.append(h)
        for up, dec, skip in zip(self.up, self.dec, reversed(feats[:-1])):
            h = F.interpolate(h, scale_factor=2, mode="nearest")[:, :, : skip.shape[2], : skip.shape[3]]
            h = dec(torch.cat([up(h), skip], 1))
        return torch.softmax(self.head(h), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--height", type=int, default=64)
    ap.add_argument("--width", type=int, default=112)
    ap.add_argument("--depth", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = UNet(depth=a.depth)
    opt = torch.optim.AdamW(net.parameters(), lr=7e-4, weight_decay=0.01)
    x = torch.rand(a.batch, 3, a.height, a.width)
    w = torch.rand(a.batch, 4, a.height, a.width)
    step_ms, fwd_ms = [], []
    for i in range(a.steps + 3):
        t0 = time.perf_counter()
        masks = net(x)
        t1 = time.perf_counter()
        loss = (masks * w).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        t2 = time.perf_counter()
        if i >= 3:  # warm-up
            step_ms.append(1000 * (t2 - t0))
            fwd_ms.append(1000 * (t1 - t0))
    print(
        json.dumps(
            {
                "step_ms": statistics.median(step_ms),
                "forward_ms": statistics.median(fwd_ms),
                "threads": a.threads,
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
