/**
 * The contract between the control API's AgentService and the daemon. Version is answered by the API
 * layer itself (see version_info.ts).
 * @module
 */
import type { ReloadResponse, StatsResponse, StatusResponse } from "./gen/capture_agent/v1/agent_pb.ts";

/** What the daemon provides to AgentService. */
export interface AgentControl {
  status(): Promise<StatusResponse>;
  stats(): Promise<StatsResponse>;
  /** Re-reads the config; throws `TaskControlError` ("invalid_argument") with the config's problems. */
  reload(): Promise<ReloadResponse>;
  /**
   * Begins a graceful stop. Called after the Shutdown response is queued; the daemon's server close waits
   * for in-flight calls, so the client sees the answer. `drainTimeoutMs` 0 means the configured bound.
   */
  shutdown(drainTimeoutMs: number): void;
}
