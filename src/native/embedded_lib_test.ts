import assert from "node:assert/strict";
import { ABI_VERSION } from "./abi.ts";
import {
  assertPrivateDirectory,
  DIGEST_SUFFIX,
  embeddedLibraryUrl,
  extractLibrary,
  openEmbeddedLibrary,
  sha256Hex,
} from "./embedded_lib.ts";
import { libraryPath, SYMBOLS } from "./lib.ts";

/** A directory standing in for a compiled binary's VFS: a copy of the built library and its digest file. */
async function withFakeEmbedded(
  fn: (source: URL, parent: string, bytes: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "embedded-lib-test-" });
  try {
    const bytes = await Deno.readFile(libraryPath());
    await Deno.mkdir(`${root}/vfs/lib`, { recursive: true });
    await Deno.writeFile(`${root}/vfs/lib/libcapture.so`, bytes);
    await Deno.writeTextFile(`${root}/vfs/lib/libcapture.so${DIGEST_SUFFIX}`, `${sha256Hex(bytes)}  libcapture.so\n`);
    await Deno.mkdir(`${root}/tmp`, { mode: 0o700 });
    await fn(new URL(`file://${root}/vfs/lib/libcapture.so`), `${root}/tmp`, bytes);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function entries(directory: string): string[] {
  return [...Deno.readDirSync(directory)].map((entry) => entry.name);
}

Deno.test("embeddedLibraryUrl() is undefined outside a compiled binary", () => {
  assert.equal(Deno.build.standalone, false);
  assert.equal(embeddedLibraryUrl(), undefined);
});

Deno.test("openEmbeddedLibrary() loads a verified private copy and removes it once loaded", async () => {
  await withFakeEmbedded((source, parent, bytes) => {
    const { library, extracted } = openEmbeddedLibrary(source, SYMBOLS, { parentDirectory: parent });
    try {
      assert.equal(extracted.sha256, sha256Hex(bytes));
      assert.match(
        extracted.path,
        new RegExp(`^${parent}/capture-agent-lib-[^/]+/libcapture-${extracted.sha256.slice(0, 16)}\\.so$`),
      );
      assert.deepEqual(entries(parent), [], "the private directory is removed after loading");
      assert.equal(library.symbols.cap_abi_version(), ABI_VERSION, "the mapping outlives the unlinked file");
    } finally {
      library.close();
    }
  });
});

Deno.test("openEmbeddedLibrary() refuses a library whose digest does not match and leaves nothing behind", async () => {
  await withFakeEmbedded(async (source, parent) => {
    await Deno.writeTextFile(new URL(source.href + DIGEST_SUFFIX), `${"0".repeat(64)}  libcapture.so\n`);
    assert.throws(() => openEmbeddedLibrary(source, SYMBOLS, { parentDirectory: parent }), /expected 0{64}/);
    assert.deepEqual(entries(parent), []);
  });
});

Deno.test("extractLibrary() writes a 0500 file in a 0700 directory under a content-hashed name", async () => {
  await withFakeEmbedded((_source, parent, bytes) => {
    const extracted = extractLibrary(bytes, {
      parentDirectory: parent,
      expectedSha256: sha256Hex(bytes).toUpperCase(),
    });
    try {
      assert.equal((Deno.lstatSync(extracted.directory).mode ?? 0) & 0o7777, 0o700);
      assert.equal((Deno.lstatSync(extracted.path).mode ?? 0) & 0o7777, 0o500);
      assert.deepEqual(Deno.readFileSync(extracted.path), bytes);
    } finally {
      Deno.removeSync(extracted.directory, { recursive: true });
    }
  });
});

Deno.test("extractLibrary() refuses a world-writable parent without the sticky bit", async () => {
  await withFakeEmbedded(async (_source, parent, bytes) => {
    await Deno.chmod(parent, 0o777);
    assert.throws(() => extractLibrary(bytes, { parentDirectory: parent }), /world-writable without the sticky bit/);
    assert.deepEqual(entries(parent), []);
    await Deno.chmod(parent, 0o1777);
    const extracted = extractLibrary(bytes, { parentDirectory: parent });
    Deno.removeSync(extracted.directory, { recursive: true });
  });
});

Deno.test("assertPrivateDirectory() rejects a shared directory and a symlink to a private one", async () => {
  const root = await Deno.makeTempDir({ prefix: "embedded-lib-dir-" });
  try {
    await Deno.mkdir(`${root}/shared`);
    await Deno.chmod(`${root}/shared`, 0o755);
    assert.throws(() => assertPrivateDirectory(`${root}/shared`), /mode 755, not 700/);
    await Deno.mkdir(`${root}/private`, { mode: 0o700 });
    assertPrivateDirectory(`${root}/private`);
    await Deno.symlink(`${root}/private`, `${root}/link`);
    assert.throws(() => assertPrivateDirectory(`${root}/link`), /is not a directory/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
