import assert from "node:assert/strict";

Deno.test("noteOnStderr() writes one WARN line to stderr", async () => {
  const module = new URL("./note.ts", import.meta.url).href;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { noteOnStderr } from "${module}"; noteOnStderr("loki appender: push failed");`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0);
  assert.match(
    new TextDecoder().decode(output.stderr),
    /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}loki appender: push failed\n$/,
  );
  assert.equal(output.stdout.length, 0);
});
