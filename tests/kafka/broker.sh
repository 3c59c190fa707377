#!/usr/bin/env bash
# The test Kafka broker: one real broker+controller in KRaft mode, run with the machine's Java from the jars that
# scripts/kafka_deps.sh put in .tools/kafka/libs/.
#
#   tests/kafka/broker.sh up [--tls] [--sasl]   format storage on first use, start, wait until it answers
#   tests/kafka/broker.sh down                  stop the broker this run dir started (TERM, then KILL); idempotent
#   tests/kafka/broker.sh status                exit 0 and print the listeners when it answers on every listener;
#                                               3 when not running, 1 when running but not (yet) answering
#
# Environment (defaults in brackets):
#   KAFKA_RUN_DIR [.tools/kafka/run]   data (data/), config, pid file, logs (broker.log), TLS files (tls/)
#   KAFKA_PORT [9092]                  PLAINTEXT listener on 127.0.0.1, no authentication
#   KAFKA_CONTROLLER_PORT [PORT+1]     KRaft controller listener (PLAINTEXT, internal)
#   KAFKA_TLS_PORT [PORT+2]            with --tls: SSL listener, server authentication only
#   KAFKA_SASL_PORT [PORT+3]           with --sasl: SASL_PLAINTEXT listener, mechanisms PLAIN, SCRAM-SHA-256,
#                                      SCRAM-SHA-512
#   KAFKA_HEAP_OPTS [-Xmx512m -Xms128m], KAFKA_JVM_OPTS [-XX:+UseSerialGC -XX:TieredStopAtLevel=1]
#   KAFKA_START_TIMEOUT_S [90], KAFKA_STOP_TIMEOUT_S [30] (0: KILL right after TERM, a simulated crash)
#
# SASL credentials (every mechanism): user "capture", password "capture-secret". SCRAM users are written when the
# storage is formatted (always, so a data dir first started without --sasl can later be started with it).
# TLS: <run dir>/tls/ca.pem is the CA to trust (also as PKCS12 truststore tls/truststore.p12, password
# "capture-secret"); the broker certificate is for CN=localhost with SANs DNS:localhost and IP:127.0.0.1.
#
# Data persists across down/up on the same run dir (topics and messages survive a restart).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LIBS=$ROOT/.tools/kafka/libs
RUN_DIR=${KAFKA_RUN_DIR:-$ROOT/.tools/kafka/run}
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}
TLS_PORT=${KAFKA_TLS_PORT:-$((PORT + 2))}
SASL_PORT=${KAFKA_SASL_PORT:-$((PORT + 3))}
HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}
# C1 only: on two busy cores the broker starts in about half the time; throughput benchmarks can set "".
JVM_OPTS=${KAFKA_JVM_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
START_TIMEOUT_S=${KAFKA_START_TIMEOUT_S:-90}
STOP_TIMEOUT_S=${KAFKA_STOP_TIMEOUT_S:-30}
SASL_USER=capture
SASL_PASSWORD=capture-secret
TLS_PASSWORD=capture-secret
PID_FILE=$RUN_DIR/broker.pid
CONFIG=$RUN_DIR/server.properties
LOG=$RUN_DIR/broker.log

log() { printf 'broker.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Prints the broker's PID when the pid file names a live process that is our broker for this run dir; a recycled
# PID belonging to anything else is never signalled.
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# Sets JAVA to the JVM command line shared by the storage tool and the broker.
set_java_cmd() {
  [[ -f $LIBS/.stamp ]] || die "no broker jars in $LIBS: run scripts/kafka_deps.sh"
  local heap jvm
  read -r -a heap <<<"$HEAP_OPTS"
  read -r -a jvm <<<"$JVM_OPTS"
  JAVA=(java "${heap[@]}" "${jvm[@]}" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$HERE/log4j.properties" -cp "$LIBS/*")
}

# Kafka's Uuid: 16 random bytes, URL-safe base64 without padding; Kafka never hands out one starting with '-'.
random_cluster_id() {
  local id
  while id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); [[ $id == -* ]]; do :; done
  echo "$id"
}

make_tls_files() {
  local dir=$RUN_DIR/tls
  [[ -f $dir/broker.p12 && -f $dir/ca.pem && -f $dir/truststore.p12 ]] && return
  log "generating test CA and broker keystore in $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=capture-agent test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/broker.key" -out "$dir/broker.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/broker.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
    -extfile "$dir/san.ext" -out "$dir/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$dir/broker.pem" -inkey "$dir/broker.key" -certfile "$dir/ca.pem" -name broker \
    -out "$dir/broker.p12" -passout "pass:$TLS_PASSWORD"
  keytool -importcert -noprompt -alias ca -file "$dir/ca.pem" -keystore "$dir/truststore.p12" -storetype PKCS12 \
    -storepass "$TLS_PASSWORD" >/dev/null 2>&1
}

# Writes server.properties from the template plus the listeners this start asked for.
write_config() {
  local tls=$1 sasl=$2
  local listeners="PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
  local advertised="PLAINTEXT://127.0.0.1:$PORT"
  if ((tls)); then listeners+=",SSL://127.0.0.1:$TLS_PORT" && advertised+=",SSL://127.0.0.1:$TLS_PORT"; fi
  if ((sasl)); then
    listeners+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT" && advertised+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
  fi
  sed -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$RUN_DIR/data|g" \
    "$HERE/server.properties.in" >"$CONFIG.tmp"
  {
    echo "listeners=$listeners"
    echo "advertised.listeners=$advertised"
    echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT"
    if ((tls)); then
      echo "ssl.keystore.type=PKCS12"
      echo "ssl.keystore.location=$RUN_DIR/tls/broker.p12"
      echo "ssl.keystore.password=$TLS_PASSWORD"
      echo "ssl.key.password=$TLS_PASSWORD"
      echo "ssl.client.auth=none"
    fi
    if ((sasl)); then
      local l=listener.name.sasl_plaintext
      echo "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
      echo "$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required" \
        "user_$SASL_USER=\"$SASL_PASSWORD\";"
      echo "$l.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
      echo "$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
    fi
  } >>"$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
}

format_storage() {
  [[ -f $RUN_DIR/data/meta.properties ]] && return
  local id
  id=$(random_cluster_id)
  log "formatting $RUN_DIR/data (cluster id $id)"
  "${JAVA[@]}" kafka.tools.StorageTool format -t "$id" -c "$CONFIG" \
    --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" >>"$LOG" 2>&1 ||
    die "formatting failed; see $LOG"
}

# A listener answers when a metadata request through it lists the broker. Arguments: port, then kcat -X options.
answers_on() {
  local port=$1
  shift
  # A closed port makes kcat retry for its whole -m timeout; a TCP connect first keeps the start-up poll fine-grained.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  kcat -b "127.0.0.1:$port" "$@" -L -m 2 2>/dev/null | grep -q ' 1 brokers:'
}

answers() {
  answers_on "$PORT" || return 1
  if grep -q '^ssl.keystore.location=' "$CONFIG"; then
    answers_on "$TLS_PORT" -X security.protocol=ssl -X "ssl.ca.location=$RUN_DIR/tls/ca.pem" || return 1
  fi
  if grep -q '^sasl.enabled.mechanisms=' "$CONFIG"; then
    answers_on "$SASL_PORT" -X security.protocol=sasl_plaintext -X sasl.mechanisms=SCRAM-SHA-256 \
      -X "sasl.username=$SASL_USER" -X "sasl.password=$SASL_PASSWORD" || return 1
  fi
}

wait_until_answers() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT_S))
  until answers; do
    if ! running_pid >/dev/null; then
      tail -n 30 "$LOG" >&2
      die "broker (pid $pid) exited during start; see $LOG"
    fi
    ((SECONDS < deadline)) ||
      die "broker (pid $pid) did not answer on every listener within ${START_TIMEOUT_S}s; see $LOG; down stops it"
    sleep 0.25
  done
}

cmd_up() {
  local tls=0 sasl=0 pid
  for arg in "$@"; do
    case $arg in
      --tls) tls=1 ;;
      --sasl) sasl=1 ;;
      *) die "unknown option for up: $arg" ;;
    esac
  done
  command -v java >/dev/null || die "java not found"
  command -v kcat >/dev/null || die "kcat not found"
  mkdir -p "$RUN_DIR"
  if pid=$(running_pid); then
    cp "$CONFIG" "$CONFIG.running"
    write_config "$tls" "$sasl"
    cmp -s "$CONFIG" "$CONFIG.running" || {
      mv "$CONFIG.running" "$CONFIG"
      die "already running (pid $pid) with other listeners; run down first"
    }
    rm -f "$CONFIG.running"
    log "already running (pid $pid)"
    return 0
  fi
  set_java_cmd
  if ((tls)); then make_tls_files; fi
  write_config "$tls" "$sasl"
  format_storage
  rm -f "$PID_FILE"
  local started=$SECONDS
  # setsid: the broker outlives the shell (and a Ctrl-C) that started it; the child writes its own PID before exec,
  # so the pid file names the JVM itself.
  # shellcheck disable=SC2016 # $$ and "$@" belong to the child shell.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "${JAVA[@]}" kafka.Kafka "$CONFIG" </dev/null >>"$LOG" 2>&1 &
  local pid_deadline=$((SECONDS + 10))
  while [[ ! -s $PID_FILE ]]; do
    ((SECONDS < pid_deadline)) || die "the broker process did not start; see $LOG"
    sleep 0.05
  done
  pid=$(<"$PID_FILE")
  wait_until_answers "$pid"
  local summary="PLAINTEXT 127.0.0.1:$PORT"
  if ((tls)); then summary+=", SSL 127.0.0.1:$TLS_PORT"; fi
  if ((sasl)); then summary+=", SASL_PLAINTEXT 127.0.0.1:$SASL_PORT"; fi
  log "up (pid $pid) in $((SECONDS - started))s: $summary; run dir $RUN_DIR"
}

cmd_down() {
  local pid deadline
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT_S))
  while running_pid >/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if running_pid >/dev/null; then
    log "broker (pid $pid) still running after ${STOP_TIMEOUT_S}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while running_pid >/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "down (pid $pid)"
}

cmd_status() {
  local pid
  if ! pid=$(running_pid); then
    echo "not running, run dir $RUN_DIR"
    return 3
  fi
  if ! answers; then
    echo "running (pid $pid) but not answering on every listener, run dir $RUN_DIR"
    return 1
  fi
  echo "running (pid $pid), run dir $RUN_DIR"
  grep '^advertised.listeners=' "$CONFIG"
}

case ${1:-} in
  up) shift && cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: $0 up [--tls] [--sasl] | down | status" ;;
esac
