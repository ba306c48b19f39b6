/**
 * Write synthetic sequences to disk in a DAVIS-like layout, so downstream code reads synthetic
 * and real data alike:
 *
 * ```
 * <out>/meta.json                                  generator, preset, options, per-sequence specs
 * <out>/JPEGImages/480p/<seq>/00000.png            frames (lossless PNG)
 * <out>/Annotations/480p/<seq>/00000.png           grey PNG, value = instance id (0 background)
 * <out>/Flow/<seq>/fwd_g1/00000.flo                flow of frame 0 towards frame 1 (also bwd_g1, fwd_g2, …)
 * <out>/Flow/<seq>/fwd_g1_valid/00000.png          255 where the flow's target point is visible
 * <out>/Tracks/<seq>.lrtk                          exact tracks (formats/tracks.ts)
 * <out>/Tracks/<seq>.labels                        one byte per track: its instance id
 * ```
 * (The folder is named `480p` as in DAVIS whatever the working resolution.)
 * @module
 */

import { join } from "node:path";
import { encodeFlo } from "../../formats/flo.ts";
import { writeGreyPng, writeRgbPng } from "../../formats/image.ts";
import { writeTracks } from "../../formats/tracks.ts";
import type { FlowDirection, SyntheticSequence } from "./generate.ts";
import { generateSequence } from "./generate.ts";
import { type PresetName, type PresetOptions, presetSpecs } from "./presets.ts";

/** Version of the generator; recorded in `meta.json` (bump when output bytes change). */
export const GENERATOR_VERSION = 1;

/** Frame file name: 5-digit zero-padded index. */
export function frameFileName(t: number, ext: string): string {
  return `${String(t).padStart(5, "0")}.${ext}`;
}

/** Write one generated sequence under `outDir` (creates folders as needed). */
export async function writeSyntheticSequence(outDir: string, s: SyntheticSequence): Promise<void> {
  const name = s.spec.name;
  const imgDir = join(outDir, "JPEGImages", "480p", name);
  const annDir = join(outDir, "Annotations", "480p", name);
  await Deno.mkdir(imgDir, { recursive: true });
  await Deno.mkdir(annDir, { recursive: true });
  const T = s.sequence.frames.length;
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < T; t++) {
    jobs.push(writeRgbPng(join(imgDir, frameFileName(t, "png")), s.sequence.frames[t]));
    jobs.push(writeGreyPng(join(annDir, frameFileName(t, "png")), s.sequence.masks[t]!));
  }
  await Promise.all(jobs);
  for (const dir of ["fwd", "bwd"] as FlowDirection[]) {
    for (const [gap, fields] of Object.entries(s.flows[dir])) {
      const flowDir = join(outDir, "Flow", name, `${dir}_g${gap}`);
      const validDir = `${flowDir}_valid`;
      await Deno.mkdir(flowDir, { recursive: true });
      await Deno.mkdir(validDir, { recursive: true });
      const writes: Promise<void>[] = [];
      fields.forEach((f, t) => {
        if (!f) return;
        writes.push(Deno.writeFile(join(flowDir, frameFileName(t, "flo")), encodeFlo(f)));
        const v = new Uint8Array(f.valid.length);
        for (let i = 0; i < v.length; i++) v[i] = f.valid[i] * 255;
        writes.push(
          writeGreyPng(join(validDir, frameFileName(t, "png")), {
            width: f.width,
            height: f.height,
            data: v,
          }),
        );
      });
      await Promise.all(writes);
    }
  }
  await Deno.mkdir(join(outDir, "Tracks"), { recursive: true });
  await writeTracks(join(outDir, "Tracks", `${name}.lrtk`), s.tracks);
  await Deno.writeFile(join(outDir, "Tracks", `${name}.labels`), s.trackObject);
}

/** Options of {@link writeSyntheticDataset}. */
export interface WriteDatasetOptions extends PresetOptions {
  /** Called after each sequence is written. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link writeSyntheticDataset} wrote. */
export interface WrittenDataset {
  path: string;
  sequences: string[];
}

/**
 * Generate a preset and write it to `outDir` (sequence by sequence, to bound memory).
 * `meta.json` is written last, so its presence marks a complete dataset.
 */
export async function writeSyntheticDataset(
  outDir: string,
  preset: PresetName,
  opts: WriteDatasetOptions = {},
): Promise<WrittenDataset> {
  const { onProgress, ...presetOpts } = opts;
  const specs = presetSpecs(preset, presetOpts);
  await Deno.mkdir(outDir, { recursive: true });
  try {
    await Deno.remove(join(outDir, "meta.json"));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const sequences = [];
  for (let i = 0; i < specs.length; i++) {
    const s = generateSequence(specs[i]);
    await writeSyntheticSequence(outDir, s);
    sequences.push({
      spec: s.spec,
      objects: s.objects,
      textures: s.textures,
      numTracks: s.tracks.numTracks,
    });
    onProgress?.(i + 1, specs.length);
  }
  const meta = {
    dataset: "synthetic",
    generator: "lrtl/video/synthetic",
    generatorVersion: GENERATOR_VERSION,
    preset,
    options: presetOpts,
    layout: {
      frames: "JPEGImages/480p/<seq>/NNNNN.png",
      masks: "Annotations/480p/<seq>/NNNNN.png (instance id)",
      flow: "Flow/<seq>/{fwd,bwd}_g<gap>/NNNNN.flo (+ _valid/NNNNN.png)",
      tracks: "Tracks/<seq>.lrtk, Tracks/<seq>.labels (uint8 instance id per track)",
      pixelCentres: "pixel (x, y) is centred at (x, y)",
    },
    sequences,
  };
  await Deno.writeTextFile(join(outDir, "meta.json"), JSON.stringify(meta, null, 1) + "\n");
  return { path: outDir, sequences: specs.map((s) => s.name) };
}
