import assert from "node:assert/strict";
import { canonicalJson, readSecretFile, signEnvelope, verifyEnvelope } from "./signature.ts";

const secret = new TextEncoder().encode("s3cret");

Deno.test("canonicalJson() sorts keys at every level and drops whitespace", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: "x" } }),
    '{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson("é\x7f\n"), '"é\\u007f\\n"');
});

Deno.test("verifyEnvelope() accepts the signature signEnvelope() made and refuses changes", () => {
  const envelope: Record<string, unknown> = { command: "task_list", target: "*", request_id: "r1", payload: {} };
  envelope.signature = signEnvelope(envelope, secret);
  assert.match(envelope.signature as string, /^[0-9a-f]{64}$/);
  assert.equal(verifyEnvelope(envelope, secret), true);
  assert.equal(verifyEnvelope({ ...envelope, command: "daemon_shutdown" }, secret), false);
  assert.equal(verifyEnvelope(envelope, new TextEncoder().encode("other")), false);
  assert.equal(verifyEnvelope({ ...envelope, signature: "abc" }, secret), false);
  assert.equal(verifyEnvelope({ ...envelope, signature: undefined }, secret), false);
});

Deno.test("signEnvelope() matches the documented jq and openssl recipe", async () => {
  const envelope = {
    version: "v1",
    target: "node-1",
    command: "task_create",
    timestamp: "2026-03-01T10:00:00Z",
    request_id: "r-42",
    payload: { config: { name: "sip", interfaces: ["eth0"], protocols: ["sip"], snaplen: 1500 } },
  };
  const shell = new Deno.Command("sh", {
    args: ["-c", `jq -cjS 'del(.signature)' | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.*= //'`],
    env: { SECRET: "s3cret" },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = shell.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ ...envelope, signature: "ignored" }, null, 2)));
  await writer.close();
  const output = await shell.output();
  assert.equal(new TextDecoder().decode(output.stdout).trim(), signEnvelope(envelope, secret));
});

Deno.test("readSecretFile() trims trailing white space and refuses an empty file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/secret`, "s3cret\n");
    assert.deepEqual(await readSecretFile(`${dir}/secret`), secret);
    await Deno.writeTextFile(`${dir}/empty`, " \n");
    await assert.rejects(readSecretFile(`${dir}/empty`), /is empty/);
    await assert.rejects(readSecretFile(`${dir}/missing`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
