/**
 * Test helper (not a test): one tests/kafka/broker.sh KRaft broker on loopback ports that are free at the time,
 * with its state in a run dir the caller owns.
 * @module
 */
import assert from "node:assert/strict";
import { runCommand } from "./command.ts";
import type { CommandResult } from "./command.ts";

/** tests/kafka/broker.sh: `up [--tls] [--sasl]`, `down`, `status`, configured through KAFKA_* variables. */
export const BROKER_SCRIPT = new URL("../kafka/broker.sh", import.meta.url).pathname;
/** PLAINTEXT, controller, SSL, SASL_PLAINTEXT: broker.sh listens on PORT .. PORT+3. */
const portCount = 4;

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A base port with the next `portCount` ports free, below the kernel's ephemeral range (32768+). */
export function freeBasePort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20000 + portCount * Math.floor(Math.random() * 2500);
    if (Array.from({ length: portCount }, (_, i) => base + i).every(isFree)) return base;
  }
  throw new Error(`Cannot find ${portCount} free consecutive ports in 20000..29999`);
}

/** One broker in `runDir`; `down()` is safe to call whether or not it is running. */
export class KafkaTestBroker {
  readonly port = freeBasePort();
  readonly env: Record<string, string>;

  /** `extraEnv` adds broker.sh settings, e.g. `KAFKA_STOP_TIMEOUT_S`. */
  constructor(readonly runDir: string, extraEnv: Record<string, string> = {}) {
    this.env = { KAFKA_RUN_DIR: runDir, KAFKA_PORT: String(this.port), ...extraEnv };
  }

  /** The PLAINTEXT listener, `127.0.0.1:<port>`. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker (`--tls`, `--sasl` add listeners) and asserts that broker.sh succeeded. */
  async up(...flags: string[]): Promise<void> {
    const result = await this.script(["up", ...flags]);
    assert.equal(result.code, 0, `broker.sh up failed: ${result.stderr}`);
  }

  /** Stops the broker; `stopTimeoutS` 0 sends KILL right after TERM (a crash). Asserts that broker.sh succeeded. */
  async down(stopTimeoutS?: number): Promise<void> {
    const env: Record<string, string> = stopTimeoutS === undefined
      ? {}
      : { KAFKA_STOP_TIMEOUT_S: String(stopTimeoutS) };
    const result = await this.script(["down"], env);
    assert.equal(result.code, 0, `broker.sh down failed: ${result.stderr}`);
  }

  /** The broker's process id, from broker.sh's pid file (throws when it has none). */
  async pid(): Promise<number> {
    const pid = Number((await Deno.readTextFile(`${this.runDir}/broker.pid`)).trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `bad pid file in ${this.runDir}`);
    return pid;
  }

  /** broker.sh's `status` exit code: 0 running, 3 stopped. */
  async status(): Promise<number> {
    return (await this.script(["status"])).code;
  }

  private script(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
    return runCommand(BROKER_SCRIPT, args, { env: { ...this.env, ...env } });
  }
}
