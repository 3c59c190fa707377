/**
 * The broker and CPUs of the Kafka benches. The producer under test (this process, or kcat) runs on CPU 0 and the
 * test broker on CPU 1, so "from one core" means one core for the producer alone: unpinned, the broker's threads were
 * scheduled on the producer's core too, and a run measured the broker's load as much as the producer's.
 * @module
 */

/**
 * The broker's JVM as Kafka's own start scripts set it (kafka-run-class.sh: G1, 1 GiB heap, full JIT), not the test
 * default (tests/kafka/broker.sh: serial GC and C1 only, for a fast start): with C1 only, the broker handled records
 * with headers slower than either producer sent them, and the benches measured the test broker.
 */
export const BENCH_BROKER_ENV: Record<string, string> = {
  KAFKA_HEAP_OPTS: "-Xmx1G -Xms1G",
  KAFKA_JVM_OPTS: "-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35",
};

/** Pins every thread of process `pid` to `cpu` (threads started later inherit it); false when taskset failed. */
export async function pinThreads(pid: number, cpu: number): Promise<boolean> {
  const out = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", String(cpu), String(pid)],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}
