import assert from "node:assert/strict";
import { APPENDER_DEFAULTS } from "../config/defaults.ts";
import { formatLine, Logger } from "./logger.ts";

const TIME = new Date("2026-01-02T03:04:05.006Z");

Deno.test("formatLine() writes JSON and key=value text", () => {
  assert.equal(
    formatLine("json", "warn", "task failed", { task: "sip", n: 2 }, TIME),
    '{"time":"2026-01-02T03:04:05.006Z","level":"warn","msg":"task failed","task":"sip","n":2}',
  );
  assert.equal(
    formatLine("text", "info", "ready", { socket: "/run/a.sock", reason: "no such device" }, TIME),
    '2026-01-02T03:04:05.006Z INFO  ready socket=/run/a.sock reason="no such device"',
  );
});

Deno.test("Logger writes a rotating file, honours levels, and skips appenders it cannot open", () => {
  const dir = Deno.makeTempDirSync({ prefix: "logger-test-" });
  try {
    const file = { ...APPENDER_DEFAULTS.file, path: `${dir}/agent.log`, max_size: 200, max_files: 2 };
    const unwritable = { ...APPENDER_DEFAULTS.file, path: `${dir}/missing/agent.log` };
    const { logger, problems } = Logger.fromConfig("info", [file, unwritable]);
    assert.match(problems[0]!, /missing\/agent.log" cannot be opened/);
    logger.debug("hidden");
    for (let i = 0; i < 10; i++) logger.info("line", { i });
    logger.level = "debug";
    logger.debug("shown");
    logger.close();
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, ["agent.log", "agent.log.1", "agent.log.2"]);
    const current = Deno.readTextFileSync(`${dir}/agent.log`);
    assert.match(current, /"msg":"shown"/);
    const all = names.map((name) => Deno.readTextFileSync(`${dir}/${name}`)).join("");
    assert.doesNotMatch(all, /hidden/);
    for (const name of names) assert.ok(Deno.statSync(`${dir}/${name}`).size <= 200);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("Logger with a Loki appender on a closed port keeps logging and counts the lost lines after flushing", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const loki = { ...APPENDER_DEFAULTS.loki, url: `http://127.0.0.1:${port}`, batch_size: 10, queue_max: 50 };
  const { logger, problems } = Logger.fromConfig("info", [loki], { hostname: "node-1" });
  assert.deepEqual(problems, []);
  const started = performance.now();
  for (let i = 0; i < 500; i++) logger.info("event", { i });
  assert.ok(performance.now() - started < 500, "logging must not wait for Loki");
  assert.ok(logger.lostLines >= 450, `lost ${logger.lostLines}`);
  const flushStarted = performance.now();
  await logger.flushAndClose(1000);
  assert.ok(performance.now() - flushStarted < 3000, "flushAndClose() must respect its bound");
  assert.equal(logger.lostLines, 500);
});
