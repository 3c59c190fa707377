import assert from "node:assert/strict";
import { Status } from "./abi.ts";
import { codeFromStatus, withSetcapHint } from "./capture_error.ts";

Deno.test("codeFromStatus() names library statuses and calls unknown ones unexpected", () => {
  assert.equal(codeFromStatus(Status.permission_denied), "permission_denied");
  assert.equal(codeFromStatus(-9999), "unexpected");
});

Deno.test("withSetcapHint() adds the setcap command for the capabilities a permission error names", () => {
  assert.equal(
    withSetcapHint("permission_denied", "EPERM opening AF_PACKET socket on eth0: needs CAP_NET_RAW", "/opt/ca/deno"),
    "EPERM opening AF_PACKET socket on eth0: needs CAP_NET_RAW; run as root or grant it: " +
      "setcap cap_net_raw,cap_net_admin+eip /opt/ca/deno",
  );
  assert.match(
    withSetcapHint("permission_denied", "EPERM loading eBPF counter on eth0: needs CAP_BPF and CAP_NET_ADMIN", "/x"),
    /setcap cap_net_raw,cap_net_admin,cap_bpf\+eip \/x$/,
  );
  assert.match(withSetcapHint("permission_denied", "EACCES opening ring"), new RegExp(`\\+eip ${Deno.execPath()}$`));
});

Deno.test("withSetcapHint() leaves other errors unchanged", () => {
  const message = "ENODEV binding AF_PACKET socket on eth9: no such interface";
  assert.equal(withSetcapHint("no_such_device", message, "/x"), message);
});
