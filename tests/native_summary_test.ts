/**
 * The library's L2–L4 summaries (cap_block_walk with summaries, ffi/summary.zig) equal `decodeSummary`'s, field for
 * field, over every Ethernet and raw-IP frame of /work/shared/corpus (also with offloaded VLAN tags, and the IP
 * packets of Ethernet frames as raw IP) and over mutated corpus frames and random bytes, malformed ones included; and
 * the counters of cap_block_counts (`capture -q --summary`) equal `decodeSummary` + `protocolClass` over the same frames.
 */
import assert from "node:assert/strict";
import { LinkType } from "../src/capture/batch.ts";
import { openFileSource } from "../src/capture/file_source.ts";
import { compareNativeCounts, compareNativeSummaries } from "../src/native/_test_summary.ts";
import { CORPUS_DIRS } from "./fuzz/_corpus.ts";
import { mutate } from "./fuzz/_mutate.ts";
import { Prng } from "./fuzz/_prng.ts";

const MUTATED_FRAMES = 150_000;
const RANDOM_FRAMES = 20_000;
/** Files of raw IP packets: LINKTYPE_RAW, the two DLT_RAW values older files carry, LINKTYPE_IPV4/IPV6. */
const RAW_LINK_TYPES = [LinkType.RAW, 12, 14, LinkType.IPV4, LinkType.IPV6];

interface CorpusFrames {
  ethernet: Uint8Array[];
  raw: Uint8Array[];
}

async function loadFrames(): Promise<CorpusFrames> {
  const frames: CorpusFrames = { ethernet: [], raw: [] };
  for (const dir of CORPUS_DIRS) {
    const names = [...Deno.readDirSync(dir)].filter((entry) => entry.isFile).map((entry) => entry.name).sort();
    for (const name of names) {
      let source;
      try {
        source = await openFileSource(dir + name);
      } catch {
        continue; // Not a capture file the reader knows.
      }
      try {
        for (let batch = await source.next(); batch !== null; batch = await source.next()) {
          const list = batch.linkType === LinkType.EN10MB
            ? frames.ethernet
            : RAW_LINK_TYPES.includes(batch.linkType)
            ? frames.raw
            : null;
          for (let i = 0; list !== null && i < batch.count; i++) {
            list.push(batch.data.slice(batch.offsets[i], batch.offsets[i] + batch.capturedBytes[i]));
          }
        }
      } finally {
        await source.close();
      }
    }
  }
  return frames;
}

const corpus = await loadFrames();
const tagOf = (index: number) => (index % 4 === 1 ? (index * 37) & 0xffff : null);

Deno.test("native summaries equal decodeSummary() over every Ethernet and raw-IP corpus frame", () => {
  assert.ok(corpus.ethernet.length > 10_000, `${corpus.ethernet.length} Ethernet frames`);
  assert.ok(corpus.raw.length > 10, `${corpus.raw.length} raw frames`);
  const ethernet = compareNativeSummaries(corpus.ethernet, LinkType.EN10MB);
  assert.deepEqual(ethernet.mismatches.slice(0, 10), []);
  assert.ok(ethernet.malformed > 10, `${ethernet.malformed} malformed`);
  const tagged = compareNativeSummaries(corpus.ethernet, LinkType.EN10MB, tagOf);
  assert.deepEqual(tagged.mismatches.slice(0, 10), []);
  // The IP packets inside Ethernet frames, as a raw-IP ring delivers them.
  const isIp = (frame: Uint8Array) => frame.length > 14 && (frame[12] === 0x08 || frame[12] === 0x86);
  const inner = corpus.ethernet.filter(isIp).map((frame) => frame.subarray(14));
  assert.ok(inner.length > 5000, `${inner.length} IP packets`);
  const raw = compareNativeSummaries([...corpus.raw, ...inner], LinkType.RAW);
  assert.deepEqual(raw.mismatches.slice(0, 10), []);
  assert.equal(raw.packets, corpus.raw.length + inner.length);
});

Deno.test("native block counters equal decodeSummary() + protocolClass() over every corpus frame", () => {
  const ethernet = compareNativeCounts(corpus.ethernet, LinkType.EN10MB, tagOf);
  assert.deepEqual(ethernet.mismatches.slice(0, 3), []);
  assert.equal(ethernet.native.packets, corpus.ethernet.length);
  assert.ok(ethernet.native.malformedPackets > 10, `${ethernet.native.malformedPackets} malformed`);
  const classesSeen = ethernet.native.protocolClasses.filter((count) => count > 0).length;
  assert.ok(classesSeen >= 6, `${classesSeen} protocol classes`);
  const raw = compareNativeCounts(corpus.raw, LinkType.RAW);
  assert.deepEqual(raw.mismatches.slice(0, 3), []);
});

Deno.test(`native summaries equal decodeSummary() over ${MUTATED_FRAMES} mutated and ${RANDOM_FRAMES} random frames`, () => {
  const rng = new Prng(20261206);
  const seeds = corpus.ethernet;
  const mutated = Array.from({ length: MUTATED_FRAMES }, () => mutate(rng, rng.pick(seeds), rng.pick(seeds)));
  const random = Array.from({ length: RANDOM_FRAMES }, () => rng.bytes(rng.below(128)));
  const ethernet = compareNativeSummaries([...mutated, ...random], LinkType.EN10MB, tagOf);
  assert.deepEqual(ethernet.mismatches.slice(0, 10), []);
  assert.ok(ethernet.malformed > MUTATED_FRAMES / 20, `${ethernet.malformed} malformed`);
  const raw = compareNativeSummaries(mutated.map((frame) => frame.subarray(Math.min(14, frame.length))), LinkType.RAW);
  assert.deepEqual(raw.mismatches.slice(0, 10), []);
  assert.ok(raw.malformed > MUTATED_FRAMES / 20, `${raw.malformed} malformed`);
  const counts = compareNativeCounts([...mutated, ...random], LinkType.EN10MB, tagOf);
  assert.deepEqual(counts.mismatches.slice(0, 3), []);
  assert.equal(counts.native.malformedPackets, ethernet.malformed);
  const rawCounts = compareNativeCounts(
    mutated.map((frame) => frame.subarray(Math.min(14, frame.length))),
    LinkType.RAW,
  );
  assert.deepEqual(rawCounts.mismatches.slice(0, 3), []);
  assert.equal(rawCounts.native.malformedPackets, raw.malformed);
});
