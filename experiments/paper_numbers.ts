/**
 * The only numbers the paper (and its context) report that PAPER.md lets us verify. Reports
 * show them in their own clearly labelled column; nothing else is ever invented.
 * @module
 */

export interface PaperNumber {
  table: string;
  row: string;
  dataset: string;
  metric: string;
  value: number;
  source: string;
}

export const PAPER_NUMBERS: readonly PaperNumber[] = [
  {
    table: "main_comparison",
    row: "Lf+Lt+Lr (ours)",
    dataset: "davis2016",
    metric: "J",
    value: 82.2,
    source: "LRTL, NeurIPS 2024 (DINO ViT-B/8, RAFT, CoTracker)",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage, no post-processing)",
    dataset: "davis2016",
    metric: "J",
    value: 80.9,
    source: "RCF as cited by LRTL",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage, no post-processing)",
    dataset: "segtrackv2",
    metric: "J",
    value: 76.7,
    source: "RCF as cited by LRTL",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage, no post-processing)",
    dataset: "fbms59",
    metric: "J",
    value: 69.9,
    source: "RCF as cited by LRTL",
  },
  {
    table: "main_comparison",
    row: "whole frame",
    dataset: "davis2016",
    metric: "J",
    value: 8.3,
    source: "PAPER.md floors, all 20 DAVIS val sequences",
  },
  {
    table: "main_comparison",
    row: "centred ellipse",
    dataset: "davis2016",
    metric: "J",
    value: 22.0,
    source: "PAPER.md floors, all 20 DAVIS val sequences",
  },
  {
    table: "trajectory_clustering",
    row: "SSC",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 2.2,
    source: "Elhamifar & Vidal, all 155 sequences",
  },
  {
    table: "trajectory_clustering",
    row: "K-Means",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 21.0,
    source: "PAPER.md, reference Python on all 155 sequences",
  },
  {
    table: "trajectory_clustering",
    row: "LRTL-direct",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 15.0,
    source: "PAPER.md, reference Python, r = 4, 6 restarts",
  },
];
