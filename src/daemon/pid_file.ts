/**
 * The daemon's pid file: refuses to start while the pid it names is a live agent, replaces a stale one (the
 * process is gone, or the pid was reused by something else), and is removed on exit only if it is still ours.
 * @module
 */

/** Whether `pid` is a running process that looks like a capture agent (pid reuse is not mistaken for one). */
export function isLiveAgent(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  let cmdline: string;
  try {
    cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return false;
  }
  return /capture-agent|agent\.js|main\.ts/.test(cmdline.replaceAll("\0", " "));
}

/** The pid in `path`, or 0 when the file is missing or holds no number. */
export function readPidFile(path: string): number {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

/**
 * Checks that no live agent owns `path`.
 * @throws {Deno.errors.AlreadyExists} naming the live pid
 */
export function checkPidFile(path: string): void {
  const pid = readPidFile(path);
  if (pid !== 0 && pid !== Deno.pid && isLiveAgent(pid)) {
    throw new Deno.errors.AlreadyExists(`Another agent (pid ${pid}) owns the pid file "${path}"; not starting`);
  }
}

/** Writes our pid to `path` atomically (temp file + rename). */
export function writePidFile(path: string): void {
  const temp = `${path}.tmp-${Deno.pid}`;
  Deno.writeTextFileSync(temp, `${Deno.pid}\n`, { mode: 0o644 });
  Deno.renameSync(temp, path);
}

/** Removes `path` if it still holds our pid. */
export function removePidFile(path: string): void {
  if (readPidFile(path) !== Deno.pid) return;
  try {
    Deno.removeSync(path);
  } catch { /* already gone */ }
}
