/**
 * A small seeded pseudo-random generator with a serialisable state (mulberry32).
 *
 * Used for deterministic weight initialisation and for batch sampling in training; the state is
 * one 32-bit integer so checkpoints can store it and resume the exact same sequence.
 * @module
 */

/** A seeded generator of uniform numbers in [0, 1) whose state can be saved and restored. */
export class Rng {
  #state: number;

  /** Create a generator from an integer seed (any finite number; it is reduced to 32 bits). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`Rng: seed must be finite, got ${seed}`);
    this.#state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** The current state; `Rng.fromState(r.state)` continues the same sequence. */
  get state(): number {
    return this.#state;
  }

  /** Restore a generator from a saved `state`. */
  static fromState(state: number): Rng {
    const r = new Rng(0);
    r.#state = state >>> 0;
    return r;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A standard normal number (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
