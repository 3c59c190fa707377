import assert from "node:assert/strict";
import { codecImpairment, estimateMos, mosFromR } from "./mos.ts";

Deno.test("estimateMos() falls monotonically with loss for every codec", () => {
  for (const codec of ["PCMU", "PCMA", "G729", "G722", "opus", "unknown"]) {
    let previous = Infinity;
    for (let loss = 0; loss <= 1; loss += 0.01) {
      const mos = estimateMos({ lossRatio: loss, jitterMs: 5, impairment: codecImpairment(codec) });
      assert.ok(mos <= previous && mos >= 1 && mos <= 4.5, `${codec} at ${loss}`);
      previous = mos;
    }
  }
});

Deno.test("estimateMos() gives G.711 without loss about 4.4 and G.729 less", () => {
  const g711 = estimateMos({ lossRatio: 0, jitterMs: 0, impairment: codecImpairment("pcmu") });
  const g729 = estimateMos({ lossRatio: 0, jitterMs: 0, impairment: codecImpairment("G729") });
  assert.ok(g711 > 4.3 && g711 < 4.45, String(g711));
  assert.ok(g729 < g711);
  assert.equal(mosFromR(-5), 1);
  assert.equal(mosFromR(120), 4.5);
});
