/**
 * Row labels that several modules must spell alike — the stage that writes a row, the table
 * that runs it, its paper numbers, its findings and its presentation — declared once, so that
 * renaming a row is one edit the compiler follows.
 * @module
 */

/** The rows of the main comparison (`main_comparison`). */
export const MAIN_ROWS = {
  lfOnly: "Lf only (GWM-style)",
  ltOnly: "Lt only",
  ours: "Lf+Lt+Lr (ours)",
  untrained: "untrained network",
  /** Written by the `baselines` stage. */
  wholeFrame: "whole frame",
  /** Written by the `baselines` stage. */
  centredEllipse: "centred ellipse",
  /** Written by the `motion_floor` stage. */
  floor: "classical motion (no learning)",
} as const;

/** The rows of trajectory clustering (`trajectory_clustering`), written by the `cluster` stage. */
export const CLUSTERING_ROWS = {
  kmeans: "K-Means",
  ssc: "SSC",
  lrr: "LRR",
  lrtlDirect: "LRTL-direct",
} as const;
