/**
 * Rendering and exact ground truth for a built {@link Scene}: frames, instance masks, optical
 * flow (with a validity mask for occlusion / leaving the frame) and point tracks.
 *
 * Pixel convention: pixel (x, y) has its centre at the continuous point (x, y); flow and tracks
 * use the same coordinates.
 * @module
 */

import type { FlowField, Tracks } from "../../formats/types.ts";
import type { LabelImage, RgbImage } from "../types.ts";
import type { Scene, Shape, Surface } from "./scene.ts";

/** A ground-truth flow field with its validity: 1 where the target point is visible. */
export interface GtFlow extends FlowField {
  /** 1 where the surface point seen at the pixel is visible (in frame, unoccluded) at t ± gap. */
  valid: Uint8Array;
}

function insideShape(shape: Shape, x: number, y: number): boolean {
  switch (shape.type) {
    case "plane":
      return true;
    case "ellipse": {
      const u = x / shape.a, v = y / shape.b;
      return u * u + v * v <= 1;
    }
    case "polygon": {
      const p = shape.points;
      const n = p.length >> 1;
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    }
  }
}

/** Hit testing and sampling of a scene at one resolution. */
export class SceneRaster {
  readonly scene: Scene;
  readonly width: number;
  readonly height: number;
  /** Per frame per surface: image-space centre x, y and radius of the bounding circle. */
  readonly #bounds: Float64Array;
  readonly #ns: number;

  /** Prepare a scene for rasterisation. */
  constructor(scene: Scene) {
    this.scene = scene;
    this.width = scene.spec.width;
    this.height = scene.spec.height;
    const T = scene.spec.numFrames;
    this.#ns = scene.surfaces.length;
    this.#bounds = new Float64Array(T * this.#ns * 3);
    for (let t = 0; t < T; t++) {
      scene.surfaces.forEach((s, i) => {
        const m = s.toImage[t];
        const scale = Math.sqrt(Math.max(m[0] * m[0] + m[2] * m[2], m[1] * m[1] + m[3] * m[3]));
        const o = 3 * (t * this.#ns + i);
        this.#bounds[o] = m[4];
        this.#bounds[o + 1] = m[5];
        this.#bounds[o + 2] = s.radius * scale * 1.0001 + 1e-6;
      });
    }
  }

  /** Index of the front-most surface covering image point (x, y) at frame t. */
  top(t: number, x: number, y: number): number {
    const surfaces = this.scene.surfaces;
    const b = this.#bounds;
    for (let i = 0; i < this.#ns; i++) {
      const s = surfaces[i];
      if (s.shape.type === "plane") return i;
      const o = 3 * (t * this.#ns + i);
      const dx = x - b[o], dy = y - b[o + 1], r = b[o + 2];
      if (dx * dx + dy * dy > r * r) continue;
      const m = s.toLocal[t];
      if (insideShape(s.shape, m[0] * x + m[1] * y + m[4], m[2] * x + m[3] * y + m[5])) return i;
    }
    return this.#ns - 1;
  }

  #sample(t: number, surface: Surface, x: number, y: number, out: Float32Array, o: number): void {
    const m = surface.toLocal[t];
    const inv = 1 / this.height;
    surface.texture.sample(
      (m[0] * x + m[1] * y + m[4]) * inv,
      (m[2] * x + m[3] * y + m[5]) * inv,
      out,
      o,
    );
  }

  /**
   * Render frame t. Returns the frame, the instance mask and the surface index of every pixel
   * centre. Pixels on a surface boundary are supersampled `antialias²` times.
   */
  render(t: number): { frame: RgbImage; mask: LabelImage; surfaceIndex: Int16Array } {
    const { width: W, height: H } = this;
    const surfaces = this.scene.surfaces;
    const sid = new Int16Array(W * H);
    const rgb = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const s = this.top(t, x, y);
        sid[i] = s;
        this.#sample(t, surfaces[s], x, y, rgb, 3 * i);
      }
    }
    const aa = this.scene.spec.antialias;
    if (aa > 1) {
      const tmp = new Float32Array(3);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = y * W + x, s = sid[i];
          const edge = (x > 0 && sid[i - 1] !== s) || (x < W - 1 && sid[i + 1] !== s) ||
            (y > 0 && sid[i - W] !== s) || (y < H - 1 && sid[i + W] !== s);
          if (!edge) continue;
          let r = 0, g = 0, b = 0;
          for (let sy = 0; sy < aa; sy++) {
            for (let sx = 0; sx < aa; sx++) {
              const px = x + (sx + 0.5) / aa - 0.5, py = y + (sy + 0.5) / aa - 0.5;
              this.#sample(t, surfaces[this.top(t, px, py)], px, py, tmp, 0);
              r += tmp[0];
              g += tmp[1];
              b += tmp[2];
            }
          }
          const k = 1 / (aa * aa);
          rgb[3 * i] = r * k;
          rgb[3 * i + 1] = g * k;
          rgb[3 * i + 2] = b * k;
        }
      }
    }
    const data = new Uint8Array(W * H * 3);
    for (let i = 0; i < data.length; i++) {
      const v = Math.round(rgb[i]);
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    const mask = new Uint8Array(W * H);
    for (let i = 0; i < mask.length; i++) mask[i] = surfaces[sid[i]].objectId;
    return {
      frame: { width: W, height: H, data },
      mask: { width: W, height: H, data: mask },
      surfaceIndex: sid,
    };
  }

  /** Exact flow from frame t to frame `target`, given frame t's surface indices. */
  flow(t: number, target: number, surfaceIndex: Int16Array): GtFlow {
    const { width: W, height: H } = this;
    const surfaces = this.scene.surfaces;
    const uv = new Float32Array(2 * W * H);
    const valid = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x, s = surfaceIndex[i];
        const a = surfaces[s].toLocal[t], b = surfaces[s].toImage[target];
        const lx = a[0] * x + a[1] * y + a[4], ly = a[2] * x + a[3] * y + a[5];
        const tx = b[0] * lx + b[1] * ly + b[4], ty = b[2] * lx + b[3] * ly + b[5];
        uv[2 * i] = tx - x;
        uv[2 * i + 1] = ty - y;
        valid[i] =
          tx >= 0 && ty >= 0 && tx <= W - 1 && ty <= H - 1 && this.top(target, tx, ty) === s
            ? 1
            : 0;
      }
    }
    return { width: W, height: H, uv, valid };
  }

  /**
   * Exact point tracks: grid points every `stride` px (offset `stride/2`) seeded at each query
   * frame, followed through all frames; visible when in frame and not covered by a nearer
   * surface. Also returns each track's surface index.
   */
  tracks(queryFrames: number[], stride: number, surfaceIndexAt: (t: number) => Int16Array): {
    tracks: Tracks;
    surface: Int16Array;
  } {
    const { width: W, height: H } = this;
    const T = this.scene.spec.numFrames;
    const surfaces = this.scene.surfaces;
    const gx: number[] = [], gy: number[] = [];
    const off = Math.floor(stride / 2);
    for (let y = off; y < H; y += stride) {
      for (let x = off; x < W; x += stride) gx.push(x), gy.push(y);
    }
    const perQuery = gx.length;
    const N = perQuery * queryFrames.length;
    const xy = new Float32Array(2 * N * T);
    const visible = new Uint8Array(N * T);
    const queryFrame = new Int32Array(N);
    const surfaceOf = new Int16Array(N);
    let n = 0;
    for (const q of queryFrames) {
      const sid = surfaceIndexAt(q);
      for (let k = 0; k < perQuery; k++, n++) {
        const x = gx[k], y = gy[k];
        const s = sid[y * W + x];
        surfaceOf[n] = s;
        queryFrame[n] = q;
        const a = surfaces[s].toLocal[q];
        const lx = a[0] * x + a[1] * y + a[4], ly = a[2] * x + a[3] * y + a[5];
        for (let t = 0; t < T; t++) {
          const b = surfaces[s].toImage[t];
          let px = b[0] * lx + b[1] * ly + b[4], py = b[2] * lx + b[3] * ly + b[5];
          if (t === q) px = x, py = y;
          const o = n * T + t;
          xy[2 * o] = px;
          xy[2 * o + 1] = py;
          visible[o] = px >= 0 && py >= 0 && px <= W - 1 && py <= H - 1 && this.top(t, px, py) === s
            ? 1
            : 0;
        }
      }
    }
    return {
      tracks: { width: W, height: H, numTracks: N, numFrames: T, queryFrame, xy, visible },
      surface: surfaceOf,
    };
  }
}
