import assert from "node:assert/strict";
import { httpEvent } from "./event.ts";
import { parseHttpMessage } from "./parser.ts";
import type { HttpRequest, HttpResponse } from "./types.ts";

const parse = (text: string) => (parseHttpMessage(new TextEncoder().encode(text)) as { message: unknown }).message;

Deno.test("httpEvent() builds an http record with both halves, sizes and latency", () => {
  const request = parse("GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n") as HttpRequest;
  const response = parse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\nbody") as HttpResponse;
  const event = httpEvent({ request, response, latencyMs: 7, notes: [] });
  assert.equal(event.type, "http");
  assert.equal(event.latency_ms, 7);
  const http = event.http as Record<string, Record<string, unknown>>;
  assert.deepEqual([http.request!.method, http.request!.path, http.request!.host], [
    "GET",
    "/index.html",
    "example.com",
  ]);
  assert.deepEqual([http.response!.status_code, http.response!.content_type, http.response!.bytes], [
    200,
    "text/html",
    67,
  ]);
});

Deno.test("httpEvent() keeps notes of an orphan response", () => {
  const response = parse("HTTP/1.1 204 No Content\r\n\r\n") as HttpResponse;
  const event = httpEvent({ response, notes: ["orphan_response"] });
  assert.deepEqual(event.notes, ["orphan_response"]);
  assert.equal((event.http as Record<string, unknown>).request, undefined);
});
