#!/usr/bin/env bash
# An OpenZipkin server (in-memory storage) on loopback, for development (set
# `management.zipkin.tracing.endpoint: http://localhost:9411/api/v2/spans`) and tests. The server
# is Zipkin's executable jar from Maven Central (io.zipkin:zipkin-server:exec), run on the
# machine's Java: the same server as `docker run -p 9411:9411 openzipkin/zipkin`.
#
# Usage: scripts/zipkin.sh start|stop|status
#   ZIPKIN_PORT            HTTP port (UI, /api/v2, /health)    default 9411
#   ZIPKIN_HEAP            JVM heap                            default 256m
#   ZIPKIN_START_TIMEOUT   seconds to wait for /health UP      default 90
# The jar is cached in .infra/zipkin/; each port keeps its pid and log in .infra/zipkin/<port>/,
# so a test server on another port never touches the development one.
# Idempotent: start on a running server and stop on a stopped one succeed and change nothing.
# Exit codes: 0 ok, 1 failed, 2 bad usage, 3 not running (status).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=3.5.1
port="${ZIPKIN_PORT:-9411}"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "zipkin.sh: ZIPKIN_PORT must be a number" >&2; exit 2; }
heap="${ZIPKIN_HEAP:-256m}"
[[ "$heap" =~ ^[0-9]+[kmgKMG]?$ ]] || { echo "zipkin.sh: ZIPKIN_HEAP must look like 256m" >&2; exit 2; }
timeout="${ZIPKIN_START_TIMEOUT:-90}"
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "zipkin.sh: ZIPKIN_START_TIMEOUT must be a number" >&2; exit 2; }
home="$root/.infra/zipkin"
jar="$home/zipkin-server-$version-exec.jar"
instance="$home/$port"
pid_file="$instance/zipkin.pid"
log_file="$instance/zipkin.log"

healthy() {
  curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status" *: *"UP"'
}

# shellcheck source=lib/background-server.sh
source "$(dirname "$0")/lib/background-server.sh"

running_pid() { pid_matching "zipkin-server-$version-exec.jar --server.port=$port "; }

fetch_jar() {
  [[ -s "$jar" ]] && return 0
  mkdir -p "$home"
  local cached="$HOME/.m2/repository/io/zipkin/zipkin-server/$version/zipkin-server-$version-exec.jar"
  if [[ ! -s "$cached" ]]; then
    command -v mvn >/dev/null || { echo "zipkin.sh: mvn is needed to fetch Zipkin's jar" >&2; exit 1; }
    echo "zipkin.sh: fetching io.zipkin:zipkin-server:$version:exec from Maven Central" >&2
    mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.6.1:get \
      -Dartifact="io.zipkin:zipkin-server:$version:jar:exec" -Dtransitive=false >&2
  fi
  cp "$cached" "$jar.part" && mv "$jar.part" "$jar"
}

start() {
  local pid
  if pid="$(running_pid)"; then
    if healthy; then echo "zipkin running on http://127.0.0.1:$port (pid $pid)"; return 0; fi
  elif answers "$port"; then
    echo "zipkin.sh: port $port is taken by another process" >&2
    exit 1
  else
    command -v java >/dev/null || { echo "zipkin.sh: java is needed" >&2; exit 1; }
    fetch_jar
    mkdir -p "$instance"
    rm -f "$pid_file"
    # setsid: its own session, so the caller's Ctrl-C or process-group kill does not reach it.
    # The trailing flag keeps `--server.port=<port> ` matchable in /proc/<pid>/cmdline.
    setsid java "-Xmx$heap" -XX:+UseSerialGC -jar "$jar" --server.port="$port" \
      --server.address=127.0.0.1 --logging.level.root=WARN \
      >"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
  fi
  local deadline=$((SECONDS + timeout))
  until healthy; do
    if ! running_pid >/dev/null; then
      echo "zipkin.sh: the server exited during start-up; last log lines:" >&2
      tail -n 20 "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "zipkin.sh: /health not UP on $port after ${timeout}s" >&2
      stop >/dev/null
      exit 1
    fi
    sleep 0.5
  done
  echo "zipkin started on http://127.0.0.1:$port (pid $(cat "$pid_file"))"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$pid_file"; echo "zipkin not running on $port"; return 0; fi
  stop_pid "$pid" 0.25
  echo "zipkin stopped on $port"
}

status() {
  local pid
  if pid="$(running_pid)" && healthy; then
    echo "zipkin running on http://127.0.0.1:$port (pid $pid)"
    return 0
  fi
  echo "zipkin not running on $port"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/zipkin.sh start|stop|status" >&2; exit 2 ;;
esac
