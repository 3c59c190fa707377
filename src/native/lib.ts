/**
 * The one place the capture library (libcapture.so) is opened. Everything else in `src/native/` goes
 * through `captureLibrary()`; nothing outside `src/native/` touches FFI.
 * @module
 */
import { ABI_VERSION, AbiLayout } from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { embeddedLibraryUrl, openEmbeddedLibrary } from "./embedded_lib.ts";

/** FFI signatures of docs/abi.md. `cap_ring_next` is bound twice: synchronous and on a worker thread. */
export const SYMBOLS = {
  cap_abi_version: { parameters: [], result: "u32" },
  cap_version_string: { parameters: ["buffer", "u32"], result: "i32" },
  cap_ring_open: { parameters: ["buffer", "buffer", "buffer"], result: "pointer" },
  cap_ring_info: { parameters: ["pointer", "buffer"], result: "i32" },
  cap_ring_next: { parameters: ["pointer", "i32"], result: "i32" },
  cap_ring_next_nonblocking: {
    name: "cap_ring_next",
    parameters: ["pointer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  cap_ring_try_next: { parameters: ["pointer"], result: "i32" },
  cap_ring_nap: { parameters: ["pointer", "i32"], result: "i32" },
  cap_ring_release: { parameters: ["pointer", "u32"], result: "i32" },
  cap_ring_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  cap_ring_interrupt: { parameters: ["pointer"], result: "i32" },
  cap_ring_close: { parameters: ["pointer"], result: "i32" },
  cap_filter_check: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  cap_filter_new: { parameters: ["buffer", "u32", "u32", "buffer"], result: "pointer" },
  cap_filter_run_batch: {
    parameters: ["pointer", "buffer", "u32", "buffer", "buffer", "buffer", "u32", "buffer"],
    result: "i32",
  },
  cap_filter_free: { parameters: ["pointer"], result: "i32" },
  cap_pcap_records: {
    parameters: [
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  cap_pcap_block: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  cap_block_walk: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  cap_block_counts: { parameters: ["buffer", "buffer"], result: "i32" },
  cap_sip_parse: { parameters: ["buffer", "u32", "buffer", "buffer", "u32"], result: "i32" },
  cap_sip_parse_record: {
    parameters: ["buffer", "u32", "buffer", "buffer", "u32", "buffer", "buffer", "u32"],
    result: "i32",
  },
  cap_abi_layout: { parameters: ["buffer"], result: "i32" },
  // The eBPF counter arrives in a later step of the library; optional keeps older builds loadable.
  cap_bpf_counter_open: { parameters: ["buffer", "buffer"], result: "pointer", optional: true },
  cap_bpf_counter_read: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  cap_bpf_counter_close: { parameters: ["pointer"], result: "i32", optional: true },
} as const;

/** The opened library's symbols. */
export type CaptureSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** Path of the library: `$CAPTURE_AGENT_LIB`, else `zig-out/lib/<arch>/libcapture.so` under the repository. */
export function libraryPath(): string {
  const fromEnv = Deno.env.get("CAPTURE_AGENT_LIB");
  if (fromEnv) return fromEnv;
  const root = new URL("../../", import.meta.url);
  return new URL(`zig-out/lib/${Deno.build.arch}/libcapture.so`, root).pathname;
}

/**
 * Opens the library once and returns its symbols: the embedded one in a single-file build, else `libraryPath()`.
 * @throws {CaptureError} `library_missing` when it cannot be loaded, `abi_mismatch` when its ABI differs.
 */
export function captureLibrary(): CaptureSymbols {
  if (library) return library.symbols;
  // A single-file build loads the library it carries (never one named by the environment).
  const embedded = embeddedLibraryUrl();
  const path = embedded ? `${embedded.pathname} (embedded)` : libraryPath();
  let opened: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    opened = embedded ? openEmbeddedLibrary(embedded, SYMBOLS).library : Deno.dlopen(path, SYMBOLS);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CaptureError("library_missing", `Cannot load capture library "${path}": ${reason}`, { cause: error });
  }
  const abiVersion = opened.symbols.cap_abi_version();
  if (abiVersion !== ABI_VERSION) {
    opened.close();
    throw new CaptureError(
      "abi_mismatch",
      `Capture library "${path}" has ABI version ${abiVersion}, this agent needs ${ABI_VERSION}`,
    );
  }
  library = opened;
  return opened.symbols;
}

/** Returns the library's version string, e.g. `libcapture 0.1.0 zig 0.14.1 libbpf 1.1.2 libpcap 1.10.3`. */
export function libraryVersion(): string {
  const out = new Uint8Array(256);
  const length = captureLibrary().cap_version_string(out, out.length);
  if (length < 0) return "unknown";
  const end = out.indexOf(0);
  return new TextDecoder().decode(out.subarray(0, end < 0 ? Math.min(length, out.length) : end));
}

/** Reads a NUL-terminated string out of a fixed-size field. */
export function readCString(bytes: Uint8Array, offset: number, capacity: number): string {
  const field = bytes.subarray(offset, offset + capacity);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

/** Returns `text` as NUL-terminated UTF-8 bytes (for `[*:0]const u8` parameters). */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out;
}

/** The layout facts the loaded library reports (`cap_abi_layout`), by `AbiLayout` field name. */
export function libraryLayout(): Record<string, number> {
  const out = new Uint8Array(AbiLayout.size);
  const status = captureLibrary().cap_abi_layout(out);
  if (status < 0) throw new CaptureError("unexpected", `cap_abi_layout failed with status ${status}`);
  const view = new DataView(out.buffer);
  const layout: Record<string, number> = {};
  for (const [name, field] of Object.entries(AbiLayout)) {
    if (typeof field === "object" && field.size === 4) layout[name] = view.getUint32(field.offset, true);
  }
  return layout;
}
