/**
 * The capture library embedded in a single-file build (`deno compile --include`, see scripts/dist.sh).
 * `Deno.dlopen` needs a real file, so the embedded bytes are copied into a fresh private directory (0700,
 * owned by this user, in a parent others cannot rename it out of), under a content-hashed name, read back
 * and hash-checked, opened, and then removed: the mapping survives the unlink, so nothing is left behind.
 * @module
 */
import { createHash } from "node:crypto";

/** Where scripts/dist.sh puts the library in a compiled binary, relative to the main module (agent.js). */
export const EMBEDDED_LIBRARY = "lib/libcapture.so";

/** Suffix of the file holding the library's expected SHA-256 (hex), written by scripts/dist.sh beside it. */
export const DIGEST_SUFFIX = ".sha256";

/** A verified private copy of the library, ready for `Deno.dlopen`. */
export interface ExtractedLibrary {
  /** Absolute path of the copy: `<directory>/libcapture-<sha256 prefix>.so`. */
  path: string;
  /** The private directory holding only the copy. */
  directory: string;
  /** SHA-256 of the library (hex). */
  sha256: string;
}

/** Options of `extractLibrary` and `openEmbeddedLibrary`. */
export interface ExtractOptions {
  /** Expected SHA-256 (hex); a mismatch refuses the library. */
  expectedSha256?: string;
  /** Where the private directory is created. @default the system temp directory (`$TMPDIR` or /tmp) */
  parentDirectory?: string;
}

const HASH_PREFIX_CHARS = 16;

/** SHA-256 of `bytes` as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The embedded library's URL when this process is a compiled binary that carries one (with its digest),
 * else `undefined` (`deno run`, or a build without it).
 */
export function embeddedLibraryUrl(): URL | undefined {
  if (!Deno.build.standalone) return undefined;
  const url = new URL(EMBEDDED_LIBRARY, Deno.mainModule);
  try {
    Deno.statSync(url);
    Deno.statSync(new URL(EMBEDDED_LIBRARY + DIGEST_SUFFIX, Deno.mainModule));
    return url;
  } catch {
    return undefined;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/** Throws unless `path` is a real directory of this user with mode 0700 in a parent others cannot rename it from. */
export function assertPrivateDirectory(path: string): void {
  const info = Deno.lstatSync(path);
  if (!info.isDirectory || info.isSymlink) throw new Error(`"${path}" is not a directory`);
  if (info.uid !== Deno.uid()) throw new Error(`"${path}" is owned by uid ${info.uid}, not ${Deno.uid()}`);
  const mode = (info.mode ?? 0) & 0o7777;
  if (mode !== 0o700) throw new Error(`"${path}" has mode ${mode.toString(8)}, not 700`);
  // A world-writable parent without the sticky bit (like a 0777 TMPDIR) lets anyone swap the directory.
  const parent = Deno.statSync(parentOf(path));
  const parentMode = parent.mode ?? 0;
  if ((parentMode & 0o002) !== 0 && (parentMode & 0o1000) === 0) {
    throw new Error(`"${parentOf(path)}" is world-writable without the sticky bit`);
  }
}

function assertPrivateFile(path: string): void {
  const info = Deno.lstatSync(path);
  if (!info.isFile || info.isSymlink) throw new Error(`"${path}" is not a regular file`);
  if (info.uid !== Deno.uid()) throw new Error(`"${path}" is owned by uid ${info.uid}, not ${Deno.uid()}`);
  if (((info.mode ?? 0) & 0o022) !== 0) throw new Error(`"${path}" is writable by group or others`);
}

/**
 * Writes `bytes` into a new private directory under a content-hashed name and verifies the copy on disk.
 * The caller opens `path` and then removes `directory` (`openEmbeddedLibrary` does both).
 * @throws {Error} when the bytes or the copy do not match the expected digest, or the directory is not private.
 */
export function extractLibrary(bytes: Uint8Array, options: ExtractOptions = {}): ExtractedLibrary {
  const sha256 = sha256Hex(bytes);
  const expected = options.expectedSha256?.trim().toLowerCase();
  if (expected !== undefined && expected !== sha256) {
    throw new Error(`embedded library has SHA-256 ${sha256}, expected ${expected}`);
  }
  const directory = Deno.makeTempDirSync({ dir: options.parentDirectory, prefix: "capture-agent-lib-" });
  try {
    Deno.chmodSync(directory, 0o700);
    assertPrivateDirectory(directory);
    const path = `${directory}/libcapture-${sha256.slice(0, HASH_PREFIX_CHARS)}.so`;
    Deno.writeFileSync(path, bytes, { createNew: true, mode: 0o500 });
    assertPrivateFile(path);
    const written = sha256Hex(Deno.readFileSync(path));
    if (written !== sha256) throw new Error(`copy "${path}" has SHA-256 ${written}, expected ${sha256}`);
    return { path, directory, sha256 };
  } catch (error) {
    Deno.removeSync(directory, { recursive: true });
    throw error;
  }
}

/**
 * Opens the library at `source` (an embedded file, or any file) through a verified private copy that is
 * removed again once loaded. The digest comes from `options.expectedSha256`, else from `<source>.sha256`
 * when that file exists.
 */
export function openEmbeddedLibrary<S extends Deno.ForeignLibraryInterface>(
  source: URL,
  symbols: S,
  options: ExtractOptions = {},
): { library: Deno.DynamicLibrary<S>; extracted: ExtractedLibrary } {
  let expectedSha256 = options.expectedSha256;
  if (expectedSha256 === undefined) {
    try {
      expectedSha256 = Deno.readTextFileSync(new URL(source.href + DIGEST_SUFFIX)).split(/\s/)[0];
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const extracted = extractLibrary(Deno.readFileSync(source), { ...options, expectedSha256 });
  try {
    return { library: Deno.dlopen(extracted.path, symbols), extracted };
  } finally {
    Deno.removeSync(extracted.directory, { recursive: true });
  }
}
