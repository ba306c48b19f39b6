/**
 * Progress display for a pipeline run: bars on a terminal (overall + one per running stage),
 * plain log lines otherwise (CI logs, pipes). Stages report through their context.
 * @module
 */
import cliProgress from "cli-progress";

/** What the runner tells the display. */
export interface ProgressSink {
  start(total: number): void;
  stageStart(id: string): void;
  stageProgress(id: string, done: number, total: number, note?: string): void;
  stageEnd(id: string, status: string, seconds: number, detail?: string): void;
  log(message: string): void;
  stop(): void;
}

/** Log-line progress: at most one line per stage per second (per 25 % or 5 s). */
export class LogProgress implements ProgressSink {
  private total = 0;
  private finished = 0;
  private last = new Map<string, { pct: number; t: number }>();
  constructor(private readonly write: (line: string) => void = (l) => console.error(l)) {}
  start(total: number) {
    this.total = total;
  }
  stageStart(id: string) {
    this.write(`[${this.finished}/${this.total}] ${id} …`);
  }
  stageProgress(id: string, done: number, total: number, note?: string) {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
    const prev = this.last.get(id) ?? { pct: -100, t: 0 };
    const now = Date.now();
    if (now - prev.t < 5_000 && (pct - prev.pct < 25 || now - prev.t < 1_000) && done < total) {
      return;
    }
    this.last.set(id, { pct, t: now });
    this.write(`    ${id}: ${done}/${total}${note ? ` ${note}` : ""}`);
  }
  stageEnd(id: string, status: string, seconds: number, detail?: string) {
    this.finished++;
    if (status === "cached") return; // the run's summary counts them
    this.write(
      `[${this.finished}/${this.total}] ${id} ${status}` +
        (seconds >= 0.05 ? ` (${seconds.toFixed(1)} s)` : "") + (detail ? ` — ${detail}` : ""),
    );
  }
  log(message: string) {
    this.write(message);
  }
  stop() {}
}

/** Terminal bars (cli-progress): one overall bar and one per running stage. */
export class BarProgress implements ProgressSink {
  private multi = new cliProgress.MultiBar({
    format: " {bar} {percentage}% | {value}/{total} | {label}",
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    barsize: 24,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  private overall: cliProgress.SingleBar | null = null;
  private bars = new Map<string, cliProgress.SingleBar>();
  private done = 0;

  start(total: number) {
    this.overall = this.multi.create(total, 0, { label: "stages" });
  }
  stageStart(id: string) {
    this.bars.set(id, this.multi.create(1, 0, { label: id }));
  }
  stageProgress(id: string, done: number, total: number, note?: string) {
    const bar = this.bars.get(id);
    bar?.setTotal(Math.max(total, 1));
    bar?.update(done, { label: note ? `${id} ${note}` : id });
  }
  stageEnd(id: string, status: string, seconds: number, detail?: string) {
    const bar = this.bars.get(id);
    if (bar) {
      this.multi.remove(bar);
      this.bars.delete(id);
    }
    this.done++;
    this.overall?.update(this.done);
    if (status !== "cached") {
      this.multi.log(
        `${id} ${status} (${seconds.toFixed(1)} s)${detail ? ` — ${detail}` : ""}\n`,
      );
    }
  }
  log(message: string) {
    this.multi.log(message + "\n");
  }
  stop() {
    this.multi.stop();
  }
}

/** Bars on a terminal, log lines otherwise. */
export function createProgress(): ProgressSink {
  return Deno.stderr.isTerminal() ? new BarProgress() : new LogProgress();
}

/** A sink that shows nothing (tests). */
export class SilentProgress implements ProgressSink {
  lines: string[] = [];
  start() {}
  stageStart() {}
  stageProgress() {}
  stageEnd(id: string, status: string) {
    this.lines.push(`${id} ${status}`);
  }
  log(m: string) {
    this.lines.push(m);
  }
  stop() {}
}
