/**
 * Deployment artefacts (deploy/) checked with the real tools scripts/deploy_tools.sh installs: helm lint and
 * template, kubeconform -strict against the Kubernetes JSON schemas, systemd-analyze verify, systemd-sysusers and
 * systemd-tmpfiles, hadolint, the agent's own config validator, and `make install` into a DESTDIR.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { type CommandResult as Result, runCommand } from "./helpers/command.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BIN = `${ROOT}.tools/bin`;
const SCHEMAS = `${ROOT}.tools/deploy/schemas`;
const CHART = `${ROOT}deploy/helm/capture-agent`;
const CI_VALUES = `${CHART}/ci/deployment-ebpf-values.yaml`;

type K8sObject = {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

/** Runs `cmd` in the repo root with the deploy tools first on PATH. */
function run(cmd: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const env = { PATH: `${BIN}:${Deno.env.get("PATH")}`, ...options.env };
  return runCommand(cmd, args, { cwd: ROOT, env, stdin: options.stdin });
}

function assertOk(result: Result, what: string) {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Kubernetes versions pinned in deploy/tools.env (the oldest the chart supports and the newest). */
async function kubeVersions(): Promise<string[]> {
  const env = await Deno.readTextFile(`${ROOT}deploy/tools.env`);
  const match = env.match(/^KUBE_VERSIONS="([^"]+)"/m);
  assert.ok(match, "KUBE_VERSIONS missing from deploy/tools.env");
  return match[1].split(/\s+/);
}

/** kubeconform -strict on files (or "-" with stdin); returns the per-resource statuses. */
async function kubeconform(version: string, inputs: string[], stdin?: string) {
  const result = await run(`${BIN}/kubeconform`, [
    "-strict",
    "-output=json",
    "-verbose",
    `-kubernetes-version=${version}`,
    `-schema-location=${SCHEMAS}/kube/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/` +
    "{{ .ResourceKind }}{{ .KindSuffix }}.json",
    `-schema-location=${SCHEMAS}/crd/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json`,
    ...inputs,
  ], { stdin });
  const report = JSON.parse(result.stdout) as {
    resources: { kind: string; name: string; status: string; msg: string }[];
  };
  return { code: result.code, resources: report.resources };
}

async function assertKubeconformValid(version: string, inputs: string[], stdin?: string): Promise<string[]> {
  const { code, resources } = await kubeconform(version, inputs, stdin);
  const bad = resources.filter((r) => r.status !== "statusValid");
  assert.deepEqual(bad, [], `kubeconform ${version}: ${JSON.stringify(bad, null, 1)}`);
  assert.equal(code, 0);
  return resources.map((r) => r.kind);
}

async function helmTemplate(version: string, extraArgs: string[] = []): Promise<string> {
  const result = await run(`${BIN}/helm`, [
    "template",
    "ca",
    CHART,
    "--namespace=capture-agent",
    `--kube-version=${version}`,
    ...extraArgs,
  ]);
  assertOk(result, "helm template");
  return result.stdout;
}

function objects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText).map((doc) => doc.toJS() as K8sObject).filter((o) => o !== null);
}

// deno-lint-ignore no-explicit-any
type Pod = any;
function podSpec(objs: K8sObject[], kind: string): Pod {
  const workload = objs.find((o) => o.kind === kind);
  assert.ok(workload, `no ${kind} rendered`);
  return (workload.spec as Pod).template.spec;
}

Deno.test("helm lint --strict passes with default and non-default values", async () => {
  assertOk(await run(`${BIN}/helm`, ["lint", "--strict", CHART]), "helm lint");
  assertOk(await run(`${BIN}/helm`, ["lint", "--strict", CHART, "-f", CI_VALUES]), "helm lint (ci values)");
});

Deno.test("helm template renders a DaemonSet by default that kubeconform -strict accepts", async () => {
  for (const version of await kubeVersions()) {
    const rendered = await helmTemplate(version);
    const kinds = await assertKubeconformValid(version, ["-"], rendered);
    assert.deepEqual(kinds.sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "DaemonSet",
      "Service",
      "ServiceAccount",
    ]);
    const pod = podSpec(objects(rendered), "DaemonSet");
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.hostPID, false);
    assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const agent = pod.containers[0];
    assert.equal(agent.securityContext.privileged, false);
    assert.deepEqual(agent.securityContext.capabilities, { drop: ["ALL"], add: ["NET_RAW", "NET_ADMIN"] });
    assert.equal(agent.ports[0].containerPort, 9091);
    assert.equal(agent.livenessProbe.httpGet.path, "/healthz");
    assert.equal(agent.readinessProbe.httpGet.path, "/readyz");
  }
});

Deno.test("helm template with non-default values renders a Deployment with eBPF capabilities and a ServiceMonitor", async () => {
  for (const version of await kubeVersions()) {
    const rendered = await helmTemplate(version, ["-f", CI_VALUES]);
    const kinds = await assertKubeconformValid(version, ["-"], rendered);
    assert.ok(kinds.includes("Deployment") && kinds.includes("ServiceMonitor") && !kinds.includes("DaemonSet"));
    const objs = objects(rendered);
    const pod = podSpec(objs, "Deployment");
    assert.equal(pod.hostPID, true);
    assert.equal(pod.securityContext.runAsUser, 0);
    assert.equal(pod.initContainers, undefined);
    const agent = pod.containers[0];
    assert.equal(agent.image, "registry.example.com/net/capture-agent:0.2.0");
    assert.deepEqual(agent.securityContext.capabilities.add, [
      "NET_RAW",
      "NET_ADMIN",
      "BPF",
      "PERFMON",
      "SYS_RESOURCE",
    ]);
    assert.equal(agent.ports[0].containerPort, 9191);
    const service = objs.find((o) => o.kind === "Service") as Pod;
    assert.equal(service.spec.ports[0].port, 9191);
    assert.equal(pod.volumes.find((v: Pod) => v.name === "data").hostPath.path, "/data/capture-agent");
  }
});

Deno.test("helm refuses values outside the chart's values.schema.json", async () => {
  const result = await run(`${BIN}/helm`, [
    "template",
    "ca",
    CHART,
    "--kube-version=1.37.0",
    "--set",
    "mode=replicaset",
  ]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /mode/);
  const typo = await run(`${BIN}/helm`, [
    "template",
    "ca",
    CHART,
    "--kube-version=1.37.0",
    "--set",
    "hostNetwrok=true",
  ]);
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /hostNetwrok/);
});

Deno.test("kubeconform -strict accepts every manifest under deploy/k8s/", async () => {
  for (const version of await kubeVersions()) {
    const kinds = await assertKubeconformValid(version, [`${ROOT}deploy/k8s`]);
    assert.deepEqual(kinds.sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "DaemonSet",
      "Deployment",
      "Namespace",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
    ]);
  }
});

Deno.test("kubeconform -strict rejects unknown fields in core and ServiceMonitor objects", async () => {
  const daemonset = await Deno.readTextFile(`${ROOT}deploy/k8s/daemonset.yaml`);
  const broken = daemonset.replace(
    "          imagePullPolicy: IfNotPresent\n          args:",
    "          imagePulPolicy: IfNotPresent\n          args:",
  );
  assert.notEqual(broken, daemonset);
  const monitor = await Deno.readTextFile(`${ROOT}deploy/k8s/monitoring/servicemonitor.yaml`);
  const brokenMonitor = monitor.replace("      interval: 30s", "      intervall: 30s");
  assert.notEqual(brokenMonitor, monitor);
  for (const text of [broken, brokenMonitor]) {
    const { code, resources } = await kubeconform("1.37.0", ["-"], text);
    assert.notEqual(code, 0);
    assert.equal(resources.length, 1);
    assert.equal(resources[0].status, "statusInvalid");
    assert.match(resources[0].msg, /imagePulPolicy|intervall/);
  }
});

/** Runs the agent's own validator (`capture-agent validate -c FILE`) on a config text. */
async function validateConfig(dir: string, name: string, text: string, env: Record<string, string> = {}) {
  const path = `${dir}/${name}.yml`;
  await Deno.writeTextFile(path, text);
  const result = await run(Deno.execPath(), ["run", "-A", "src/main.ts", "validate", "-c", path], { env });
  assertOk(result, `capture-agent validate ${name}`);
  assert.match(result.stdout, /valid/);
}

Deno.test("every config shipped in deploy/ passes capture-agent validate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deploy_config_" });
  try {
    await validateConfig(dir, "host", await Deno.readTextFile(`${ROOT}deploy/config/config.yml`));
    const configMap = objects(await Deno.readTextFile(`${ROOT}deploy/k8s/configmap.yaml`))[0];
    const podEnv = { CAPTURE_AGENT_GLOBAL_HOSTNAME: "node-1" };
    await validateConfig(dir, "k8s", configMap.data!["config.yml"], podEnv);
    const chartDefault = objects(await helmTemplate("1.37.0")).find((o) => o.kind === "ConfigMap")!;
    await validateConfig(dir, "chart", chartDefault.data!["config.yml"], podEnv);
    const chartCi = objects(await helmTemplate("1.37.0", ["-f", CI_VALUES])).find((o) => o.kind === "ConfigMap")!;
    await validateConfig(dir, "chart-ci", chartCi.data!["config.yml"], {
      ...podEnv,
      CAPTURE_AGENT_CAPTURE_SNAPLEN: "64KiB",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function makeInstall(destdir: string, extra: string[] = []): Promise<Result> {
  const result = await run("make", ["-s", "install", `DESTDIR=${destdir}`, ...extra]);
  assertOk(result, "make install");
  return result;
}

Deno.test("make install DESTDIR= installs the binary, unit, tmpfiles, sysusers and config", async () => {
  const dest = await Deno.makeTempDir({ prefix: "deploy_install_" });
  try {
    await makeInstall(dest);
    const version = await run(`${dest}/usr/local/bin/capture-agent`, ["version"]);
    assertOk(version, "installed capture-agent version");
    assert.match(version.stdout, /^capture-agent /);
    const unit = await Deno.readTextFile(`${dest}/usr/local/lib/systemd/system/capture-agent.service`);
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/capture-agent daemon -c \/etc\/capture-agent\/config.yml$/m);
    assert.equal(
      await Deno.readTextFile(`${dest}/etc/capture-agent/config.yml`),
      await Deno.readTextFile(`${ROOT}deploy/config/config.yml`),
    );
    // The installed sysusers.d and tmpfiles.d entries, applied by systemd's own tools inside the staging root.
    const sysusers = await run("systemd-sysusers", [
      `--root=${dest}`,
      `${dest}/usr/local/lib/sysusers.d/capture-agent.conf`,
    ]);
    assertOk(sysusers, "systemd-sysusers");
    const passwd = await Deno.readTextFile(`${dest}/etc/passwd`);
    const uid = Number(passwd.match(/^capture-agent:x:(\d+):/m)?.[1]);
    assert.ok(uid > 0, passwd);
    const tmpfiles = await run("systemd-tmpfiles", [
      `--root=${dest}`,
      "--create",
      `${dest}/usr/local/lib/tmpfiles.d/capture-agent.conf`,
    ]);
    assertOk(tmpfiles, "systemd-tmpfiles --create");
    for (const dir of ["var/lib/capture-agent", "var/log/capture-agent"]) {
      const info = await Deno.stat(`${dest}/${dir}`);
      assert.equal(info.uid, uid, dir);
      assert.equal(info.mode! & 0o777, 0o750, dir);
    }
    const opt = `${dest}/opt`;
    await makeInstall(opt, ["PREFIX=/opt/capture-agent", "SYSCONFDIR=/etc/opt"]);
    const optUnit = await Deno.readTextFile(`${opt}/opt/capture-agent/lib/systemd/system/capture-agent.service`);
    assert.match(
      optUnit,
      /^ExecStart=\/opt\/capture-agent\/bin\/capture-agent daemon -c \/etc\/opt\/capture-agent\/config.yml$/m,
    );
    await Deno.stat(`${opt}/etc/opt/capture-agent/config.yml`);
  } finally {
    await Deno.remove(dest, { recursive: true });
  }
});

// systemd-analyze verify also checks that ExecStart is executable. The installed unit names
// /usr/local/bin/capture-agent, which exists only inside DESTDIR, so the verified copy points ExecStart at the
// DESTDIR path of the same installed binary; every other line is the installed unit's.
Deno.test("systemd-analyze verify accepts the installed unit and reports a broken one", async () => {
  const dest = await Deno.makeTempDir({ prefix: "deploy_unit_" });
  try {
    await makeInstall(dest);
    const installed = await Deno.readTextFile(`${dest}/usr/local/lib/systemd/system/capture-agent.service`);
    const unit = installed.replace("ExecStart=/usr/local/bin/", `ExecStart=${dest}/usr/local/bin/`);
    assert.notEqual(unit, installed);
    await Deno.mkdir(`${dest}/verify`);
    await Deno.writeTextFile(`${dest}/verify/capture-agent.service`, unit);
    const good = await run("systemd-analyze", ["verify", `${dest}/verify/capture-agent.service`]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout + good.stderr, "");
    await Deno.writeTextFile(
      `${dest}/verify/capture-agent.service`,
      unit.replace("ProtectHome=yes", "ProtectHome=yess"),
    );
    const bad = await run("systemd-analyze", ["verify", `${dest}/verify/capture-agent.service`]);
    assert.match(bad.stderr, /ProtectHome|yess/);
  } finally {
    await Deno.remove(dest, { recursive: true });
  }
});

Deno.test("a second make install keeps an edited config and upgrades an unedited one", async () => {
  const dest = await Deno.makeTempDir({ prefix: "deploy_reinstall_" });
  const config = `${dest}/etc/capture-agent/config.yml`;
  const pristine = `${dest}/usr/local/share/capture-agent/config.yml`;
  try {
    await makeInstall(dest);
    const shipped = await Deno.readTextFile(config);
    const edited = shipped.replace("log_level: info", "log_level: debug");
    assert.notEqual(edited, shipped);
    await Deno.writeTextFile(config, edited);
    const second = await makeInstall(dest);
    assert.equal(await Deno.readTextFile(config), edited);
    assert.equal(await Deno.readTextFile(`${config}.new`), shipped);
    assert.match(second.stderr, /kept edited/);

    // An operator who never edited the file gets the new default: config and the recorded default are both "old".
    await Deno.remove(`${config}.new`);
    await Deno.writeTextFile(config, "# an older default\n");
    await Deno.writeTextFile(pristine, "# an older default\n");
    const third = await makeInstall(dest);
    assert.equal(await Deno.readTextFile(config), shipped);
    assert.match(third.stderr, /upgraded unedited/);
    await assert.rejects(Deno.stat(`${config}.new`));
  } finally {
    await Deno.remove(dest, { recursive: true });
  }
});

Deno.test("hadolint accepts the Dockerfile, whose build inputs are what make build produces", async () => {
  const result = await run(`${BIN}/hadolint`, ["--no-color", "deploy/docker/Dockerfile"]);
  assertOk(result, "hadolint");
  const dockerfile = await Deno.readTextFile(`${ROOT}deploy/docker/Dockerfile`);
  const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(" "));
  assert.ok(sources.length >= 4, sources.join(" "));
  const ignore = await Deno.readTextFile(`${ROOT}deploy/docker/Dockerfile.dockerignore`);
  for (const source of sources) {
    await Deno.stat(`${ROOT}${source}`); // Throws when make build does not produce it.
    assert.ok(ignore.includes(`!${source}`), `${source} is excluded by Dockerfile.dockerignore`);
  }
});

const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or"]);

/** Metric names a PromQL expression selects (identifiers that are not functions, keywords or label lists). */
function metricNames(expr: string): string[] {
  const labelValues = expr.match(/^label_values\(\s*([a-zA-Z_:][\w:]*)/);
  if (labelValues) return [labelValues[1]];
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\$\w+/g, "");
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length).trimStart();
    if (rest.startsWith("(") || PROMQL_KEYWORDS.has(match[0])) continue;
    names.push(match[0]);
  }
  return names;
}

Deno.test("metricNames() finds metrics inside functions, aggregations and label matchers", () => {
  assert.deepEqual(metricNames('sum by (task) (rate(foo_total{a="b(c)"}[5m])) / bar'), ["foo_total", "bar"]);
  assert.deepEqual(metricNames("label_values(capture_agent_build_info, instance)"), ["capture_agent_build_info"]);
});

Deno.test("the Grafana dashboard is valid JSON whose queries name only capture_agent_ metrics", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(`${ROOT}deploy/grafana/capture-agent.json`));
  const exprs: string[] = [];
  // deno-lint-ignore no-explicit-any
  const walk = (panels: any[]) => {
    for (const panel of panels) {
      if (panel.panels) walk(panel.panels);
      if (panel.type === "row") continue;
      assert.ok(panel.targets?.length > 0, `panel "${panel.title}" has no query`);
      for (const target of panel.targets) exprs.push(target.expr);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) if (variable.type === "query") exprs.push(variable.query.query);
  const metrics = new Set<string>();
  for (const expr of exprs) {
    const names = metricNames(expr);
    assert.ok(names.length > 0, `no metric in ${expr}`);
    for (const name of names) {
      assert.match(name, /^capture_agent_/, `${name} in ${expr}`);
      metrics.add(name);
    }
  }
  // The panels: capture rate, kernel drops, records by type, output health, spool.
  for (
    const name of [
      "capture_agent_capture_packets_total",
      "capture_agent_capture_kernel_drops_total",
      "capture_agent_pipeline_records_total",
      "capture_agent_output_failed_total",
      "capture_agent_output_spooled_total",
    ]
  ) assert.ok(metrics.has(name), name);
});
