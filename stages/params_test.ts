import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import {
  checkParams,
  flattenSchema,
  type Params,
  readParamsFile,
  resolveParams,
} from "../pipeline/mod.ts";
import { CHECKS, type PipelineParams, PROFILES, SCHEMA } from "./params.ts";
import { resolveTrainConfig } from "../learn/train/mod.ts";

const resolve = (values: Record<string, unknown>) => {
  const params = resolveParams(SCHEMA, [{ origin: "--set", values }]);
  checkParams(params, CHECKS, "--set");
  return params;
};

Deno.test("params schema: every param says what it means", () => {
  const undocumented = [...flattenSchema(SCHEMA)].filter(([, s]) => !s.doc?.trim()).map(([k]) => k);
  assertEquals(undocumented, []);
});

Deno.test("params schema: every profile passes the checks", () => {
  for (const [name, values] of Object.entries(PROFILES)) {
    const params = resolveParams(SCHEMA, [values]);
    checkParams(params, CHECKS, `profile ${name}`);
  }
});

Deno.test("params schema: out-of-range values fail when parsed, not at train time", async () => {
  await assertRejects(
    () => resolve({ "loss.rank": 0 }),
    'Param "loss.rank" (in --set): expected a value ≥ 1, got 0',
  );
  await assertRejects(() => resolve({ "loss.rank": 999 }), "expected a value ≤ 64, got 999");
  await assertRejects(
    () => resolve({ "loss.rank": 22, "train.context": 5 }),
    "Params loss.rank=22, train.context=5 (in --set): loss.rank must be below 2T = 22",
  );
  assertEquals(resolve({ "loss.rank": 21, "train.context": 5 })["loss.rank"], 21);
  await assertRejects(
    () => resolve({ "train.lr": 0 }),
    'Param "train.lr" (in --set): expected a value > 0',
  );
  await assertRejects(() => resolve({ "loss.lambdaFlow": -1 }), "expected a value ≥ 0");
  await assertRejects(() => resolve({ "flow.gaps": [0] }), "each ≥ 1");
  await assertRejects(
    () => resolve({ "loss.flow": false, "loss.trajectory": false, "loss.temporal": false }),
    "training needs at least one loss term",
  );
});

Deno.test("params files: YAML as well as JSON; a YAML error names the file and line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const yml = `${dir}/p.yaml`;
    await Deno.writeTextFile(yml, "loss:\n  rank: 3   # r\n  variant: nuclear\ntrain.steps: 7\n");
    const layer = await readParamsFile(yml);
    const params = resolveParams(SCHEMA, [layer]);
    assertEquals([params["loss.rank"], params["loss.variant"], params["train.steps"]], [
      3,
      "nuclear",
      7,
    ]);
    await Deno.writeTextFile(yml, "loss:\n  rank: [3\n");
    const e = await assertRejects(
      () => readParamsFile(yml),
      `Cannot read params file "${yml}": invalid YAML`,
    );
    assert(/at line \d+, column \d+/.test(e.message), e.message);
    await Deno.writeTextFile(`${dir}/p.yml`, "- 1\n- 2\n");
    await assertRejects(
      () => readParamsFile(`${dir}/p.yml`),
      "expected a mapping at the top level",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("params schema: one name and one default per param, from the CLI to train()", () => {
  // typed by key (a compile-time check: these assignments fail to type-check otherwise)
  const typed: PipelineParams = resolveParams(SCHEMA, []) as PipelineParams;
  const steps: number = typed["train.steps"];
  const arch: "unet" | "unet-small" | "encdec" = typed["model.arch"];
  assertEquals([steps, arch], [150, "unet"]);
  // train()'s defaults are the schema's, under the same names
  const cfg = resolveTrainConfig({
    net: { arch, width: 4, depth: 1, k: 2, inputWidth: 16, inputHeight: 16, seed: 0 },
    seed: typed["runtime.seed"],
    gaps: typed["flow.gaps"],
  });
  const flat: Params = typed;
  for (const [group, values] of [["train", cfg.train], ["loss", cfg.loss]] as const) {
    for (const [k, v] of Object.entries(values)) assertEquals(v, flat[`${group}.${k}`], k);
  }
});
