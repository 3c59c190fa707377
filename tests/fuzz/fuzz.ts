/**
 * The fuzz loop: input `index` of a run with `seed` is built from `Prng.forInput(seed, index)` alone (a mutated
 * corpus seed or random bytes) and fed to the pipeline of a link type, a standalone parser, or the file readers.
 * A throw or an input slower than its time bound stops the run with a `FuzzCrash` naming seed, index and target;
 * the input is written to a file so it can be replayed.
 */
import { LinkType } from "../../src/capture/batch.ts";
import { FUZZ_LINK_TYPES, type Seeds } from "./_corpus.ts";
import { FileTarget } from "./_files.ts";
import { mutate } from "./_mutate.ts";
import { Prng } from "./_prng.ts";
import { PARSER_TARGETS, PipelineTarget } from "./_targets.ts";

/** Options of `runFuzz`. */
export interface FuzzOptions {
  seed: number;
  inputs: number;
  /** First input index (to resume or replay near a crash). @default 0 */
  start?: number;
  /** Bound on one packet or parser input. @default 1000 */
  inputTimeMs?: number;
  /** Bound on one whole capture file. @default 10000 */
  fileTimeMs?: number;
  /** Progress lines (every `progressEvery` inputs). */
  log?: (line: string) => void;
  progressEvery?: number;
}

/** What a run did. */
export interface FuzzReport {
  inputs: number;
  byTarget: Record<string, number>;
  slowestMs: number;
  elapsedMs: number;
  records: number;
}

/** A crashing or hanging input. */
export class FuzzCrash extends Error {
  constructor(readonly seed: number, readonly index: number, readonly target: string, cause: unknown, file: string) {
    const what = cause instanceof Error ? cause.stack ?? cause.message : String(cause);
    super(`Fuzz crash: seed=${seed} index=${index} target=${target} input=${file}\n${what}`, { cause });
  }
}

const PARSER_NAMES = Object.keys(PARSER_TARGETS);

/** Runs `options.inputs` inputs; throws `FuzzCrash` on the first crash. */
export async function runFuzz(seeds: Seeds, options: FuzzOptions): Promise<FuzzReport> {
  const { seed, inputs, start = 0, inputTimeMs = 1000, fileTimeMs = 10_000 } = options;
  const report: FuzzReport = { inputs: 0, byTarget: {}, slowestMs: 0, elapsedMs: 0, records: 0 };
  const pipelines = new PipelineTarget();
  const files = new FileTarget();
  const began = performance.now();
  try {
    for (let index = start; index < start + inputs; index++) {
      const rng = Prng.forInput(seed, index);
      const { target, input, run } = chooseInput(rng, index, seeds, pipelines, files);
      const t0 = performance.now();
      try {
        await run();
      } catch (error) {
        throw new FuzzCrash(seed, index, target, error, saveInput(input));
      }
      const spentMs = performance.now() - t0;
      if (spentMs > (target === "file" ? fileTimeMs : inputTimeMs)) {
        throw new FuzzCrash(seed, index, target, new Error(`took ${spentMs.toFixed(0)} ms`), saveInput(input));
      }
      if (spentMs > report.slowestMs) report.slowestMs = spentMs;
      report.byTarget[target] = (report.byTarget[target] ?? 0) + 1;
      report.inputs++;
      if (options.log && report.inputs % (options.progressEvery ?? 100_000) === 0) {
        options.log(`${report.inputs} inputs, ${((performance.now() - began) / 1000).toFixed(1)} s`);
      }
    }
    pipelines.finish();
  } finally {
    files.close();
  }
  report.records = pipelines.recordsSeen;
  report.elapsedMs = performance.now() - began;
  return report;
}

interface FuzzInput {
  target: string;
  input: Uint8Array;
  run: () => void | Promise<unknown>;
}

/** 30 % pipeline in capture order, 30 % pipeline of a random link type, 39.5 % parsers, 0.5 % capture files. */
function chooseInput(rng: Prng, index: number, seeds: Seeds, pipelines: PipelineTarget, files: FileTarget): FuzzInput {
  const choice = rng.below(1000);
  if (choice < 300) {
    // Walks the Ethernet seeds in capture order (about one frame per input of this kind), mutating one in four:
    // flows, TCP streams and calls build up state that later mutations hit.
    const frames = seeds.frames.get(LinkType.EN10MB)!;
    const frame = frames[Math.floor(index * 3 / 10) % frames.length];
    const input = rng.oneIn(4) ? mutate(rng, frame, rng.pick(frames)) : frame;
    return { target: "pipeline/sequence", input, run: () => pipelines.process(LinkType.EN10MB, input, rng) };
  }
  if (choice < 600) {
    const linkType = rng.pick(FUZZ_LINK_TYPES);
    const input = makeInput(rng, seeds.frames.get(linkType)!, 1600);
    return { target: `pipeline/${linkType}`, input, run: () => pipelines.process(linkType, input, rng) };
  }
  if (choice < 995) {
    const name = rng.pick(PARSER_NAMES);
    const input = makeInput(rng, parserSeeds(seeds, name), 2048);
    return { target: `parser/${name}`, input, run: () => PARSER_TARGETS[name](input, rng) };
  }
  const input = makeInput(rng, seeds.files, 4096);
  return { target: "file", input, run: () => files.read(input) };
}

function parserSeeds(seeds: Seeds, name: string): Uint8Array[] {
  const own = seeds[name as "sip" | "sdp" | "dns" | "http" | "rtcp" | "websocket" | "websocketConnection"];
  return own.length > 0 ? own : seeds.payloads;
}

/** One in eight inputs is random bytes; the rest mutate a seed (spliced with another). */
function makeInput(rng: Prng, pool: readonly Uint8Array[], randomBytesMax: number): Uint8Array {
  if (pool.length === 0 || rng.oneIn(8)) return rng.bytes(rng.below(randomBytesMax + 1));
  return mutate(rng, rng.pick(pool), rng.pick(pool));
}

function saveInput(input: Uint8Array): string {
  const path = Deno.makeTempFileSync({ prefix: "capture-agent-fuzz-crash-", suffix: ".bin" });
  Deno.writeFileSync(path, input);
  return path;
}
