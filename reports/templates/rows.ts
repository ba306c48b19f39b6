/**
 * The shapes of the named datasets the chart templates read.
 *
 * @module
 */

/** One bar / point: a summary cell of a results table. Dataset "rows". */
export interface ChartRow {
  /** The table row (method or setting), as displayed. */
  row: string;
  /** The dataset's display name. */
  dataset: string;
  /** The metric key (templates filter panels on it). */
  metric: string;
  /** Numeric setting, null when none. */
  x: number | null;
  mean: number;
  /** mean − std and mean + std; null without a std (fewer than two seeds). */
  lo: number | null;
  hi: number | null;
  /** Number of seeds behind the mean. */
  n: number;
  /** The formatted value (tooltip / label). */
  text: string;
}

/** One reference number (the paper's, or a measured reference). Dataset "paper". */
export interface PaperRow {
  row: string;
  dataset: string;
  metric: string;
  value: number;
  /** The reference kind's label, e.g. "paper (reported)" (the mark's shape). */
  kind: string;
}

/** Mark shapes of the reference kinds, in the order of their labels. */
export const REFERENCE_SHAPES = ["diamond", "triangle-up", "square"] as const;

/** The shape encoding of reference marks: one shape per kind label present. */
export function referenceShape(kinds: readonly string[], all: readonly string[]) {
  const present = all.filter((k) => kinds.includes(k));
  return {
    field: "kind",
    type: "nominal" as const,
    title: null,
    scale: {
      domain: present,
      range: present.map((k) => REFERENCE_SHAPES[all.indexOf(k) % REFERENCE_SHAPES.length]),
    },
    legend: { orient: "bottom" as const, labelLimit: 320 },
  };
}

/** One point of a loss curve. Dataset "curves". */
export interface CurvePoint {
  /** The training run (stage id) the curve belongs to. */
  run: string;
  /** The loss term. */
  name: string;
  step: number;
  value: number;
}
