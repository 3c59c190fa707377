/**
 * The control socket file: never takes over a socket a live agent answers on, replaces a stale one, and
 * sets the configured mode and group once listening.
 * @module
 */
import * as net from "node:net";

/** Whether something accepts connections on the socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Prepares `path` for listening: refuses a live socket or a non-socket file, removes a stale socket.
 * @throws {Deno.errors.AddrInUse} when another process answers on the socket
 */
export async function claimSocketPath(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isSocket) throw new Deno.errors.AlreadyExists(`"${path}" exists and is not a socket; not replacing it`);
  if (await answers(path)) {
    throw new Deno.errors.AddrInUse(`Another process (a running agent?) listens on "${path}"; not taking it over`);
  }
  await Deno.remove(path);
}

/** A group's id from its name or number, read from /etc/group. */
export async function groupId(group: string): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  const lines = (await Deno.readTextFile("/etc/group")).split("\n");
  const entry = lines.map((line) => line.split(":")).find((fields) => fields[0] === group);
  if (entry === undefined || entry[2] === undefined) throw new Deno.errors.NotFound(`Group "${group}" does not exist`);
  return Number(entry[2]);
}

/** Applies mode bits and, when `group` is not "", the group to the listening socket file. */
export async function setSocketAccess(path: string, mode: number, group: string): Promise<void> {
  await Deno.chmod(path, mode);
  if (group !== "") await Deno.chown(path, null, await groupId(group));
}
