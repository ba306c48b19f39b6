/**
 * Seeded pseudo-random numbers, the one module every folder draws from (no `Math.random`).
 *
 * {@linkcode Rng} (mulberry32, one 32-bit integer of state that checkpoints store) is the
 * generator: weight initialisation and batch sampling in training, k-means++ seeding and
 * random starts in clustering, RANSAC in the classical motion floor, test data.
 * {@linkcode Sfc32} is kept for one stream only, the synthetic video generator, whose videos
 * (and every cached result computed from them) would all change with another algorithm. Both
 * share the helpers of {@linkcode SeededRandom}; {@linkcode hash2} is the stateless lattice
 * hash of the synthetic textures.
 *
 * @example
 * ```ts
 * import { Rng } from "./random.ts";
 * const rng = new Rng(42);
 * const again = Rng.fromState(rng.state); // continues the same sequence
 * rng.next(); // uniform in [0, 1)
 * ```
 * @module
 */

/** Helpers over a uniform generator of numbers k / 2³² in [0, 1). */
export abstract class SeededRandom {
  /** A uniform number in [0, 1). */
  abstract next(): number;

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A uniform integer in [lo, hi] (inclusive). */
  intIn(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A uniform number in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** -1 or +1. */
  sign(): number {
    return this.next() < 0.5 ? -1 : 1;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A standard normal number (Box–Muller; a draw of exactly 0 is redrawn). */
  normal(): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** mulberry32: the project's seeded generator, its state one 32-bit integer. */
export class Rng extends SeededRandom {
  #state: number;

  /** A generator from an integer seed (any finite number; it is reduced to 32 bits). */
  constructor(seed: number) {
    super();
    if (!Number.isFinite(seed)) throw new TypeError(`Rng: seed must be finite, got ${seed}`);
    this.#state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** The current state; `Rng.fromState(r.state)` continues the same sequence. */
  get state(): number {
    return this.#state;
  }

  /** A generator at a saved `state` (the state `s >>> 0` is also mulberry32 seeded with `s`). */
  static fromState(state: number): Rng {
    const r = new Rng(0);
    r.#state = state >>> 0;
    return r;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Uniform numbers in [0, 1) of a new `Rng(seed)`, as a function (test data). */
export function uniforms(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** sfc32 seeded through splitmix32: the synthetic video generator's stream. */
export class Sfc32 extends SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** A generator from a 32-bit integer seed. */
  constructor(seed: number) {
    super();
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** The next unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }
}

/** A stateless hash of two integer lattice coordinates and a seed, uniform in [0, 1). */
export function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^
    Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
