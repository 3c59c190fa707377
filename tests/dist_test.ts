/**
 * `make dist` (scripts/dist.sh): one tarball per architecture whose deno and library are ELF files for that
 * architecture, listed in SHA256SUMS; the x86_64 tarball, unpacked elsewhere, runs `capture-agent version`, and
 * the aarch64 one runs it under qemu-user inside dist.sh. The script reuses unchanged tarballs: after a first
 * build this takes seconds (a new commit rebuilds them, about 25 s).
 */
import assert from "node:assert/strict";
import { VERSION } from "../src/version.ts";
import { run, runOk } from "./helpers/netns.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DIST = `${ROOT}dist`;
const MACHINE = { x86_64: "Advanced Micro Devices X86-64", aarch64: "AArch64" } as const;
type Arch = keyof typeof MACHINE;

let distRun: Promise<string> | undefined;

/** Runs scripts/dist.sh with this environment minus any denort or dist setting, plus `extra`. */
async function dist(extra: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  const env = { ...Deno.env.toObject() };
  for (const name of ["DENORT_BIN", "DENORT_BIN_X86_64", "DENORT_BIN_AARCH64", "DIST_DIR", "DIST_ARCHES"]) {
    delete env[name];
  }
  const command = new Deno.Command(`${ROOT}scripts/dist.sh`, {
    env: { ...env, ...extra },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  });
  const output = await command.output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

/** Runs scripts/dist.sh once per test process (without any denort) and returns what it logged. */
function distOnce(): Promise<string> {
  distRun ??= dist().then(({ code, stderr }) => {
    assert.equal(code, 0, stderr);
    return stderr;
  });
  return distRun;
}

function tarballName(arch: Arch): string {
  return `capture-agent-${VERSION}-linux-${arch}`;
}

async function elfMachine(path: string): Promise<string> {
  const header = await runOk(["readelf", "-h", path]);
  return header.match(/^\s*Machine:\s*(.+)$/m)?.[1].trim() ?? "";
}

async function withUnpacked(arch: Arch, fn: (tree: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "dist-test-" });
  try {
    await runOk(["tar", "-xzf", `${DIST}/${tarballName(arch)}.tar.gz`, "-C", directory]);
    await fn(`${directory}/${tarballName(arch)}`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("make dist says the single-file build needs a denort and lists both tarballs in SHA256SUMS", async () => {
  const log = await distOnce();
  for (const arch of Object.keys(MACHINE) as Arch[]) {
    assert.match(log, new RegExp(`${arch}: no single-file build: deno compile needs a denort`));
    await assert.rejects(Deno.stat(`${DIST}/${tarballName(arch)}`), Deno.errors.NotFound);
  }
  // deps.sh installs qemu-user-static: the arm64 deno runs the arm64 agent and library under qemu-user.
  assert.match(
    log,
    /aarch64: capture-agent version: capture-agent [^;]+;.*library {2}libcapture [^;]+;arch {5}aarch64 linux;/,
  );
  const check = await run(["sh", "-c", `cd '${DIST}' && sha256sum --check --strict SHA256SUMS`]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  for (const arch of Object.keys(MACHINE) as Arch[]) {
    assert.match(check.stdout, new RegExp(`${tarballName(arch)}.tar.gz: OK`));
  }
});

Deno.test("each dist tarball holds deno and libcapture.so built for its architecture", async () => {
  await distOnce();
  for (const arch of Object.keys(MACHINE) as Arch[]) {
    await withUnpacked(arch, async (tree) => {
      assert.equal(await elfMachine(`${tree}/deno`), MACHINE[arch], `${arch} deno`);
      assert.equal(await elfMachine(`${tree}/lib/libcapture.so`), MACHINE[arch], `${arch} libcapture.so`);
      const digest = await runOk(["sh", "-c", `cd '${tree}/lib' && sha256sum --check libcapture.so.sha256`]);
      assert.equal(digest.trim(), "libcapture.so: OK");
      assert.equal((await Deno.stat(`${tree}/capture-agent`)).mode! & 0o111, 0o111);
      assert.ok((await Deno.stat(`${tree}/agent.js`)).size > 100_000);
    });
  }
});

Deno.test("the x86_64 tarball unpacked elsewhere runs capture-agent version with its commit and library", async () => {
  await distOnce();
  await withUnpacked("x86_64", async (tree) => {
    const commit = (await Deno.readTextFile(`${tree}/commit.txt`)).trim();
    assert.match(commit, /^[0-9a-f]{12}(-dirty)?$/);
    const env = { PATH: "/usr/bin:/bin", HOME: tree, DENO_DIR: `${tree}/.deno` };
    const output = await new Deno.Command(`${tree}/capture-agent`, { args: ["version"], env, clearEnv: true }).output();
    const text = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const lines = text.trimEnd().split("\n");
    assert.equal(lines[0], `capture-agent ${VERSION}`);
    assert.equal(lines[1], `commit   ${commit}`);
    assert.match(lines[2], /^deno {5}2\.9\.6 \(v8 /);
    assert.match(lines[3], /^library {2}libcapture \d+\.\d+\.\d+ zig /);
    assert.equal(lines[4], "arch     x86_64 linux");
  });
});

Deno.test("make dist refuses a DENORT_BIN that is not a denort and keeps no single file", async () => {
  await distOnce();
  const deno = await Deno.realPath(`${ROOT}.tools/bin/deno`);
  const { code, stderr } = await dist({ DIST_ARCHES: "x86_64", DENORT_BIN: deno });
  assert.equal(code, 1, stderr);
  assert.match(stderr, /x86_64: .* is not a denort for deno 2\.9\.6/);
  await assert.rejects(Deno.stat(`${DIST}/${tarballName("x86_64")}`), Deno.errors.NotFound);
});
