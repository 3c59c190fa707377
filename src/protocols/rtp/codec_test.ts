import assert from "node:assert/strict";
import { CodecMap, isAuxiliaryCodec, staticCodec } from "./codec.ts";

Deno.test("CodecMap prefers the rtpmap and falls back to the static table", () => {
  const codecs = new CodecMap([{ payloadType: 96, encoding: "opus", clockRate: 48000 }]);
  assert.deepEqual({ ...codecs.lookup(96) }, { name: "opus", clockRate: 48000 });
  assert.equal(codecs.lookup(8).name, "PCMA");
  assert.equal(codecs.lookup(97).clockRate, 0);
  assert.equal(staticCodec(9).clockRate, 8000);
  assert.ok(isAuxiliaryCodec(staticCodec(13)));
});
