/**
 * The units the paper's losses are computed in, so that its weights (λf = 0.03, λt = 5e-5) weigh
 * the terms as they do there: flow and trajectory coordinates in pixels of the 854×480 working
 * frame of DAVIS 480p, and Lt over N = 70 000 tracks. See README "Loss units".
 * @module
 */

/** The paper's working frame: Lf and Lt are computed in its pixels. */
export const PAPER_FRAME = { width: 854, height: 480 } as const;

/** Tracks per frame in the paper's Lt (Lt grows like √N; see `trajectoryLoss`'s `trackScale`). */
export const PAPER_TRACKS = 70_000;

/**
 * [sx, sy] taking pixels of a `width`×`height` frame to pixels of the paper's 854×480 frame
 * (x · 854/width, y · 480/height: the paper resizes every video to 854×480).
 */
export function paperScale(width: number, height: number): [number, number] {
  if (!(width > 0) || !(height > 0)) {
    throw new RangeError(`learn/losses/units.ts: frame size must be > 0, got ${width}x${height}`);
  }
  return [PAPER_FRAME.width / width, PAPER_FRAME.height / height];
}
