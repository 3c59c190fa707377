/**
 * The agent's build facts for AgentService.Version.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { gitCommit } from "../cli/version.ts";
import { libraryVersion } from "../native/lib.ts";
import { VERSION } from "../version.ts";
import { type VersionResponse, VersionResponseSchema } from "./gen/capture_agent/v1/agent_pb.ts";

let cached: VersionResponse | undefined;

/** Version, commit, runtime and native library versions (computed once; the library may be unavailable). */
export function versionInfo(): VersionResponse {
  if (cached !== undefined) return cached;
  let library: string;
  try {
    library = libraryVersion();
  } catch (error) {
    library = `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
  cached = create(VersionResponseSchema, {
    version: VERSION,
    commit: gitCommit(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    library,
    arch: Deno.build.arch,
    os: Deno.build.os,
  });
  return cached;
}
