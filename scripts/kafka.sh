#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker + controller in one JVM) on loopback, for
# development (`SPRING_PROFILES_ACTIVE=kafka npm start`) and tests. The broker's jars come from
# Maven Central (org.apache.kafka:kafka_2.13 and kafka-tools) and run on the machine's Java.
#
# Usage: scripts/kafka.sh start|stop|status|fetch   (fetch: only download the jars)
#   KAFKA_PORT             client port (PLAINTEXT listener)       default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port                  default KAFKA_PORT + 1
#   KAFKA_HEAP             JVM heap                               default 512m
#   KAFKA_START_TIMEOUT    seconds to wait for the port           default 90
# Jars are cached in .infra/kafka/libs; each port keeps its own data, pid and log under
# .infra/kafka/<port>/, so a test broker on another port never touches the development one.
# Idempotent: start on a running broker and stop on a stopped one succeed and change nothing.
# Exit codes: 0 ok, 1 failed, 2 bad usage, 3 not running (status).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=4.1.1
log4j_version=2.24.3
port="${KAFKA_PORT:-9092}"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "kafka.sh: KAFKA_PORT must be a number" >&2; exit 2; }
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
[[ "$controller_port" =~ ^[0-9]+$ ]] || { echo "kafka.sh: KAFKA_CONTROLLER_PORT must be a number" >&2; exit 2; }
home="$root/.infra/kafka"
libs="$home/libs"
instance="$home/$port"
pid_file="$instance/kafka.pid"
log_file="$instance/kafka.log"
timeout="${KAFKA_START_TIMEOUT:-90}"

# shellcheck source=lib/background-server.sh
source "$(dirname "$0")/lib/background-server.sh"

running_pid() { pid_matching "kafka.Kafka $instance/server.properties"; }

fetch_libs() {
  [[ -f "$libs/kafka_2.13-$version.jar" && -f "$libs/kafka-tools-$version.jar" &&
    -f "$libs/log4j-slf4j-impl-$log4j_version.jar" ]] && return 0
  command -v mvn >/dev/null || { echo "kafka.sh: mvn is needed to fetch Kafka's jars" >&2; exit 1; }
  mkdir -p "$libs"
  cat >"$home/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>stratus.infra</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$version</version></dependency>
    <!-- Routes the broker's SLF4J logging to log4j2 (WARN, to kafka.log); without it nothing is logged. -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$log4j_version</version></dependency>
  </dependencies>
</project>
EOF
  echo "kafka.sh: fetching Kafka $version jars from Maven Central" >&2
  (cd "$home" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime) >&2
}

write_config() {
  mkdir -p "$instance/data"
  cat >"$instance/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$instance/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
  cat >"$instance/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $log_file
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = file
EOF
}

format_storage() {
  [[ -f "$instance/data/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  java -cp "$libs/*" -Dlog4j2.configurationFile="$instance/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$instance/server.properties" --standalone \
    >"$instance/format.log" 2>&1 || { cat "$instance/format.log" >&2; exit 1; }
}

start() {
  if pid="$(running_pid)"; then echo "kafka running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  if answers "$port"; then echo "kafka.sh: port $port is taken by another process" >&2; exit 1; fi
  command -v java >/dev/null || { echo "kafka.sh: java is needed" >&2; exit 1; }
  fetch_libs
  write_config
  format_storage
  # shellcheck disable=SC2086
  nohup java "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseSerialGC ${KAFKA_JVM_OPTS:-} -cp "$libs/*" \
    -Dlog4j2.configurationFile="$instance/log4j2.properties" \
    kafka.Kafka "$instance/server.properties" >>"$instance/stdout.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  local deadline=$((SECONDS + timeout))
  until answers "$port"; do
    if ! running_pid >/dev/null; then
      echo "kafka.sh: the broker exited; see $log_file and $instance/stdout.log" >&2
      tail -n 20 "$instance/stdout.log" >&2 || true
      exit 1
    fi
    if ((SECONDS > deadline)); then echo "kafka.sh: no answer on $port after ${timeout}s" >&2; stop; exit 1; fi
    sleep 0.5
  done
  echo "kafka started on 127.0.0.1:$port (pid $(cat "$pid_file"))"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$pid_file"; echo "kafka not running on $port"; return 0; fi
  stop_pid "$pid" 0.5
  echo "kafka stopped on $port"
}

status() {
  local pid
  if pid="$(running_pid)" && answers "$port"; then echo "kafka running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  echo "kafka not running on $port"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  fetch) fetch_libs; echo "kafka jars in $libs" ;;
  *) echo "usage: scripts/kafka.sh start|stop|status|fetch" >&2; exit 2 ;;
esac
