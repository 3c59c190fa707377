/**
 * Repository tidiness checks (TigerBeetle's tidy.zig idea): rules that keep the tree shaped as the house style says.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function* walk(dir: URL, suffix: string): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url, suffix);
    else if (entry.name.endsWith(suffix)) yield url;
  }
}

function relative(url: URL): string {
  return url.pathname.slice(ROOT.pathname.length);
}

Deno.test("only src/native/ touches Deno.dlopen and unsafe pointers", async () => {
  const offenders: string[] = [];
  for await (const file of walk(new URL("src/", ROOT), ".ts")) {
    const path = relative(file);
    if (path.startsWith("src/native/")) continue;
    const text = await Deno.readTextFile(file);
    if (/Deno\.(dlopen|UnsafePointer|UnsafePointerView|UnsafeCallback)\b/.test(text)) offenders.push(path);
  }
  assert.deepEqual(offenders, []);
});

Deno.test("TypeScript source files stay under 500 lines", async () => {
  const offenders: string[] = [];
  for await (const file of walk(new URL("src/", ROOT), ".ts")) {
    const text = await Deno.readTextFile(file);
    if (relative(file).includes("/gen/") || /Do not edit|@generated/.test(text)) continue; // Generated files are exempt.
    const lines = text.split("\n").length;
    if (lines > 500) offenders.push(`${relative(file)}: ${lines}`);
  }
  assert.deepEqual(offenders, []);
});

Deno.test("no jsr: imports anywhere (JSR is unreachable from the build machines)", async () => {
  const offenders: string[] = [];
  for (const dir of ["src/", "tests/"]) {
    for await (const file of walk(new URL(dir, ROOT), ".ts")) {
      const text = await Deno.readTextFile(file);
      if (/from\s+["']jsr:/.test(text)) offenders.push(relative(file));
    }
  }
  assert.deepEqual(offenders, []);
});
