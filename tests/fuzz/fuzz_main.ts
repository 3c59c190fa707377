/**
 * `make fuzz`: the fuzz loop of tests/fuzz/fuzz.ts with many inputs (default 10⁶), then a heap check.
 *
 *   deno run -A --v8-flags=--expose-gc tests/fuzz/fuzz_main.ts [--seed N] [--inputs N] [--start N]
 *
 * Prints the seed first so any crash reproduces; exits 1 on a crash (the message names seed, index, target and the
 * saved input) or when the heap grew past a generous bound.
 */
import { loadSeeds } from "./_corpus.ts";
import { FuzzCrash, runFuzz } from "./fuzz.ts";

const HEAP_GROWTH_BYTES_MAX = 512 * 1024 * 1024;

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(Deno.args[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} needs a non-negative integer`);
  return value;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed;
}

async function main(): Promise<number> {
  const seed = option("seed", Date.now() % 0x1_0000_0000);
  const inputs = option("inputs", 1_000_000);
  const start = option("start", 0);
  console.log(`fuzz: seed=${seed} inputs=${inputs} start=${start}`);
  const seeds = await loadSeeds();
  const heapBefore = heapUsed();
  try {
    const report = await runFuzz(seeds, { seed, inputs, start, log: console.log });
    const growth = heapUsed() - heapBefore;
    console.log(JSON.stringify({ ...report, heapGrowthBytes: growth }));
    if (growth > HEAP_GROWTH_BYTES_MAX) {
      console.error(`fuzz: heap grew ${growth} bytes (bound ${HEAP_GROWTH_BYTES_MAX})`);
      return 1;
    }
    console.log(`fuzz: ${report.inputs} inputs, no crash (seed=${seed})`);
    return 0;
  } catch (error) {
    if (!(error instanceof FuzzCrash)) throw error;
    console.error(error.message);
    return 1;
  }
}

Deno.exit(await main());
