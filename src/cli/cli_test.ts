import assert from "node:assert/strict";
import { runCli } from "./cli.ts";

async function capturedStderr(fn: () => Promise<number>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => lines.push(parts.join(" "));
  const writeSync = Deno.stderr.writeSync;
  Deno.stderr.writeSync = (bytes: Uint8Array) => {
    lines.push(new TextDecoder().decode(bytes).trimEnd());
    return bytes.length;
  };
  try {
    return { code: await fn(), lines };
  } finally {
    console.error = original;
    Deno.stderr.writeSync = writeSync;
  }
}

Deno.test("runCli() turns an option error into one capture-agent line and exit code 1", async () => {
  const { code, lines } = await capturedStderr(() => runCli(["capture", "-i", "lo", "-r", "x.pcap"]));
  assert.equal(code, 1);
  assert.deepEqual(lines, ["capture-agent: Use either -i or -r, not both"]);
});

Deno.test("runCli() reports an unreadable capture file without a stack trace", async () => {
  const { code, lines } = await capturedStderr(() => runCli(["capture", "-r", "/nonexistent/x.pcap"]));
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^capture-agent: Cannot open capture file "\/nonexistent\/x.pcap": No such file$/);
});
