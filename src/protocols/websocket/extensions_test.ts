import assert from "node:assert/strict";
import { defaultDeflateParams, parseDeflateExtension } from "./extensions.ts";

Deno.test("parseDeflateExtension() reads context takeover and window bits of permessage-deflate", () => {
  assert.deepEqual(parseDeflateExtension("permessage-deflate"), defaultDeflateParams());
  assert.deepEqual(
    parseDeflateExtension(
      'x-webkit-deflate-frame, Permessage-Deflate; client_no_context_takeover; server_max_window_bits="10"; ' +
        "client_max_window_bits=9",
    ),
    { clientNoContextTakeover: true, serverNoContextTakeover: false, clientWindowBits: 9, serverWindowBits: 10 },
  );
  assert.deepEqual(
    parseDeflateExtension("permessage-deflate;server_no_context_takeover;server_max_window_bits=99"),
    { clientNoContextTakeover: false, serverNoContextTakeover: true, clientWindowBits: 15, serverWindowBits: 15 },
  );
});

Deno.test("parseDeflateExtension() finds nothing in other extensions or no header", () => {
  assert.equal(parseDeflateExtension(undefined), undefined);
  assert.equal(parseDeflateExtension("x-webkit-deflate-frame; no_context_takeover"), undefined);
  assert.equal(parseDeflateExtension("permessage-deflate-x"), undefined);
});
