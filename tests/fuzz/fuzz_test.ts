/**
 * Robustness: ≥ 10⁵ fuzz inputs (mutated corpus frames and payloads, random frames, mutated capture files) through
 * the pipeline of every link type, the standalone parsers and the file readers, with no throw, no input over its time
 * bound, and bounded heap growth. `make fuzz` runs the same loop with ≥ 10⁶ inputs (tests/fuzz/fuzz_main.ts).
 */
import assert from "node:assert/strict";
import { FUZZ_LINK_TYPES, loadSeeds } from "./_corpus.ts";
import { mutate } from "./_mutate.ts";
import { Prng } from "./_prng.ts";
import { PARSER_TARGETS } from "./_targets.ts";
import { FuzzCrash, runFuzz } from "./fuzz.ts";

const INPUTS = 300_000;
const HEAP_GROWTH_BYTES_MAX = 256 * 1024 * 1024;

const seeds = await loadSeeds();

Deno.test("loadSeeds() gives frames of every link type and payloads of every parser", () => {
  for (const linkType of FUZZ_LINK_TYPES) assert.ok(seeds.frames.get(linkType)!.length > 100, `link ${linkType}`);
  for (const name of ["sip", "sdp", "dns", "http", "rtcp", "websocket", "websocketConnection"] as const) {
    assert.ok(seeds[name].length > 0, name);
  }
  assert.ok(seeds.files.length > 10);
});

Deno.test("Prng.forInput() and mutate() rebuild the same input from seed and index", () => {
  const make = (seed: number, index: number) => {
    const rng = Prng.forInput(seed, index);
    return mutate(rng, seeds.sip[0], seeds.sip[seeds.sip.length - 1]);
  };
  assert.deepEqual(make(5, 1234), make(5, 1234));
  const distinct = new Set(Array.from({ length: 50 }, (_, index) => make(5, index).join(",")));
  assert.ok(distinct.size > 40, `${distinct.size} distinct inputs of 50`);
});

Deno.test("runFuzz() reports a throwing target as a FuzzCrash naming seed, index and the saved input", async () => {
  const original = PARSER_TARGETS.sdp;
  PARSER_TARGETS.sdp = () => {
    throw new TypeError("planted");
  };
  try {
    const crash = await runFuzz(seeds, { seed: 3, inputs: 10_000 }).then(() => undefined, (error) => error);
    assert.ok(crash instanceof FuzzCrash);
    assert.equal(crash.seed, 3);
    assert.equal(crash.target, "parser/sdp");
    assert.match(crash.message, /planted/);
    const saved = crash.message.match(/input=(\S+)/)![1];
    Deno.removeSync(saved);
  } finally {
    PARSER_TARGETS.sdp = original;
  }
});

Deno.test(`runFuzz() feeds ${INPUTS} inputs to the pipeline, the parsers and the file readers without a crash`, async () => {
  const heapBefore = Deno.memoryUsage().heapUsed;
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? 20261122);
  const report = await runFuzz(seeds, { seed, inputs: INPUTS });
  assert.equal(report.inputs, INPUTS);
  for (const linkType of FUZZ_LINK_TYPES) assert.ok(report.byTarget[`pipeline/${linkType}`] > 1000, `${linkType}`);
  for (const name of Object.keys(PARSER_TARGETS)) assert.ok(report.byTarget[`parser/${name}`] > 1000, name);
  assert.ok(report.byTarget["pipeline/sequence"] > 10_000);
  assert.ok(report.byTarget.file > 100);
  assert.ok(report.records > 0, "the pipeline still emits records from mutated traffic");
  const growth = Deno.memoryUsage().heapUsed - heapBefore;
  assert.ok(growth < HEAP_GROWTH_BYTES_MAX, `heap grew ${growth} bytes`);
});
