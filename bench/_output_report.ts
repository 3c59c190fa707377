/**
 * The report of `make bench-output` (bench/output.ts): the table, the ratios to kcat per round and their medians, the
 * targets of issue #5.
 * @module
 */

export const KCAT_VALUES = "kcat -P, values only";
export const KCAT_KEY_HEADERS = "kcat -P, key + 4 headers";
export const OUTPUT_RUN = "KafkaOutput, write to ack";

/** One row of the table. */
export interface Run {
  name: string;
  workload: string;
  /** Which round of kcat and KafkaOutput runs it belongs to (live and paced runs: none). */
  round?: number;
  records: number;
  wallMs: number;
  recordsPerSecond: number;
  cpuMs: number | null;
  dropped: number;
  packetsPerSecond?: number;
  /** Records per produce request (the output's batch histogram; includes the warm-up batch of one). */
  meanBatchRecords?: number;
  latencyMs?: { p50: number; p99: number; max: number; histogramP50: number; histogramP99: number };
}

export function format(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** records/s of `r` over kcat's on the same workload (values only, or key + headers). */
export function ratio(runs: Run[], r: Run, kcatName: string): number | undefined {
  const kcat = runs.find((k) => k.workload === r.workload && k.name === kcatName && k.round === r.round);
  return kcat === undefined || r.name.startsWith("kcat") ? undefined : r.recordsPerSecond / kcat.recordsPerSecond;
}

/** Per workload, the median over the rounds of KafkaOutput's records/s over kcat's (values only, key + headers). */
export function medianRatios(
  runs: Run[],
  workloads: readonly string[],
): Record<string, { values: number; keyAndHeaders: number }> {
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const result: Record<string, { values: number; keyAndHeaders: number }> = {};
  for (const workload of workloads) {
    const outputs = runs.filter((r) => r.name === OUTPUT_RUN && r.workload === workload);
    result[workload] = {
      values: median(outputs.map((r) => ratio(runs, r, KCAT_VALUES) ?? 0)),
      keyAndHeaders: median(outputs.map((r) => ratio(runs, r, KCAT_KEY_HEADERS) ?? 0)),
    };
  }
  return result;
}

export function printTable(runs: Run[]): void {
  console.log(
    "| run | workload | records | records/s | vs kcat values | vs kcat key+headers | CPU ms | records/CPU-s | records/batch " +
      "| p50 ms | p99 ms | p50/p99 ms (histogram) |",
  );
  console.log("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
  const times = (value: number | undefined) => value === undefined ? "" : `${format(value, 2)}×`;
  for (const r of runs) {
    const l = r.latencyMs;
    const cells = [
      r.round === undefined ? r.name : `${r.name} (round ${r.round + 1})`,
      r.workload,
      format(r.records),
      format(r.recordsPerSecond),
      times(ratio(runs, r, KCAT_VALUES)),
      times(ratio(runs, r, KCAT_KEY_HEADERS)),
      r.cpuMs === null ? "n/a" : format(r.cpuMs),
      r.cpuMs === null ? "n/a" : format(r.records / (r.cpuMs / 1000)),
      r.meanBatchRecords === undefined ? "" : format(r.meanBatchRecords),
      l ? format(l.p50, 1) : "",
      l ? format(l.p99, 1) : "",
      l ? `${format(l.histogramP50, 1)} / ${format(l.histogramP99, 1)}` : "",
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
}

/** Every non-kcat run's ratios to kcat, by run name, workload and round. */
export function ratiosToKcat(runs: Run[]): Record<string, { values?: number; keyAndHeaders?: number }> {
  const ratios: Record<string, { values?: number; keyAndHeaders?: number }> = {};
  for (const r of runs) {
    if (r.name.startsWith("kcat")) continue;
    ratios[`${r.name} / ${r.workload}${r.round === undefined ? "" : ` / round ${r.round + 1}`}`] = {
      values: ratio(runs, r, KCAT_VALUES),
      keyAndHeaders: ratio(runs, r, KCAT_KEY_HEADERS),
    };
  }
  return ratios;
}

/** One line per workload: the medians of `medianRatios()`. */
export function printMedians(medians: Record<string, { values: number; keyAndHeaders: number }>, rounds: number): void {
  for (const [workload, m] of Object.entries(medians)) {
    console.log(
      `${workload}: median over ${rounds} rounds, KafkaOutput / kcat records/s: ${format(m.values, 2)}× values only, ` +
        `${format(m.keyAndHeaders, 2)}× key + headers`,
    );
  }
}
