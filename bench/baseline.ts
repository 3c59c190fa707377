/**
 * Machine calibration for `make bench-decode` (`make bench-baseline`). This machine's speed is not constant: the same
 * code has measured up to three times slower on one day than on another, which no change of ours explains. So the
 * decode bench of a fixed older revision (default: a88aead, whose numbers docs/benchmarks.md recorded on 2026-11-22)
 * and the bench of this checkout run alternately, on the same machine at the same time, and the table shows both, their
 * ratio, and how fast the old code runs now against its recorded results (the machine factor).
 *
 * The estimate "current code on the recorded day's machine" is current × recorded / baseline-now: an estimate, never a
 * measurement, and labelled so. The old revision is checked out in a temporary git worktree (removed at the end) that
 * shares this checkout's node_modules; it needs nothing from the network.
 *
 * Usage: deno run -A bench/baseline.ts [--rev REV] [--rounds N] [--seconds S] [--recorded FILE]
 * @module
 */
const args = Deno.args;
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const ROOT = new URL("..", import.meta.url).pathname;
const REV = option("--rev", "a88aead");
const ROUNDS = Number(option("--rounds", "3"));
const SECONDS = option("--seconds", "1");
const RECORDED = option("--recorded", `${ROOT}bench/results/decode-20261122-090756.json`);

/** Rates of one bench run by metric name (packets/s or messages/s per CPU second). */
type Rates = Map<string, number>;

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} in ${cwd} failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return text;
}

/** The metrics of bench/decode.ts's printed table and SIP line (the format of every revision since 2026-11-22). */
export function parseDecodeOutput(text: string): Rates {
  const rates: Rates = new Map();
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    // | workload | stage | ns/pkt (cpu) | ns/pkt (wall) | pkts/s (cpu) | ...
    if (cells.length > 6 && /^[\d,]+$/.test(cells[5])) {
      rates.set(`${cells[1].replace(/^corpus .*/, "corpus")} / ${cells[2]}`, Number(cells[5].replaceAll(",", "")));
    }
    const sip = /parse ([\d,]+) msgs\/s\/core; parse → sip record → JSON ([\d,]+)/.exec(line);
    if (sip !== null) {
      rates.set("SIP parse (msgs/s)", Number(sip[1].replaceAll(",", "")));
      rates.set("SIP parse → record → JSON (msgs/s)", Number(sip[2].replaceAll(",", "")));
    }
  }
  return rates;
}

/** The same metrics from a results file bench/decode.ts wrote. */
export function parseDecodeResults(json: string): Rates {
  const result = JSON.parse(json) as {
    measurements: { workload: string; stage: string; packetsPerSecondCpu: number }[];
    sip: { parsePerSecond: number; recordPerSecond: number };
  };
  const rates: Rates = new Map();
  for (const m of result.measurements) {
    rates.set(`${m.workload.replace(/^corpus .*/, "corpus")} / ${m.stage}`, m.packetsPerSecondCpu);
  }
  rates.set("SIP parse (msgs/s)", result.sip.parsePerSecond);
  rates.set("SIP parse → record → JSON (msgs/s)", result.sip.recordPerSecond);
  return rates;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function decodeBench(cwd: string): Promise<Rates> {
  // Older revisions have no --no-results: their results file lands in the worktree, which is removed.
  const extra = cwd === ROOT ? ["--no-results"] : [];
  const bench = ["run", "-A", "--v8-flags=--expose-gc", "bench/decode.ts", "--seconds", SECONDS, ...extra];
  return parseDecodeOutput(await run(Deno.execPath(), bench, cwd));
}

/** Alternates the two benches `ROUNDS` times (who goes first alternates too); medians per metric. */
async function measure(worktree: string): Promise<{ baseline: Rates; current: Rates }> {
  const runs = { baseline: [] as Rates[], current: [] as Rates[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ["baseline", "current"] as const : ["current", "baseline"] as const;
    for (const which of order) {
      runs[which].push(await decodeBench(which === "baseline" ? worktree : ROOT));
      console.error(`round ${round + 1}/${ROUNDS}: ${which} done`);
    }
  }
  const medians = (list: Rates[]) => {
    const out: Rates = new Map();
    for (const key of list[0].keys()) out.set(key, median(list.map((rates) => rates.get(key) ?? NaN)));
    return out;
  };
  return { baseline: medians(runs.baseline), current: medians(runs.current) };
}

function format(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function report(baseline: Rates, current: Rates, recorded: Rates): Record<string, unknown>[] {
  console.log(`bench-baseline: ${REV} (baseline) against this checkout, ${ROUNDS} alternating rounds, medians`);
  console.log(`recorded: ${RECORDED}`);
  console.log(
    "| metric | baseline now | current now | current / baseline | baseline recorded | machine factor | " +
      "current, estimated on the recorded machine |\n|---|--:|--:|--:|--:|--:|--:|",
  );
  const rows = [];
  for (const [metric, now] of current) {
    const base = baseline.get(metric);
    const then = recorded.get(metric);
    const factor = base === undefined || then === undefined ? undefined : then / base;
    const estimate = factor === undefined ? undefined : now * factor;
    rows.push({ metric, baselineNow: base, currentNow: now, recorded: then, machineFactor: factor, estimate });
    const ratio = base === undefined ? undefined : now / base;
    console.log(
      `| ${metric} | ${format(base)} | ${format(now)} | ${format(ratio, 2)}× | ${format(then)} | ` +
        `${format(factor, 2)}× | ${format(estimate)} (estimate) |`,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const worktree = await Deno.makeTempDir({ prefix: "bench-baseline-" });
  await run("git", ["worktree", "add", "--detach", "--force", worktree, REV], ROOT);
  try {
    await Deno.symlink(`${ROOT}node_modules`, `${worktree}/node_modules`);
    const { baseline, current } = await measure(worktree);
    const recorded = parseDecodeResults(await Deno.readTextFile(RECORDED));
    const rows = report(baseline, current, recorded);
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const path = `${ROOT}bench/results/baseline-${stamp}.json`;
    const result = { bench: "baseline", date: new Date().toISOString(), rev: REV, rounds: ROUNDS, recorded: RECORDED };
    await Deno.writeTextFile(path, JSON.stringify({ ...result, rows }, null, 2) + "\n");
    console.log(`results: ${path}`);
  } finally {
    await run("git", ["worktree", "remove", "--force", worktree], ROOT);
  }
}

if (import.meta.main) await main();
