/**
 * A tiny synthetic training sequence for tests: a textured square moving by (1, 1) px per frame
 * over a textured static background, with exact flow and tracks.
 * @module
 */
import type { FlowField, Tracks } from "../../motion/types.ts";
import type { TrainSequence } from "./batch.ts";

/** Size and extent of the test scene. */
export const SCENE = { width: 32, height: 24, frames: 12, side: 8, x0: 3, y0: 3 } as const;

const inSquare = (x: number, y: number, t: number) =>
  x >= SCENE.x0 + t && x < SCENE.x0 + t + SCENE.side && y >= SCENE.y0 + t &&
  y < SCENE.y0 + t + SCENE.side;

/** Build the moving-square sequence. */
export function movingSquare(): TrainSequence {
  const { width: W, height: H, frames: F } = SCENE;
  const frames = [];
  for (let t = 0; t < F; t++) {
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 3;
        if (inSquare(x, y, t)) {
          const u = x - t, v = y - t; // texture moves with the square
          data[i] = 230;
          data[i + 1] = 60 + 120 * ((u + v) % 2);
          data[i + 2] = 40;
        } else {
          data[i] = 40 + 30 * ((x >> 1) % 2);
          data[i + 1] = 90 + 40 * ((y >> 1) % 2);
          data[i + 2] = 160;
        }
      }
    }
    frames.push({ width: W, height: H, data });
  }
  const flow = (t: number, gap: number, dir: "fwd" | "bwd"): FlowField | null => {
    const t2 = dir === "fwd" ? t + gap : t - gap;
    if (t2 < 0 || t2 >= F) return null;
    const uv = new Float32Array(W * H * 2);
    const d = t2 - t;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (inSquare(x, y, t)) {
          uv[2 * (y * W + x)] = d;
          uv[2 * (y * W + x) + 1] = d;
        }
      }
    }
    return { width: W, height: H, uv };
  };
  const pts: { x: number; y: number; moving: boolean }[] = [];
  for (let y = 1; y < H; y += 3) for (let x = 1; x < W; x += 3) pts.push({ x, y, moving: false });
  for (let y = 0; y < SCENE.side; y += 2) {
    for (let x = 0; x < SCENE.side; x += 2) {
      pts.push({ x: SCENE.x0 + x + 0.5, y: SCENE.y0 + y + 0.5, moving: true });
    }
  }
  const n = pts.length;
  const tracks: Tracks = {
    width: W,
    height: H,
    numTracks: n,
    numFrames: F,
    queryFrame: new Int32Array(n),
    xy: new Float32Array(2 * n * F),
    visible: new Uint8Array(n * F),
  };
  pts.forEach((p, i) => {
    tracks.queryFrame[i] = i % F;
    for (let t = 0; t < F; t++) {
      const x = p.moving ? p.x + t : p.x;
      const y = p.moving ? p.y + t : p.y;
      tracks.xy[2 * (i * F + t)] = x;
      tracks.xy[2 * (i * F + t) + 1] = y;
      tracks.visible[i * F + t] = p.moving || !inSquare(Math.floor(x), Math.floor(y), t) ? 1 : 0;
    }
  });
  return { name: "moving-square", frames, flow, tracks };
}
