/**
 * 2-D affine maps as 6 numbers `[a, b, c, d, e, f]`: `x' = a x + b y + e`, `y' = c x + d y + f`.
 * @module
 */

/** An affine map `[a, b, c, d, e, f]` (see module docs). */
export type Affine = [number, number, number, number, number, number];

/** The identity map. */
export function identity(): Affine {
  return [1, 0, 0, 1, 0, 0];
}

/** `p ↦ t + s R(θ) p`. */
export function similarity(tx: number, ty: number, scale: number, angle: number): Affine {
  const c = Math.cos(angle) * scale, s = Math.sin(angle) * scale;
  return [c, -s, s, c, tx, ty];
}

/** Composition `m ∘ n` (apply n first). */
export function compose(m: Affine, n: Affine): Affine {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[0] * n[4] + m[1] * n[5] + m[4],
    m[2] * n[4] + m[3] * n[5] + m[5],
  ];
}

/** The inverse map. Throws a RangeError for a singular map. */
export function invert(m: Affine): Affine {
  const det = m[0] * m[3] - m[1] * m[2];
  if (Math.abs(det) < 1e-12) throw new RangeError(`invert: singular affine map (det ${det})`);
  const a = m[3] / det, b = -m[1] / det, c = -m[2] / det, d = m[0] / det;
  return [a, b, c, d, -(a * m[4] + b * m[5]), -(c * m[4] + d * m[5])];
}

/** Translation by (tx, ty). */
export function translation(tx: number, ty: number): Affine {
  return [1, 0, 0, 1, tx, ty];
}
