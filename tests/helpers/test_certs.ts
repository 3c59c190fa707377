/**
 * Throw-away PKI for TLS tests, made with openssl: a CA, a server certificate for 127.0.0.1/localhost, a
 * client certificate from the same CA, and a client certificate from an unrelated CA.
 * @module
 */

/** PEM contents of everything a TLS test needs. */
export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherClientCert: string;
  otherClientKey: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const output = await new Deno.Command("openssl", { args, cwd: dir, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
  ]); // deno-fmt-ignore
}

async function makeLeaf(dir: string, ca: string, name: string, extension: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}.ext`, extension);
  await openssl(dir, [
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
  ]); // deno-fmt-ignore
  await openssl(dir, [
    "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial",
    "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`,
  ]); // deno-fmt-ignore
}

/** Creates the PKI in a temporary directory (removed before returning). */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-pki-" });
  try {
    await makeCa(dir, "test-ca");
    await makeCa(dir, "other-ca");
    await makeLeaf(
      dir,
      "test-ca",
      "server",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    await makeLeaf(dir, "test-ca", "client", "extendedKeyUsage=clientAuth\n");
    await makeLeaf(dir, "other-ca", "intruder", "extendedKeyUsage=clientAuth\n");
    const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
    return {
      caCert: await read("test-ca.crt"),
      serverCert: await read("server.crt"),
      serverKey: await read("server.key"),
      clientCert: await read("client.crt"),
      clientKey: await read("client.key"),
      otherClientCert: await read("intruder.crt"),
      otherClientKey: await read("intruder.key"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
