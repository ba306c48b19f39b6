import { assertEquals } from "../tests/_assert.ts";
import { ResultsStore } from "../pipeline/mod.ts";
import { coverageNote } from "./coverage.ts";

Deno.test("coverageNote: how many frames each dataset's J was computed on", async () => {
  const store = await ResultsStore.open(":memory:");
  const m = (dataset: string, metric: string, value: number, sequence = "") => ({
    run_id: "r",
    experiment: "e",
    table_name: "main_comparison",
    row_label: "x",
    dataset,
    sequence,
    metric,
    value,
    x: null,
    stage_id: "s",
    cache_key: "k",
  });
  await store.addMetrics([
    m("fbms59", "sequences", 1),
    m("fbms59", "frames", 100),
    m("fbms59", "annotated_frames", 6),
    m("fbms59", "scored_frames", 6),
    m("fbms59", "J", 40, "bear01"),
    m("davis2016", "sequences", 2),
    m("davis2016", "frames", 90),
    m("davis2016", "annotated_frames", 90),
    m("davis2016", "scored_frames", 86),
  ]);
  assertEquals(
    await coverageNote(store, "r", "main_comparison"),
    "Frames behind each J — DAVIS-2016: 2 sequences, 90 frames, all annotated, 86 scored " +
      "(frames 00000/00001 are excluded by the protocol); FBMS-59: 1 sequence (bear01), 100 " +
      "frames, 6 annotated, all scored.",
  );
  assertEquals(await coverageNote(store, "other", "main_comparison"), "");
  store.close();
});
