import { assert, assertEquals } from "../tests/_assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { staleLibrary } from "./native_library.ts";

Deno.test("staleLibrary: a library older than a source is named, a fresh or missing one is not", async () => {
  const dir = await Deno.makeTempDir();
  const lib = join(dir, "libx.so"), src = join(dir, "x.cpp");
  await Deno.writeTextFile(lib, "");
  await Deno.writeTextFile(src, "");
  const sources = [pathToFileURL(src)];
  const t = Date.now() / 1000;
  await Deno.utime(src, t, t - 60);
  await Deno.utime(lib, t, t);
  assertEquals(staleLibrary(lib, sources), null, "built after the edit");
  await Deno.utime(lib, t, t - 1); // within the slack of a file-by-file copy
  assertEquals(staleLibrary(lib, sources), null);
  await Deno.utime(lib, t, t - 3600);
  const why = staleLibrary(lib, sources);
  assert(why?.includes(src) && why.includes("deno task setup"), String(why));
  assertEquals(staleLibrary(join(dir, "missing.so"), sources), null);
  await Deno.remove(dir, { recursive: true });
});
