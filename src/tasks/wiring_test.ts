import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskSpecSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import { listInterfaces, resolveInterfaces } from "./wiring.ts";

const available = ["eth0", "eth1", "lo", "veth-a"];

Deno.test("resolveInterfaces() checks listed interfaces exist and names the missing ones", () => {
  assert.deepEqual(resolveInterfaces(create(TaskSpecSchema, { interfaces: ["eth1", "eth1"] }), available), ["eth1"]);
  assert.throws(
    () => resolveInterfaces(create(TaskSpecSchema, { interfaces: ["eth0", "eth9"] }), available),
    { code: "invalid_argument", message: /interface "eth9" does not exist \(have: eth0, eth1, lo, veth-a\)/ },
  );
});

Deno.test("resolveInterfaces() picks every match of a regex, and refuses none", () => {
  assert.deepEqual(resolveInterfaces(create(TaskSpecSchema, { interfaceRegex: "^eth\\d$" }), available), [
    "eth0",
    "eth1",
  ]);
  assert.throws(
    () => resolveInterfaces(create(TaskSpecSchema, { interfaceRegex: "^wlan" }), available),
    /no interface/,
  );
});

Deno.test("listInterfaces() includes loopback", () => {
  assert.ok(listInterfaces().includes("lo"));
});
