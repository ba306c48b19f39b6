/**
 * End-to-end tests of the `lrtl` command line: help, errors, and the frames stage on the
 * synthetic set and the DAVIS samples (cached on the second run).
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { sharedDataRoot } from "./_shared_data.ts";
import { lrtl } from "./_lrtl.ts";

Deno.test("cli: every command explains itself with an example", async () => {
  for (const cmd of ["run", "status", "list", "report", "check", "gc"]) {
    const { code, text } = await lrtl([cmd, "--help"]);
    assertEquals(code, 0, text);
    assert(/Example/.test(text) || cmd === "gc", `${cmd} --help has an example:\n${text}`);
  }
});

Deno.test("cli: unknown experiment lists the available ones; bad params name the problem", async () => {
  const dir = await Deno.makeTempDir();
  const common = ["--cache-dir", join(dir, "c"), "--db", join(dir, "r.duckdb")];
  let r = await lrtl(["run", "tabel2", ...common]);
  assertEquals(r.code, 1);
  assert(
    /Unknown experiment or stage "tabel2". Experiments: reproduce, clustering, main/.test(r.text),
    r.text,
  );
  r = await lrtl(["run", "main", "--set", "loss.rnak=3", ...common]);
  assert(
    /Unknown param "loss.rnak" \(in --set loss.rnak=3\); did you mean "loss.rank"\?/.test(r.text),
    r.text,
  );
  r = await lrtl(["run", "main", "--set", "loss.rank=three", ...common]);
  assert(
    /Param "loss.rank" \(in --set loss.rank=three\): expected an integer, got "three"/.test(r.text),
    r.text,
  );
  const bad = join(dir, "p.json");
  await Deno.writeTextFile(bad, "{ loss: 1 }");
  r = await lrtl(["run", "main", "--params", bad, ...common]);
  assert(r.text.includes(`Cannot read params file "${bad}": invalid JSON`), r.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli: frames on synthetic + DAVIS samples, cached on the second run", async () => {
  const dir = await Deno.makeTempDir();
  const args = [
    "run",
    "frames",
    "--profile",
    "smoke",
    "--data-root",
    sharedDataRoot(),
    "--datasets",
    "synthetic,davis2016",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    join(dir, "r.duckdb"),
  ];
  const first = await lrtl(args);
  assertEquals(first.code, 0, first.text);
  assert(/ran, 0 cached, 0 failed/.test(first.text), first.text);
  assert(first.text.includes("frames/davis2016/blackswan ran"), first.text);
  const second = await lrtl(args);
  assertEquals(second.code, 0, second.text);
  assert(/Nothing to do: all \d+ stage instances are up to date/.test(second.text), second.text);
  const status = await lrtl(["status", "frames", ...args.slice(2), "--set", "data.width=96"]);
  assert(
    status.text.includes("frames/davis2016/blackswan  (param data.width changed)"),
    status.text,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli: --jobs 2 runs heavy stages in worker processes with the same results as --jobs 1", async () => {
  const results: string[] = [];
  for (const jobs of ["1", "2"]) {
    const dir = await Deno.makeTempDir();
    const db = join(dir, "r.duckdb");
    const r = await lrtl([
      "run",
      "motion_tracks",
      "--profile",
      "smoke",
      "--jobs",
      jobs,
      "--cache-dir",
      join(dir, "c"),
      "--db",
      db,
    ]);
    assertEquals(r.code, 0, r.text);
    const q = await lrtl(["list", "experiments"]); // the CLI is alive after a worker run
    assertEquals(q.code, 0);
    const { ResultsStore } = await import("../pipeline/mod.ts");
    const store = await ResultsStore.open(db);
    const rows = await store.query("SELECT row_label, metric, value FROM metrics ORDER BY ALL");
    store.close();
    assert(rows.length > 0, "metrics were recorded");
    results.push(JSON.stringify(rows));
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(results[1], results[0]);
});
