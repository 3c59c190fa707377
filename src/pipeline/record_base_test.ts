import assert from "node:assert/strict";
import {
  copyRecordBase,
  type LinkContext,
  RECORD_SCHEMA_VERSION,
  type RecordBase,
  recordBase,
  recordTimeOfMs,
} from "./record_base.ts";

Deno.test("recordBase() writes exact nanoseconds as text and whole milliseconds as a number", () => {
  const base = recordBase("sip", { sec: 1_700_000_000, nsec: 123_456_789 }, undefined, undefined, undefined);
  assert.equal(base.timestamp_ns, "1700000000123456789");
  assert.equal(base.timestamp_ms, 1_700_000_000_123);
  assert.equal(base.v, RECORD_SCHEMA_VERSION);
  assert.equal("src_ip" in base, false);
});

Deno.test("recordBase() copies the tuple, link context, task and flow id", () => {
  const tuple = {
    ipVersion: 4,
    transport: "udp",
    srcIp: "10.0.0.1",
    srcPort: 1,
    dstIp: "10.0.0.2",
    dstPort: 2,
    flowHash: 0xab,
  };
  const base = recordBase("dns", { sec: 1, nsec: 0 }, tuple, { interface: "eth0", vlan: [7] }, "t");
  assert.deepEqual(base, {
    type: "dns",
    v: 1,
    timestamp_ms: 1000,
    timestamp_ns: "1000000000",
    task: "t",
    interface: "eth0",
    ip_version: 4,
    transport: "udp",
    src_ip: "10.0.0.1",
    src_port: 1,
    dst_ip: "10.0.0.2",
    dst_port: 2,
    vlan: [7],
    flow_id: "000000ab",
  });
});

Deno.test("recordTimeOfMs() splits fractional milliseconds into seconds and nanoseconds", () => {
  assert.deepEqual(recordTimeOfMs(1500.25), { sec: 1, nsec: 500_250_000 });
});

Deno.test("copyRecordBase() gives an object with the same fields in the same order as recordBase's", () => {
  const tuple = { ipVersion: 6, transport: "tcp", srcIp: "::1", srcPort: 1, dstIp: "::2", dstPort: 2, flowHash: 9 };
  const tunnels = [{ type: "vxlan", id: 1, src_ip: "1.1.1.1", dst_ip: "2.2.2.2", protocol: 17 }];
  const links: (LinkContext | undefined)[] = [undefined, {}, { interface: "eth0", vlan: [1, 2], tunnels }];
  const tuples = [undefined, tuple, { ...tuple, ipVersion: 0, flowHash: -1 }];
  let full = 0;
  for (const link of links) {
    for (const t of tuples) {
      for (const task of [undefined, "t"]) {
        const base = recordBase("sip", { sec: 1, nsec: 2 }, t, link, task);
        const copy = {} as RecordBase;
        copyRecordBase(copy, base);
        assert.deepEqual(Object.keys(copy), Object.keys(base));
        assert.equal(JSON.stringify(copy), JSON.stringify(base));
        if (Object.keys(base).length === 15) full++;
      }
    }
  }
  assert.ok(full > 0, "a base with every field was copied");
});
