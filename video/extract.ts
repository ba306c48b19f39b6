/**
 * Frames from video files (mp4, avi, …) with a system ffmpeg, run through `Deno.Command` with
 * argument arrays; raw rgb24 frames are streamed from its stdout. Needs `--allow-run`.
 * @module
 */

import type { RgbImage } from "./types.ts";

/** Options of {@link extractVideoFrames}. */
export interface ExtractOptions {
  /** Output width; with `height`, frames are resized with ffmpeg's area filter. */
  width?: number;
  height?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** Resample to this frame rate (ffmpeg `fps` filter); default: every decoded frame. */
  fps?: number;
  /** ffmpeg / ffprobe executables (default `ffmpeg`, `ffprobe` on PATH). */
  ffmpeg?: string;
  ffprobe?: string;
  /** Called after each frame with the number of frames so far (`total` is unknown: -1). */
  onProgress?: (done: number, total: number) => void;
}

const INSTALL_HINT = "install it with `apt-get install -y ffmpeg` (Debian)";

async function run(exe: string, args: string[], what: string): Promise<Deno.CommandOutput> {
  try {
    return await new Deno.Command(exe, { args, stdout: "piped", stderr: "piped", stdin: "null" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot ${what}: "${exe}" was not found; ${INSTALL_HINT}`);
    }
    throw e;
  }
}

function lastLines(bytes: Uint8Array, n = 3): string {
  return new TextDecoder().decode(bytes).trim().split("\n").slice(-n).join(" | ");
}

/** Width and height of the first video stream of a file (ffprobe). */
export async function probeVideo(
  path: string,
  opts: { ffprobe?: string } = {},
): Promise<{ width: number; height: number }> {
  const exe = opts.ffprobe ?? "ffprobe";
  const out = await run(exe, [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=width,height",
    "-of",
    "json",
    path,
  ], `read video "${path}"`);
  if (!out.success) {
    throw new Error(`Cannot read video "${path}": ${lastLines(out.stderr) || `ffprobe failed`}`);
  }
  let info: { streams?: { width?: number; height?: number }[] };
  try {
    info = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    throw new Error(`Cannot read video "${path}": ffprobe printed no JSON`);
  }
  const s = info.streams?.[0];
  if (!s?.width || !s?.height) throw new Error(`Cannot read video "${path}": no video stream`);
  return { width: s.width, height: s.height };
}

/**
 * Decode the frames of a video file, optionally resized (area filter) and limited in number.
 * Errors name the file; a missing ffmpeg says how to install it.
 *
 * @example
 * ```ts
 * const frames = await extractVideoFrames("clip.mp4", { width: 256, height: 144 });
 * ```
 */
export async function extractVideoFrames(
  path: string,
  opts: ExtractOptions = {},
): Promise<RgbImage[]> {
  if ((opts.width === undefined) !== (opts.height === undefined)) {
    throw new RangeError(`extractVideoFrames "${path}": give both width and height, or neither`);
  }
  for (
    const [k, v] of [["width", opts.width], ["height", opts.height], [
      "maxFrames",
      opts.maxFrames,
    ]] as const
  ) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new RangeError(
        `extractVideoFrames "${path}": ${k} must be a positive integer, got ${v}`,
      );
    }
  }
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`Cannot read video "${path}": file not found`);
  }
  const native = await probeVideo(path, opts);
  const width = opts.width ?? native.width, height = opts.height ?? native.height;
  const filters: string[] = [];
  if (opts.fps !== undefined) filters.push(`fps=${opts.fps}`);
  if (opts.width !== undefined) filters.push(`scale=${width}:${height}:flags=area`);
  const args = ["-v", "error", "-nostdin", "-i", path];
  if (filters.length) args.push("-vf", filters.join(","));
  if (opts.maxFrames !== undefined) args.push("-frames:v", String(opts.maxFrames));
  // passthrough: one output frame per decoded frame (no duplication to a constant rate)
  args.push("-fps_mode", "passthrough", "-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");

  const exe = opts.ffmpeg ?? "ffmpeg";
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(exe, { args, stdout: "piped", stderr: "piped", stdin: "null" })
      .spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read video "${path}": "${exe}" was not found; ${INSTALL_HINT}`);
    }
    throw e;
  }
  const stderrDone = new Response(child.stderr).arrayBuffer();
  const frameBytes = width * height * 3;
  const frames: RgbImage[] = [];
  let cur = new Uint8Array(frameBytes), fill = 0;
  for await (const chunk of child.stdout) {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, frameBytes - fill);
      cur.set(chunk.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === frameBytes) {
        frames.push({ width, height, data: cur });
        opts.onProgress?.(frames.length, -1);
        cur = new Uint8Array(frameBytes);
        fill = 0;
      }
    }
  }
  const status = await child.status;
  const stderr = new Uint8Array(await stderrDone);
  if (!status.success) {
    throw new Error(
      `Cannot read video "${path}": ffmpeg failed (${lastLines(stderr) || `exit ${status.code}`})`,
    );
  }
  if (fill !== 0) throw new Error(`Cannot read video "${path}": ffmpeg output ends inside a frame`);
  if (frames.length === 0) throw new Error(`Cannot read video "${path}": no frames decoded`);
  return frames;
}
