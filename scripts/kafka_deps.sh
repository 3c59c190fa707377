#!/usr/bin/env bash
# Fetches the test Kafka broker (org.apache.kafka:kafka_2.13:$KAFKA_VERSION) and its runtime dependencies from
# Maven Central into .tools/kafka/libs/, using the machine's mvn and a repo-local Maven repository
# (.tools/kafka/m2) so nothing outside the tree changes. tests/kafka/broker.sh runs the broker from there.
# Idempotent: a stamp records the version and the pom's hash; when both match, nothing runs (not even mvn).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
. scripts/versions.env
ROOT=$PWD
KAFKA_DIR=$ROOT/.tools/kafka
LIBS=$KAFKA_DIR/libs
POM=$ROOT/tests/kafka/pom.xml
STAMP=$LIBS/.stamp

log() { printf 'kafka_deps: %s\n' "$*" >&2; }

want="$KAFKA_VERSION $(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f $STAMP ]] && [[ $(<"$STAMP") == "$want" ]] && [[ -f $LIBS/kafka_2.13-$KAFKA_VERSION.jar ]]; then
  log "kafka $KAFKA_VERSION jars present"
  exit 0
fi

command -v mvn >/dev/null || { log "mvn not found (Debian package: maven)"; exit 1; }
log "fetching kafka $KAFKA_VERSION jars from Maven Central"
# A fresh directory each time: a version change must not leave the old version's jars on the classpath.
rm -rf "$LIBS.tmp"
mkdir -p "$KAFKA_DIR"
# mvn -q still prints terminal colour resets; its output is kept in a log and shown only when it fails.
mvn -B -q -Dstyle.color=never -f "$POM" \
  -Dmaven.repo.local="$KAFKA_DIR/m2" \
  -Dkafka.version="$KAFKA_VERSION" \
  -DincludeScope=runtime \
  -DoutputDirectory="$LIBS.tmp" \
  dependency:copy-dependencies >"$KAFKA_DIR/mvn.log" 2>&1 || { cat "$KAFKA_DIR/mvn.log" >&2; exit 1; }
[[ -f $LIBS.tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || { log "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"; exit 1; }
rm -rf "$LIBS"
mv "$LIBS.tmp" "$LIBS"
printf '%s\n' "$want" >"$STAMP"
log "$(find "$LIBS" -name '*.jar' | wc -l) jars in ${LIBS#"$ROOT"/}"
