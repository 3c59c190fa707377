/**
 * Network namespaces for integration tests: two namespaces joined by a veth pair. Names are unique per process
 * and call; `withVethPair` always deletes both namespaces (and with them the veth pair) in a `finally`.
 *
 * VLAN: this kernel has no 802.1Q devices (CONFIG_VLAN_8021Q is off), and none are needed: a tagged frame
 * sent raw into one end is untagged by the receiving end's core (`skb_vlan_untag`) before AF_PACKET sees it,
 * exactly as with rx-vlan offload, so the tag arrives in `tp_vlan_tci`.
 * @module
 */
import { type CommandResult, runCommand } from "./command.ts";

export type { CommandResult };

/** The test bed: namespace A ("sender") and B ("receiver") joined by `ifA` ⇄ `ifB`. */
export interface VethPair {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
  macA: string;
  macB: string;
}

let pairsMade = 0;

/** Runs `cmd` to completion and returns its exit code and text output. `stdin` is written then closed. */
export function run(cmd: string[], stdin?: string | Uint8Array): Promise<CommandResult> {
  return runCommand(cmd[0]!, cmd.slice(1), { stdin });
}

/** Runs `cmd` and throws with its stderr when it fails. */
export async function runOk(cmd: string[], stdin?: string | Uint8Array): Promise<string> {
  const result = await run(cmd, stdin);
  if (result.code !== 0) throw new Error(`${cmd.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Prefixes `cmd` so it runs inside namespace `ns`. */
export function inNs(ns: string, cmd: string[]): string[] {
  return ["ip", "netns", "exec", ns, ...cmd];
}

/** Starts `cmd` inside namespace `ns` with piped stdout/stderr; the caller waits for or kills it by PID. */
export function spawnInNs(ns: string, cmd: string[]): Deno.ChildProcess {
  const full = inNs(ns, cmd);
  return new Deno.Command(full[0], { args: full.slice(1), stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
}

/** Creates the test bed, runs `fn`, and deletes both namespaces whatever happens. */
export async function withVethPair<T>(fn: (pair: VethPair) => Promise<T>): Promise<T> {
  pairsMade += 1;
  const tag = `${Deno.pid}-${pairsMade}`;
  const pair: VethPair = {
    nsA: `cap-test-a-${tag}`,
    nsB: `cap-test-b-${tag}`,
    ifA: "veth-a",
    ifB: "veth-b",
    addrA: "10.77.0.1",
    addrB: "10.77.0.2",
    macA: "02:00:00:77:00:01",
    macB: "02:00:00:77:00:02",
  };
  try {
    await setUp(pair);
    return await fn(pair);
  } finally {
    await run(["ip", "netns", "del", pair.nsA]);
    await run(["ip", "netns", "del", pair.nsB]);
  }
}

async function setUp(pair: VethPair): Promise<void> {
  await runOk(["ip", "netns", "add", pair.nsA]);
  await runOk(["ip", "netns", "add", pair.nsB]);
  await runOk([
    ..."ip link add name".split(" "),
    pair.ifA,
    "netns",
    pair.nsA,
    "type",
    "veth",
    "peer",
    "name",
    pair.ifB,
    "netns",
    pair.nsB,
  ]);
  const ends: [string, string, string, string][] = [
    [pair.nsA, pair.ifA, pair.addrA, pair.macA],
    [pair.nsB, pair.ifB, pair.addrB, pair.macB],
  ];
  for (const [ns, ifname, addr, mac] of ends) {
    // IPv6 would add neighbour discovery and router solicitations to every capture.
    await runOk(inNs(ns, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]));
    await runOk(inNs(ns, ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]));
    await runOk(inNs(ns, ["ip", "link", "set", "lo", "up"]));
    await runOk(inNs(ns, ["ip", "link", "set", ifname, "address", mac]));
    await runOk(inNs(ns, ["ip", "addr", "add", `${addr}/24`, "dev", ifname]));
    await runOk(inNs(ns, ["ip", "link", "set", ifname, "up"]));
  }
}
