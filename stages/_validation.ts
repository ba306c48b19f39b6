/**
 * J on the scored frames during training (`train.valEvery`): the network is scored every N
 * steps with the evaluation's protocol and headline merge, to show progress as a curve. It
 * USES THE LABELS. By default nothing is chosen by it; `train.selectByVal` (the reference's
 * recipe) keeps the checkpoint with the best J instead of the last one, and says so.
 *
 * The history and the best weights live in the stage's work folder, so a killed and resumed
 * training ends with the same curve and the same selection as an uninterrupted one.
 * @module
 */
import { join } from "node:path";
import { createSegmenter } from "../learn/net/mod.ts";
import type { NamedArray, Segmenter, SegmenterConfig } from "../learn/net/types.ts";
import type { FramesArtifact, SequenceFlow } from "./artifacts.ts";
import { scoreSequence } from "./_segment_scores.ts";
import { datasetJ } from "./scoring.ts";
import { loadModel, saveModel } from "./_model_io.ts";

/** Name of the curve (the report charts `val_*` curves apart, labelled as using labels). */
export const VAL_CURVE = "val_J";

/** What {@link Validation.open} needs. */
export interface ValidationOptions {
  /** Score every this many steps (> 0), and at step 0 and the last step. */
  every: number;
  /** Keep the weights with the best J (uses labels) instead of the last ones. */
  select: boolean;
  merge: "motion" | "colour";
  dataset: string;
  /** The stage's work folder (survives a killed run). */
  workDir: string;
  net: SegmenterConfig;
}

interface State {
  points: [number, number][];
  bestStep: number | null;
  bestJ: number | null;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Validation J of one training run. */
export class Validation {
  #opts: ValidationOptions;
  #seqs: { art: FramesArtifact; flow: SequenceFlow }[];
  #state: State;
  #scratch: Segmenter | null = null;

  private constructor(
    opts: ValidationOptions,
    seqs: { art: FramesArtifact; flow: SequenceFlow }[],
    state: State,
  ) {
    this.#opts = opts;
    this.#seqs = seqs;
    this.#state = state;
  }

  /** Starts (or, after a killed run, resumes) the validation of a training run. */
  static async open(
    opts: ValidationOptions,
    seqs: { art: FramesArtifact; flow: SequenceFlow }[],
  ): Promise<Validation> {
    if (!Number.isInteger(opts.every) || opts.every < 1) {
      throw new RangeError(`train.valEvery must be a positive integer here, got ${opts.every}`);
    }
    let state: State = { points: [], bestStep: null, bestJ: null };
    try {
      state = JSON.parse(await Deno.readTextFile(join(opts.workDir, "val.json")));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return new Validation(opts, seqs, state);
  }

  /** The checkpoint interval that also lands on every validation step. */
  checkpointEvery(base: number): number {
    return gcd(base, this.#opts.every);
  }

  /** Whether `step` is scored (every N steps and the last one). */
  due(step: number, last: number): boolean {
    return step === 0 || step % this.#opts.every === 0 || step === last;
  }

  /** J (×100) of a network on the scored frames, by the dataset's protocol. */
  async score(net: Segmenter): Promise<number> {
    const seqs = [];
    for (const { art, flow } of this.#seqs) {
      const r = await scoreSequence(net, art, flow, { merges: [this.#opts.merge] });
      seqs.push(r.scores[this.#opts.merge]);
    }
    return datasetJ(this.#opts.dataset, seqs);
  }

  /** Scores the weights of step `step` (once per step) and records them if selected. */
  async record(step: number, weights: NamedArray[]): Promise<number> {
    const done = this.#state.points.find(([s]) => s === step);
    if (done) return done[1];
    this.#scratch ??= createSegmenter(this.#opts.net);
    this.#scratch.setWeights(weights);
    const j = await this.score(this.#scratch);
    this.#state.points.push([step, j]);
    if (
      this.#opts.select && Number.isFinite(j) &&
      (this.#state.bestJ === null || j > this.#state.bestJ)
    ) {
      this.#state.bestJ = j;
      this.#state.bestStep = step;
      const dir = join(this.#opts.workDir, "best");
      await Deno.mkdir(dir, { recursive: true });
      await saveModel(dir, this.#scratch);
    }
    const tmp = join(this.#opts.workDir, "val.json.tmp");
    await Deno.writeTextFile(tmp, JSON.stringify(this.#state));
    await Deno.rename(tmp, join(this.#opts.workDir, "val.json"));
    return j;
  }

  /** The recorded (step, J) points in step order. */
  get points(): [number, number][] {
    return [...this.#state.points].sort((a, b) => a[0] - b[0]);
  }

  /** With `select`: the selected step and its network (the caller disposes it). */
  async selected(): Promise<{ step: number; j: number; net: Segmenter } | null> {
    if (!this.#opts.select || this.#state.bestStep === null) return null;
    return {
      step: this.#state.bestStep,
      j: this.#state.bestJ!,
      net: await loadModel(join(this.#opts.workDir, "best")),
    };
  }

  dispose(): void {
    this.#scratch?.dispose();
    this.#scratch = null;
  }
}
