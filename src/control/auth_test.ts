import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import type { UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { bearerInterceptor, readTokenFile } from "./auth.ts";

function call(token: string, authorization?: string): Promise<string> {
  const header = new Headers(authorization === undefined ? {} : { authorization });
  const next = () => Promise.resolve({ message: "ok" } as unknown as UnaryResponse);
  return Promise.resolve()
    .then(() => bearerInterceptor(token)(next)({ header } as unknown as UnaryRequest))
    .then((response) => String((response as unknown as { message: string }).message));
}

Deno.test("bearerInterceptor() passes the right token and refuses others as unauthenticated", async () => {
  assert.equal(await call("abc", "Bearer abc"), "ok");
  for (const header of [undefined, "Bearer abd", "Bearer abcd", "Basic abc"]) {
    await assert.rejects(call("abc", header), (error) => ConnectError.from(error).code === Code.Unauthenticated);
  }
  assert.throws(() => bearerInterceptor(""), RangeError);
});

Deno.test("readTokenFile() takes the first line and refuses an empty file", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "  s3cret \nignored\n");
    assert.equal(await readTokenFile(file), "s3cret");
    await Deno.writeTextFile(file, "\n");
    await assert.rejects(readTokenFile(file), /is empty/);
  } finally {
    await Deno.remove(file);
  }
});
