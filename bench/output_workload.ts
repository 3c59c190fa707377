/**
 * Records for `make bench-output` made by the real pipeline from a corpus capture: the capture is read once into
 * small in-memory batches and looped, each loop shifted in packet time past the last (as bench/decode.ts does), so
 * calls end and the next loop's call starts afresh. Capture-to-ack needs a capture time on this machine's clock: each
 * record's `timestampMs` (the Kafka timestamp, and what the output's latency histogram measures from) is the wall
 * time at which its packet batch entered the pipeline; the record's own `timestamp_ms` keeps the packet time.
 * @module
 */
import type { PacketBatch } from "../src/capture/batch.ts";
import { packFrames, readFrames } from "./_frames.ts";
import type { OutputRecord } from "../src/output/output.ts";
import { Pipeline, type ProtocolName, toOutputRecord } from "../src/pipeline/mod.ts";

/** A capture in memory: small batches (fine-grained pacing) and the packet time of each packet. */
export interface Corpus {
  path: string;
  packets: number;
  batches: PacketBatch[];
  /** Packet seconds of each batch as read (loop k adds k × periodSec). */
  baseSec: Float64Array[];
  periodSec: number;
}

/** Reads `path` into batches of `packetsPerBatch` packets. */
export async function loadCorpus(path: string, packetsPerBatch = 32): Promise<Corpus> {
  const frames = await readFrames(path);
  if (frames.length === 0) throw new Error(`${path} has no packets`);
  const { batches, baseSec } = packFrames(frames, packetsPerBatch);
  // Past the call tracker's idle timeout (300 s): each loop's call (same Call-ID) ends and makes its `call` record.
  const periodSec = Math.ceil(frames.at(-1)!.sec - frames[0].sec) + 360;
  return { path, packets: frames.length, batches, baseSec, periodSec };
}

/** The corpus looped through one pipeline, a batch at a time, records out as the output would get them. */
export class LivePipeline {
  readonly #corpus: Corpus;
  readonly #pipeline: Pipeline;
  #loop = 0;
  #next = 0;
  packets = 0;

  constructor(corpus: Corpus, protocols: readonly ProtocolName[]) {
    this.#corpus = corpus;
    this.#pipeline = new Pipeline({ task: "bench-output", protocols });
  }

  /** Processes the next batch; records get `timestampMs` = the wall time before it entered the pipeline. */
  step(emit: (record: OutputRecord) => void): void {
    const corpus = this.#corpus;
    const batch = corpus.batches[this.#next];
    const base = corpus.baseSec[this.#next];
    const offsetSec = this.#loop * corpus.periodSec;
    for (let i = 0; i < batch.count; i++) batch.timestampSec[i] = base[i] + offsetSec;
    const capturedMs = Date.now();
    this.#pipeline.process(batch);
    this.packets += batch.count;
    for (const record of this.#pipeline.queue.drain()) {
      const out = toOutputRecord(record, "call_id");
      out.timestampMs = capturedMs;
      emit(out);
    }
    if (++this.#next === corpus.batches.length) {
      this.#next = 0;
      this.#loop++;
    }
  }
}

/**
 * `count` records from the pipeline, made ahead of a throughput run: the corpus is looped until `count` records or
 * `loopsMax` loops, and what was made is repeated to fill `count` (a record's bytes do not change its cost).
 */
export function pregenerate(
  corpus: Corpus,
  protocols: readonly ProtocolName[],
  count: number,
  loopsMax = 100,
): OutputRecord[] {
  const live = new LivePipeline(corpus, protocols);
  const made: OutputRecord[] = [];
  const stepsMax = loopsMax * corpus.batches.length;
  for (let step = 0; step < stepsMax && made.length < count; step++) live.step((record) => made.push(record));
  if (made.length === 0) throw new Error(`No ${protocols.join("+")} records from ${corpus.path}`);
  const records = made.slice(0, count);
  for (let i = records.length; i < count; i++) records.push(made[i % made.length]);
  return records;
}
