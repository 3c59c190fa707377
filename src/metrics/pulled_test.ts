import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { pulled } from "./pulled.ts";

Deno.test("pulled() rebuilds a metric's series from its source at every scrape", async () => {
  const values = new Map<string, number>([["a", 1], ["b", 2]]);
  const registry = new Registry();
  pulled(registry, {
    kind: "counter",
    name: "x_total",
    help: "x",
    labelNames: ["k"],
    read: (set) => values.forEach((value, k) => set({ k }, value)),
  });
  assert.match(await registry.metrics(), /^x_total\{k="b"\} 2$/m);
  values.delete("b");
  values.set("a", 5);
  const text = await registry.metrics();
  assert.match(text, /^x_total\{k="a"\} 5$/m);
  assert.doesNotMatch(text, /k="b"/);
});
