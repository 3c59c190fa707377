/**
 * Turns an HTTP transaction into the `http` record (plain JSON-ready object, snake_case fields); the pipeline adds
 * capture time, interface and addresses.
 * @module
 */
import type { HttpTransaction } from "./transaction.ts";

/** Builds the `http` record of a transaction. */
export function httpEvent(transaction: HttpTransaction): Record<string, unknown> {
  const { request, response } = transaction;
  const http: Record<string, unknown> = {};
  if (request !== undefined) {
    http.version = request.version;
    http.request = {
      method: request.method,
      path: request.target,
      host: request.host,
      user_agent: request.userAgent,
      content_type: request.contentType,
      bytes: request.headBytes + request.bodyBytes,
      body_bytes: request.bodyBytes,
    };
  }
  if (response !== undefined) {
    http.version ??= response.version;
    http.response = {
      status_code: response.status,
      reason: response.reason,
      content_type: response.contentType,
      bytes: response.headBytes + response.bodyBytes,
      body_bytes: response.bodyBytes,
    };
  }
  const event: Record<string, unknown> = {
    type: "http",
    time_ms: request?.startTimeMs ?? response?.startTimeMs,
    http,
  };
  if (transaction.latencyMs !== undefined) event.latency_ms = transaction.latencyMs;
  if (request?.truncated || response?.truncated) event.truncated = true;
  if (transaction.notes.length > 0) event.notes = [...transaction.notes];
  return event;
}
