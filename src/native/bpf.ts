/**
 * The eBPF packet counter of the capture library: `bpf/tc_counter.bpf.c`, embedded in libcapture.so and
 * attached with tcx (ingress + egress) to one interface. It proves the eBPF path end to end.
 * @module
 */
import { BpfCounterStats as StatsLayout, ErrorInfo, Status } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary, cString } from "./lib.ts";
import { throwErrorInfo } from "./ring.ts";

/** Packets and bytes counted by the eBPF programs, summed over CPUs, since attach. */
export interface BpfCounterStats {
  ingressPackets: number;
  ingressBytes: number;
  egressPackets: number;
  egressBytes: number;
}

/** An attached eBPF counter; `close` detaches it (tcx links also vanish when the process exits). */
export class BpfCounter {
  /** The interface the programs are attached to. */
  readonly interfaceName: string;
  #handle: Deno.PointerObject | null;
  readonly #statsBytes = new Uint8Array(StatsLayout.size);

  private constructor(interfaceName: string, handle: Deno.PointerObject) {
    this.interfaceName = interfaceName;
    this.#handle = handle;
  }

  /**
   * Loads and attaches the counter to `interfaceName`.
   * @throws {CaptureError} `bpf_load_failed`, `no_such_device`, `permission_denied`, ... with libbpf's reason.
   */
  static open(interfaceName: string): BpfCounter {
    const lib = captureLibrary();
    if (lib.cap_bpf_counter_open === null) {
      throw new CaptureError("bpf_load_failed", "This capture library was built without eBPF support");
    }
    const errorInfo = new Uint8Array(ErrorInfo.size);
    const handle = lib.cap_bpf_counter_open(cString(interfaceName), errorInfo);
    if (handle === null) throwErrorInfo(errorInfo, Status.bpf_load_failed);
    return new BpfCounter(interfaceName, handle);
  }

  /** Current counts. */
  read(): BpfCounterStats {
    const lib = captureLibrary();
    if (this.#handle === null || lib.cap_bpf_counter_read === null) {
      throw new CaptureError("closed", `eBPF counter on "${this.interfaceName}" is closed`);
    }
    const status = lib.cap_bpf_counter_read(this.#handle, this.#statsBytes);
    if (status < 0) {
      throw new CaptureError(codeFromStatus(status), `Cannot read eBPF counter on "${this.interfaceName}"`);
    }
    const view = new DataView(this.#statsBytes.buffer);
    const field = (offset: number) => Number(view.getBigUint64(offset, true));
    return {
      ingressPackets: field(StatsLayout.ingress_packets.offset),
      ingressBytes: field(StatsLayout.ingress_bytes.offset),
      egressPackets: field(StatsLayout.egress_packets.offset),
      egressBytes: field(StatsLayout.egress_bytes.offset),
    };
  }

  /** Detaches the programs. Closing twice is a no-op. */
  close(): void {
    if (this.#handle === null) return;
    captureLibrary().cap_bpf_counter_close?.(this.#handle);
    this.#handle = null;
  }
}
