/**
 * Scene construction for the synthetic generator: a textured background plane seen by a moving
 * camera (pan, zoom, small rotation) and 1–4 textured objects with their own motion. Every
 * surface carries one affine map per frame from its local coordinates to image pixels, which is
 * what makes the ground-truth flow, tracks and masks exact.
 * @module
 */

import { type Affine, compose, invert, similarity, translation } from "./affine.ts";
import { Sfc32 } from "../../core/random.ts";
import { randomTexture, Texture, type TextureSpec } from "./texture.ts";

/** What to generate for one synthetic sequence. */
export interface SyntheticSpec {
  /** Sequence name (a folder name on disk). */
  name: string;
  /** Seed of everything random in the sequence. */
  seed: number;
  numFrames: number;
  width: number;
  height: number;
  /** `random` (default): 1–4 objects with mixed motions; `triangle`: the paper's Fig. 1. */
  kind?: "random" | "triangle";
  /** Number of objects for `random` (1…4); default drawn from the seed. */
  numObjects?: number;
  /** Camera motion; default `full` (pan + zoom + rotation) for random, `pan` for triangle. */
  camera?: "static" | "pan" | "full";
  /** Samples per axis on surface edges (1 = no anti-aliasing); default 3. */
  antialias?: number;
  /** Track grid spacing in pixels; default `max(4, round(height / 18))`. */
  trackStride?: number;
  /** Seed tracks at every `trackQueryEvery`-th frame; default 1 (every frame). */
  trackQueryEvery?: number;
  /** Flow gaps (forward and backward) to produce; default `[1, 2]`. */
  flowGaps?: number[];
}

/** A spec with every default filled in. */
export type ResolvedSpec = Required<SyntheticSpec>;

/** A surface's outline in its local pixel coordinates. */
export type Shape =
  | { type: "plane" }
  | { type: "ellipse"; a: number; b: number }
  | { type: "polygon"; points: number[] };

/** Motion features an object can have (recorded in `meta.json`). */
export type MotionFeature =
  | "translate"
  | "rotate"
  | "scale"
  | "articulated"
  | "intermittent";

/** One rigid piece of the scene: the background, an object, or an object's limb. */
export interface Surface {
  /** Label written to masks: 0 background, 1…n objects (a limb shares its object's id). */
  objectId: number;
  part: "background" | "body" | "limb";
  shape: Shape;
  /** Radius of a circle around the local origin containing the shape (pixels); ∞ for a plane. */
  radius: number;
  texture: Texture;
  /** Per frame: local → image pixels. */
  toImage: Affine[];
  /** Per frame: image pixels → local. */
  toLocal: Affine[];
}

/** Description of an object for metadata. */
export interface ObjectInfo {
  id: number;
  features: MotionFeature[];
  shape: Shape["type"];
  /** Frames (indices) at which an intermittent object is not moving. */
  pausedFrames: number[];
}

/** A built scene: surfaces front to back (background last). */
export interface Scene {
  spec: ResolvedSpec;
  surfaces: Surface[];
  objects: ObjectInfo[];
  textures: TextureSpec[];
}

/** Fill the defaults of a spec and validate it. */
export function resolveSpec(spec: SyntheticSpec): ResolvedSpec {
  const kind = spec.kind ?? "random";
  const r: ResolvedSpec = {
    name: spec.name,
    seed: spec.seed,
    numFrames: spec.numFrames,
    width: spec.width,
    height: spec.height,
    kind,
    numObjects: spec.numObjects ??
      (kind === "triangle" ? 1 : 1 + (new Sfc32(spec.seed ^ 0x51ed).nextU32() % 4)),
    camera: spec.camera ?? (kind === "triangle" ? "pan" : "full"),
    antialias: spec.antialias ?? 3,
    trackStride: spec.trackStride ?? Math.max(4, Math.round(spec.height / 18)),
    trackQueryEvery: spec.trackQueryEvery ?? 1,
    flowGaps: spec.flowGaps ?? [1, 2],
  };
  const posInt = (v: number, what: string, min = 1) => {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(
        `synthetic spec "${spec.name}": ${what} must be an integer ≥ ${min}, got ${v}`,
      );
    }
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(r.name)) {
    throw new RangeError(
      `synthetic spec: bad sequence name "${r.name}" (use letters, digits, _ . -)`,
    );
  }
  posInt(r.numFrames, "numFrames", 2);
  posInt(r.width, "width", 8);
  posInt(r.height, "height", 8);
  posInt(r.antialias, "antialias");
  posInt(r.trackStride, "trackStride");
  posInt(r.trackQueryEvery, "trackQueryEvery");
  if (!Number.isInteger(r.seed)) {
    throw new RangeError(`synthetic spec "${r.name}": seed must be an integer`);
  }
  if (r.numObjects < 1 || r.numObjects > 4 || !Number.isInteger(r.numObjects)) {
    throw new RangeError(`synthetic spec "${r.name}": numObjects must be 1…4, got ${r.numObjects}`);
  }
  for (const g of r.flowGaps) posInt(g, "each flow gap");
  return r;
}

function cameraMaps(spec: ResolvedSpec, rng: Sfc32): Affine[] {
  const { width: W, height: H, numFrames: T } = spec;
  const cx = (W - 1) / 2, cy = (H - 1) / 2;
  const pan = spec.camera !== "static";
  const full = spec.camera === "full";
  const dir = rng.range(0, 2 * Math.PI);
  const speed = pan ? rng.range(0.002, 0.008) * H : 0;
  const wob = pan ? rng.range(0, 0.03) * H : 0,
    wobF = rng.range(0.05, 0.15),
    wobP = rng.range(0, 6.3);
  const zoom = full ? rng.range(0.05, 0.15) : 0,
    zoomF = rng.range(0.03, 0.08),
    zoomP = rng.range(0, 6.3);
  const rot = full ? rng.range(0.02, 0.06) : 0,
    rotF = rng.range(0.03, 0.08),
    rotP = rng.range(0, 6.3);
  const maps: Affine[] = [];
  for (let t = 0; t < T; t++) {
    const dx = speed * t * Math.cos(dir) + wob * Math.sin(wobF * t + wobP);
    const dy = speed * t * Math.sin(dir) + wob * Math.cos(wobF * t + wobP);
    const s = Math.exp(zoom * (Math.sin(zoomF * t + zoomP) - Math.sin(zoomP)));
    const th = rot * (Math.sin(rotF * t + rotP) - Math.sin(rotP));
    // world → image: c + s R(θ) (p − c − d)
    maps.push(compose(similarity(cx, cy, s, th), translation(-cx - dx, -cy - dy)));
  }
  return maps;
}

function radialPolygon(rng: Sfc32, k: number, r: number, jitter: number): number[] {
  const pts: number[] = [];
  const a0 = rng.range(0, 2 * Math.PI);
  for (let i = 0; i < k; i++) {
    const a = a0 + (2 * Math.PI * (i + rng.range(-jitter, jitter) * 0.5)) / k;
    const rr = r * rng.range(1 - jitter, 1);
    pts.push(rr * Math.cos(a), rr * Math.sin(a));
  }
  return pts;
}

function shapeRadius(shape: Shape): number {
  if (shape.type === "plane") return Infinity;
  if (shape.type === "ellipse") return Math.max(shape.a, shape.b);
  let r = 0;
  for (let i = 0; i < shape.points.length; i += 2) {
    r = Math.max(r, Math.hypot(shape.points[i], shape.points[i + 1]));
  }
  return r;
}

/** Effective time: advances by 1 per frame, except during pauses (intermittent motion). */
function effectiveTimes(T: number, paused: Set<number>): number[] {
  const tau: number[] = [0];
  for (let t = 1; t < T; t++) tau.push(tau[t - 1] + (paused.has(t) ? 0 : 1));
  return tau;
}

function finish(
  spec: ResolvedSpec,
  objectId: number,
  part: Surface["part"],
  shape: Shape,
  tex: TextureSpec,
  toImage: Affine[],
): Surface {
  return {
    objectId,
    part,
    shape,
    radius: shapeRadius(shape),
    texture: new Texture(tex, spec.height),
    toImage,
    toLocal: toImage.map(invert),
  };
}

/** Build the scene of a spec: deterministic in `spec.seed`. */
export function buildScene(input: SyntheticSpec): Scene {
  const spec = resolveSpec(input);
  const rng = new Sfc32(spec.seed);
  const { width: W, height: H, numFrames: T } = spec;
  const camera = cameraMaps(spec, rng);
  const bgHue = rng.next();
  const bgTex = randomTexture(rng, bgHue, "background");
  const textures: TextureSpec[] = [bgTex];
  const surfaces: Surface[] = [];
  const objects: ObjectInfo[] = [];

  const n = spec.numObjects;
  const primary = rng.shuffle<MotionFeature>(["rotate", "articulated", "intermittent", "scale"]);
  const depth = rng.shuffle([...Array(n).keys()]); // depth[k] = object index at depth k (front first)
  const perObject: Surface[][] = [];
  for (let i = 0; i < n; i++) {
    const id = i + 1;
    const hue = bgHue + 0.5 + (i - (n - 1) / 2) * 0.22 + rng.range(-0.04, 0.04);
    const tex = randomTexture(rng, hue, "object");
    textures.push(tex);
    const features = new Set<MotionFeature>(["translate"]);
    if (spec.kind === "triangle") features.add("rotate");
    else {
      features.add(primary[i % primary.length]);
      if (rng.next() < 0.35) features.add("rotate");
      if (rng.next() < 0.2) features.add("scale");
    }
    const paused = new Set<number>();
    if (features.has("intermittent")) {
      const pauses = T >= 24 ? 2 : 1;
      for (let p = 0; p < pauses; p++) {
        const len = Math.min(Math.max(3, Math.round(T / 6)), rng.intIn(5, 10));
        const start = rng.intIn(1, Math.max(1, T - len - 1));
        for (let t = start; t < start + len && t < T; t++) paused.add(t);
      }
    }
    const tau = effectiveTimes(T, paused);

    // shape
    const size = (spec.kind === "triangle" ? 0.3 : rng.range(0.12, 0.22)) * H;
    let shape: Shape;
    if (spec.kind === "triangle") {
      shape = { type: "polygon", points: radialPolygon(rng, 3, size, 0.1) };
    } else if (features.has("articulated")) {
      shape = rng.next() < 0.5 ? { type: "ellipse", a: size, b: size * rng.range(0.55, 0.8) } : {
        type: "polygon",
        points: [-size, -0.6 * size, size, -0.6 * size, size, 0.6 * size, -size, 0.6 * size],
      };
    } else {
      const r = rng.next();
      shape = r < 0.3 ? { type: "ellipse", a: size, b: size * rng.range(0.5, 0.95) } : {
        type: "polygon",
        points: radialPolygon(rng, rng.intIn(3, 7), size, r < 0.65 ? 0.15 : 0.45),
      };
    }

    // motion parameters (world pixels, per unit of effective time)
    const x0 = rng.range(0.15, 0.85) * W, y0 = rng.range(0.2, 0.8) * H;
    const vdir = rng.range(0, 2 * Math.PI);
    const vmag = (spec.kind === "triangle" ? rng.range(0.002, 0.005) : rng.range(0.004, 0.015)) * H;
    const curve = rng.range(0, 0.05) * H, curveF = rng.range(0.05, 0.2), curveP = rng.range(0, 6.3);
    const phi0 = rng.range(0, 2 * Math.PI);
    const rotating = features.has("rotate");
    const omega = rotating ? rng.sign() * rng.range(0.03, 0.09) : rng.sign() * rng.range(0, 0.01);
    const omegaVar = rotating ? rng.range(0.5, 0.9) : 0, omegaF = rng.range(0.08, 0.2);
    const scaling = features.has("scale");
    const kappa = scaling ? rng.range(0.12, 0.3) : 0,
      kappaF = rng.range(0.06, 0.15),
      kappaP = rng.range(0, 6.3);
    const pose: Affine[] = [];
    for (let t = 0; t < T; t++) {
      const u = tau[t];
      const along = vmag * u,
        across = curve * Math.sin(curveF * u + curveP) - curve * Math.sin(curveP);
      const x = x0 + along * Math.cos(vdir) - across * Math.sin(vdir);
      const y = y0 + along * Math.sin(vdir) + across * Math.cos(vdir);
      // angular speed ω (1 + a sin(f u)) integrated: varying speed
      const phi = phi0 + omega * (u + (omegaVar / omegaF) * (1 - Math.cos(omegaF * u)));
      const s = Math.exp(kappa * (Math.sin(kappaF * u + kappaP) - Math.sin(kappaP)));
      pose.push(similarity(x, y, s, phi));
    }
    const bodyMaps = pose.map((p, t) => compose(camera[t], p));
    const parts: Surface[] = [finish(spec, id, "body", shape, tex, bodyMaps)];

    if (features.has("articulated")) {
      const limbLen = size * rng.range(0.8, 1.1), limbW = size * rng.range(0.2, 0.3);
      const limbShape: Shape = {
        type: "polygon",
        points: [
          -0.1 * limbLen,
          -limbW / 2,
          limbLen,
          -limbW / 2,
          limbLen,
          limbW / 2,
          -0.1 * limbLen,
          limbW / 2,
        ],
      };
      const hingeAngle = rng.range(0, 2 * Math.PI);
      const hingeR = shape.type === "ellipse"
        ? 1 / Math.hypot(Math.cos(hingeAngle) / shape.a, Math.sin(hingeAngle) / shape.b)
        : size * 0.6;
      const hx = 0.85 * hingeR * Math.cos(hingeAngle), hy = 0.85 * hingeR * Math.sin(hingeAngle);
      const psi0 = hingeAngle,
        amp = rng.range(0.5, 1.0),
        psiF = rng.range(0.12, 0.3),
        psiP = rng.range(0, 6.3);
      const limbTex = { ...tex, seed: tex.seed ^ 0x2545f491 };
      const limbMaps = bodyMaps.map((m, t) =>
        compose(m, similarity(hx, hy, 1, psi0 + amp * Math.sin(psiF * tau[t] + psiP)))
      );
      parts.push(finish(spec, id, "limb", limbShape, limbTex, limbMaps));
    }
    perObject.push(parts);
    objects.push({
      id,
      features: [...features],
      shape: shape.type,
      pausedFrames: [...paused].sort((a, b) => a - b),
    });
  }
  for (const i of depth) surfaces.push(...perObject[i]);
  surfaces.push(finish(spec, 0, "background", { type: "plane" }, bgTex, camera));
  return { spec, surfaces, objects, textures };
}
