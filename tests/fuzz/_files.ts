/**
 * The pcap/pcapng readers on mutated files: the bytes go to a temporary file read through `openFileSource`, and every
 * batch goes through a pipeline. Opening may reject a file whose magic is unknown (documented); nothing else may throw.
 */
import { openFileSource } from "../../src/capture/file_source.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";

const BATCHES_MAX = 10_000;
const NOT_A_CAPTURE = /not a pcap or pcapng file$/;

/** Reads mutated capture files from one reusable temporary path. */
export class FileTarget {
  readonly #dir: string;
  readonly #path: string;
  #count = 0;

  constructor() {
    this.#dir = Deno.makeTempDirSync({ prefix: "capture-agent-fuzz-" });
    this.#path = `${this.#dir}/input.pcap`;
  }

  /** Reads `bytes` as a capture file to its end; returns the packets read. */
  async read(bytes: Uint8Array): Promise<number> {
    this.#count++;
    await Deno.writeFile(this.#path, bytes);
    let source;
    try {
      source = await openFileSource(this.#path, { packetsMax: 1 + (this.#count % 64), chunkBytes: 4096 });
    } catch (error) {
      if (error instanceof Error && NOT_A_CAPTURE.test(error.message)) return 0;
      throw error;
    }
    const pipeline = new Pipeline({ interfaces: source.interfaces });
    let packets = 0;
    try {
      let batches = 0;
      for (let batch = await source.next(); batch !== null; batch = await source.next()) {
        if (++batches > BATCHES_MAX) throw new Error(`File reader did not end after ${BATCHES_MAX} batches`);
        packets += batch.count;
        pipeline.process(batch);
        source.release(batch);
        pipeline.queue.drain();
      }
      source.stats();
    } finally {
      await source.close();
    }
    pipeline.finish();
    return packets;
  }

  /** Removes the temporary directory. */
  close(): void {
    Deno.removeSync(this.#dir, { recursive: true });
  }
}
