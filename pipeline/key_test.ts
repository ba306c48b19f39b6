import { assertEquals } from "../tests/_assert.ts";
import { cacheKey } from "./key.ts";
import { canonicalJson } from "./hash.ts";

Deno.test("cache key derivation is pinned (golden key)", () => {
  const key = cacheKey({
    stage: "flow",
    scope: { dataset: "davis2016", sequence: "blackswan" },
    code: "c0de",
    params: { "flow.gap": 1, "flow.estimator": "dis" },
    inputs: { "frames/davis2016/blackswan": "abc123" },
    env: { runtime: "deno 2.9.6", tfjs: "4.22.0" },
  });
  // Equal to Python: sha256(json.dumps(parts, sort_keys=True, separators=(",", ":"))).
  // If this fails, every cache is invalidated: bump KEY_VERSION on purpose and update it.
  assertEquals(key, "4980e112ccc4a11f8cf50a57723a448887ef7f554a505ee12ed04559e2310baa");
});

Deno.test("canonical JSON sorts keys at every level and rejects NaN", () => {
  assertEquals(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } }),
    '{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}',
  );
  let threw = false;
  try {
    canonicalJson({ a: NaN });
  } catch {
    threw = true;
  }
  assertEquals(threw, true);
});
