/**
 * Reference numbers, each with its kind, shown in its own clearly labelled column: `paper`
 * only for numbers printed in the paper (and the baselines it cites), `published` for numbers
 * from other papers, `measured` for results of the task's reference implementation that
 * PAPER.md records (they are not the paper's). Nothing else is ever invented.
 * @module
 */
import type { PaperNumber } from "../reports/table_model.ts";
import { MAIN_ROWS } from "../reports/rows.ts";

export type { PaperNumber };

export const PAPER_NUMBERS: readonly PaperNumber[] = [
  {
    table: "main_comparison",
    row: MAIN_ROWS.ours,
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
    row: MAIN_ROWS.wholeFrame,
    dataset: "davis2016",
    metric: "J",
    value: 8.3,
    source: "PAPER.md floors, all 20 DAVIS val sequences",
    kind: "measured",
  },
  {
    table: "main_comparison",
    row: MAIN_ROWS.centredEllipse,
    dataset: "davis2016",
    metric: "J",
    value: 22.0,
    source: "PAPER.md floors, all 20 DAVIS val sequences",
    kind: "measured",
  },
  {
    table: "main_comparison",
    row: MAIN_ROWS.floor,
    dataset: "davis2016",
    metric: "J",
    value: 48.9,
    source: "PAPER.md floors, OpenCV DIS flow at 854×480, all 20 DAVIS val sequences " +
      "(46.7 on the four samples)",
    kind: "measured",
  },
  {
    table: "trajectory_clustering",
    row: "SSC",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 2.2,
    source: "Elhamifar & Vidal, all 155 sequences",
    kind: "published",
  },
  {
    table: "trajectory_clustering",
    row: "K-Means",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 21.0,
    source: "PAPER.md, reference Python on all 155 sequences",
    kind: "measured",
  },
  {
    table: "trajectory_clustering",
    row: "LRTL-direct",
    dataset: "hopkins155",
    metric: "misclassification",
    value: 15.0,
    source: "PAPER.md, reference Python, r = 4, 6 restarts",
    kind: "measured",
  },
];
