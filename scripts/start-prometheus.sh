#!/usr/bin/env bash
# Starts a Prometheus server on loopback, in the background, for the registry's eureka_sd_configs
# (deploy/prometheus/). Installs Debian's `prometheus` package with apt-get when no binary is
# found. Idempotent: when one started by this script already runs on the port, its configuration
# is reloaded (SIGHUP) instead. Safe under `set -e` callers such as .ci/run.
#
# Usage: scripts/start-prometheus.sh [--config=FILE] [--port=9090] [--data-dir=DIR] [--timeout=60]
#   defaults: deploy/prometheus/prometheus.yml, 9090, .infra/prometheus-<port>/data
#   PROMETHEUS_BIN=/path/to/prometheus overrides the binary (no install then);
#   PROMETHEUS_NO_INSTALL=1 forbids apt-get.
# Writes .infra/prometheus-<port>.pid and logs to .infra/prometheus-<port>.log.
# Exit codes: 0 ready, 1 failed to start, 2 bad usage, 3 prometheus unavailable (not installable).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
config="$root/deploy/prometheus/prometheus.yml"
port=9090
data_dir=""
timeout=60
for arg in "$@"; do
  case "$arg" in
    --config=*) config="${arg#*=}" ;;
    --port=*) port="${arg#*=}" ;;
    --data-dir=*) data_dir="${arg#*=}" ;;
    --timeout=*) timeout="${arg#*=}" ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "start-prometheus: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] || { echo "start-prometheus: --port must be a number" >&2; exit 2; }
[[ -f "$config" ]] || { echo "start-prometheus: no config file $config" >&2; exit 2; }
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
infra="$root/.infra"
mkdir -p "$infra"
data_dir="${data_dir:-$infra/prometheus-$port/data}"
mkdir -p "$data_dir"
pid_file="$infra/prometheus-$port.pid"
log_file="$infra/prometheus-$port.log"

find_binary() {
  if [[ -n "${PROMETHEUS_BIN:-}" ]]; then
    if [[ -x "$PROMETHEUS_BIN" ]]; then echo "$PROMETHEUS_BIN"; fi
  elif command -v prometheus >/dev/null 2>&1; then
    command -v prometheus
  elif [[ -x /usr/bin/prometheus ]]; then
    echo /usr/bin/prometheus
  fi
  return 0
}

bin="$(find_binary)"
if [[ -z "$bin" && -z "${PROMETHEUS_NO_INSTALL:-}" && -z "${PROMETHEUS_BIN:-}" ]] && command -v apt-get >/dev/null; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
  fi
  if [[ "$(id -u)" == 0 || -n "$sudo" ]]; then
    echo "start-prometheus: installing Debian's prometheus package" >&2
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d / RUNLEVEL keep the package's own service from starting on 0.0.0.0:9090.
    { $sudo apt-get update -qq && RUNLEVEL=1 $sudo apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold prometheus; } \
      >"$infra/prometheus-install.log" 2>&1 ||
      echo "start-prometheus: apt-get failed (see $infra/prometheus-install.log)" >&2
    bin="$(find_binary)"
  fi
fi
if [[ -z "$bin" ]]; then
  echo "start-prometheus: prometheus binary not found and could not be installed" >&2
  exit 3
fi

ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/-/ready" 2>/dev/null; }

if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  pid="$(cat "$pid_file")"
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--config.file=$config "; then
    kill -HUP "$pid"
    echo "start-prometheus: already running (pid $pid, :$port); configuration reloaded" >&2
  else
    echo "start-prometheus: pid $pid on :$port runs another config; restarting" >&2
    "$root/scripts/stop-prometheus.sh" --port="$port" >/dev/null
  fi
fi

if ! { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }; then
  rm -f "$pid_file"
  if ready; then
    echo "start-prometheus: something else already answers on 127.0.0.1:$port" >&2
    exit 1
  fi
  # setsid: its own session, so the caller's Ctrl-C or process-group kill does not reach it.
  setsid "$bin" \
    --config.file="$config" \
    --web.listen-address="127.0.0.1:$port" \
    --storage.tsdb.path="$data_dir" \
    --storage.tsdb.retention.time=1d \
    --web.enable-lifecycle \
    --log.level=warn \
    >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
fi

pid="$(cat "$pid_file")"
deadline=$(( $(date +%s) + timeout ))
until ready; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-prometheus: exited during start-up; last log lines:" >&2
    tail -n 20 "$log_file" >&2 || true
    rm -f "$pid_file"
    exit 1
  fi
  if (( $(date +%s) >= deadline )); then
    echo "start-prometheus: not ready on :$port within ${timeout}s" >&2
    exit 1
  fi
  sleep 0.2
done
echo "start-prometheus: ready on http://127.0.0.1:$port (pid $pid)"
