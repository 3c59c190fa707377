/**
 * kcat for `make bench-output` (bench/output.ts): the records KafkaOutput would send, as text, produced by kcat -P
 * (librdkafka) from a file, pinned to CPU 0, with its wall and CPU time.
 * @module
 */
import { MessageEncoder } from "../src/output/kafka/message.ts";
import type { OutputRecord } from "../src/output/output.ts";

/** One Kafka record as text: key ("" for none), value, headers. */
export interface KafkaTexts {
  key: string;
  value: string;
  headers: [string, string][];
}

/** What KafkaOutput would send for each record: value, key and headers, as text. */
export function kafkaTexts(records: OutputRecord[]): KafkaTexts[] {
  const encoder = new MessageEncoder({
    keyStrategy: "record",
    keyField: "call_id",
    taskId: "bench",
    agentId: "bench",
    topic: "t",
    messageBytesMax: 512 * 1024,
  });
  const decoder = new TextDecoder();
  return records.map((record) => {
    const message = encoder.encode(record).message!;
    const headers = message.headers.map(([name, value]): [string, string] => [name, decoder.decode(value)]);
    return {
      key: message.key === null ? "" : decoder.decode(message.key),
      value: decoder.decode(message.value),
      headers,
    };
  });
}

/**
 * kcat -P from a file, pinned to CPU 0. `withKeyAndHeaders`: lines are `key<TAB>value` (-K) and the first record's
 * four headers are added to every message (-H): the same Kafka records as KafkaOutput's, less per-record header
 * values. Without it, values only (kcat's best case).
 */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  texts: KafkaTexts[],
  withKeyAndHeaders: boolean,
): Promise<{ wallMs: number; cpuMs: number | null }> {
  const toFile = (count: number) =>
    texts.slice(0, count).map((t) => withKeyAndHeaders ? `${t.key}\t${t.value}` : t.value).join("\n") + "\n";
  const extra = withKeyAndHeaders
    ? ["-K", "'\t'", ...texts[0].headers.flatMap(([name, value]) => ["-H", `'${name}=${value.replaceAll("'", "")}'`])]
    : [];
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const kcat = ["taskset -c 0 kcat -b", bootstrap, "-P -t", topic, "-X linger.ms=5 -X acks=1", ...extra, "-l", file]
      .join(" ");
    // One line first: topic creation stays outside the timing, as for KafkaOutput.
    await Deno.writeTextFile(file, toFile(1));
    const warmed = await new Deno.Command("bash", { args: ["-c", kcat], stdout: "null", stderr: "piped" }).output();
    if (!warmed.success) throw new Error(`kcat failed: ${new TextDecoder().decode(warmed.stderr)}`);
    await Deno.writeTextFile(file, toFile(texts.length));
    const start = performance.now();
    // `times` prints the shell's CPU time, then its children's: kcat's user and system time.
    const out = await new Deno.Command("bash", { args: ["-c", `${kcat} && times`], stdout: "piped", stderr: "piped" })
      .output();
    const wallMs = performance.now() - start;
    if (!out.success) throw new Error(`kcat failed: ${new TextDecoder().decode(out.stderr)}`);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    const seconds = [...(lines.at(-1) ?? "").matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    return { wallMs, cpuMs: seconds.length === 2 ? (seconds[0] + seconds[1]) * 1000 : null };
  } finally {
    await Deno.remove(file);
  }
}
