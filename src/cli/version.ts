/**
 * `capture-agent version`: the agent's version, git commit, Deno and library versions, and the architecture.
 * @module
 */
import { VERSION } from "../version.ts";
import { libraryVersion } from "../native/lib.ts";

/**
 * The commit of the checkout the agent runs from, or "unknown" (no git, or not a checkout). A packaged build
 * (scripts/dist.sh) carries it in `commit.txt` beside the bundled main module.
 */
export function gitCommit(): string {
  try {
    const recorded = Deno.readTextFileSync(new URL("commit.txt", Deno.mainModule)).trim();
    if (/^[0-9a-f]{7,40}(-dirty)?$/.test(recorded)) return recorded;
  } catch {
    // Not a packaged build: ask git below.
  }
  const dir = new URL(".", import.meta.url);
  if (dir.protocol !== "file:") return "unknown";
  try {
    const output = new Deno.Command("git", {
      args: ["-C", dir.pathname, "rev-parse", "--short=12", "HEAD"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const commit = new TextDecoder().decode(output.stdout).trim();
    return output.success && commit ? commit : "unknown";
  } catch {
    return "unknown";
  }
}

/** Lines printed by `capture-agent version`; the library line says why when the library cannot be loaded. */
export function versionLines(): string[] {
  let library: string;
  try {
    library = libraryVersion();
  } catch (error) {
    library = `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
  return [
    `capture-agent ${VERSION}`,
    `commit   ${gitCommit()}`,
    `deno     ${Deno.version.deno} (v8 ${Deno.version.v8}, typescript ${Deno.version.typescript})`,
    `library  ${library}`,
    `arch     ${Deno.build.arch} ${Deno.build.os}`,
  ];
}
