/**
 * CPU pinning for the Kafka benches: the producer under test (this process, or kcat) runs on CPU 0 and the test
 * broker on CPU 1, so "from one core" means one core for the producer alone. Unpinned, the broker's threads were
 * scheduled on the producer's core too, and a run measured the broker's load as much as the producer's.
 * @module
 */

/** Pins every thread of process `pid` to `cpu` (threads started later inherit it); false when taskset failed. */
export async function pinThreads(pid: number, cpu: number): Promise<boolean> {
  const out = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", String(cpu), String(pid)],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}
