/**
 * Output URLs of a task (`--output` and a task file's `outputs`): `jsonl:PATH`, `pcap:DIR`,
 * `kafka://BROKER[,BROKER]/TOPIC`, `hep://HOST:PORT`, `hep+tcp://HOST:PORT`, `console`. Parsed at task creation so a
 * typo fails `task create` instead of a running task.
 * @module
 */

/** A parsed output URL. */
export type OutputTarget =
  | { kind: "jsonl"; path: string }
  | { kind: "pcap"; dir: string }
  | { kind: "kafka"; brokers: string[]; topic: string }
  | { kind: "hep"; transport: "udp" | "tcp"; host: string; port: number }
  | { kind: "console" };

/** Result of `parseOutputUrl`: the target, or a message saying what to write instead. */
export type OutputUrlResult = { ok: true; value: OutputTarget } | { ok: false; message: string };

const FORMS = "jsonl:PATH, pcap:DIR, kafka://BROKER[,BROKER]/TOPIC, hep://HOST:PORT, hep+tcp://HOST:PORT or console";

function hostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** Parses one output URL. */
export function parseOutputUrl(url: string): OutputUrlResult {
  const bad = (why: string): OutputUrlResult => ({ ok: false, message: `output "${url}": ${why}` });
  if (url === "console") return { ok: true, value: { kind: "console" } };
  if (url.startsWith("jsonl:")) {
    const path = url.slice("jsonl:".length);
    return path === "" ? bad("give a file path, e.g. jsonl:/var/lib/capture-agent/sip.jsonl") : {
      ok: true,
      value: { kind: "jsonl", path },
    };
  }
  if (url.startsWith("pcap:")) {
    const dir = url.slice("pcap:".length);
    return dir === "" ? bad("give a directory, e.g. pcap:/var/lib/capture-agent/pcap") : {
      ok: true,
      value: { kind: "pcap", dir },
    };
  }
  const kafka = /^kafka:\/\/([^/]+)\/([A-Za-z0-9._-]+)$/.exec(url);
  if (kafka) {
    const brokers = kafka[1]!.split(",");
    if (brokers.some((broker) => hostPort(broker) === undefined)) return bad("brokers must be HOST:PORT");
    return { ok: true, value: { kind: "kafka", brokers, topic: kafka[2]! } };
  }
  if (url.startsWith("kafka:")) return bad("use kafka://BROKER[,BROKER]/TOPIC");
  const hep = /^hep(\+tcp|\+udp)?:\/\/(.+)$/.exec(url);
  if (hep) {
    const address = hostPort(hep[2]!);
    if (address === undefined) return bad("use hep://HOST:PORT");
    return { ok: true, value: { kind: "hep", transport: hep[1] === "+tcp" ? "tcp" : "udp", ...address } };
  }
  return bad(`unknown output; use ${FORMS}`);
}
