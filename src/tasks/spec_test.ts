import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { OutputSpecSchema, TaskSpecSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import { checkTaskSpec, durationMs, parseTaskFile } from "./spec.ts";

Deno.test("checkTaskSpec() accepts a plain SIP task", () => {
  const spec = create(TaskSpecSchema, {
    name: "sip-capture",
    interfaces: ["eth0"],
    protocols: ["sip"],
    outputs: [create(OutputSpecSchema, { url: "jsonl:/tmp/sip.jsonl" })],
  });
  assert.deepEqual(checkTaskSpec(spec), []);
});

Deno.test("checkTaskSpec() reports every problem, each naming its field", () => {
  const spec = create(TaskSpecSchema, {
    name: "../x",
    interfaces: ["eth0"],
    interfaceRegex: "(",
    protocols: ["smtp"],
    snaplen: 10,
    workers: 65,
    outputs: [create(OutputSpecSchema, { url: "ftp://x" })],
  });
  const problems = checkTaskSpec(spec).join("\n");
  for (
    const field of [/name "\.\.\/x"/, /exactly one/, /interface_regex/, /protocol "smtp"/, /snaplen 10/, /workers 65/]
  ) {
    assert.match(problems, field);
  }
  assert.match(problems, /output "ftp:\/\/x"/);
});

Deno.test("parseTaskFile() reads a YAML task file with units", () => {
  const spec = parseTaskFile(
    [
      "name: sip",
      "interface: eth0",
      "filter: udp port 5060",
      "protocols: [sip, rtp]",
      "outputs:",
      "  - jsonl:/tmp/sip.jsonl",
      "  - url: kafka://k:9092/sip",
      "    compression: lz4",
      "limits: { duration: 10m, bytes: 1GiB, packets: 1000 }",
      "record_options: { key: call_id }",
    ].join("\n"),
    "task.yaml",
  );
  assert.equal(spec.name, "sip");
  assert.deepEqual(spec.interfaces, ["eth0"]);
  assert.deepEqual(spec.protocols, ["sip", "rtp"]);
  assert.deepEqual(spec.outputs.map((o) => o.url), ["jsonl:/tmp/sip.jsonl", "kafka://k:9092/sip"]);
  assert.deepEqual(spec.outputs[1]!.options, { compression: "lz4" });
  assert.equal(durationMs(spec.limits!.duration), 600_000);
  assert.equal(spec.limits!.bytes, 1024n ** 3n);
  assert.equal(spec.limits!.packets, 1000n);
  assert.deepEqual(spec.recordOptions, { key: "call_id" });
});

Deno.test("parseTaskFile() rejects unknown keys and bad values with the file name", () => {
  assert.throws(
    () => parseTaskFile('{"name":"a","interfacez":["eth0"]}', "t.json"),
    /t\.json: interfacez is not a known key/,
  );
  assert.throws(() => parseTaskFile("name: a\nlimits: {duration: 5}", "t.yaml"), /limits\.duration/);
  assert.throws(() => parseTaskFile("name: [a", "t.yaml"), /t\.yaml: cannot parse/);
});
