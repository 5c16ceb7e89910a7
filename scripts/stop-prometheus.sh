#!/usr/bin/env bash
# Stops Prometheus servers started by scripts/start-prometheus.sh (by their .infra pid files).
# Idempotent: nothing running is not an error.
# Usage: scripts/stop-prometheus.sh [--port=9090 | --all] [--purge]   (--purge also deletes the data dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
infra="$root/.infra"
ports=()
purge=""
for arg in "$@"; do
  case "$arg" in
    --port=*) ports+=("${arg#*=}") ;;
    --all) for f in "$infra"/prometheus-*.pid; do [[ -e "$f" ]] || continue
             p="${f##*/prometheus-}"; ports+=("${p%.pid}"); done ;;
    --purge) purge=1 ;;
    *) echo "stop-prometheus: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[[ ${#ports[@]} -gt 0 ]] || ports=(9090)
for port in "${ports[@]}"; do
  pid_file="$infra/prometheus-$port.pid"
  if [[ ! -f "$pid_file" ]]; then
    [[ -n "$purge" ]] && rm -rf "$infra/prometheus-$port" "$infra/prometheus-$port.log"
    continue
  fi
  pid="$(cat "$pid_file")"
  # Only a prometheus process: a stale pid file may name a recycled pid.
  if kill -0 "$pid" 2>/dev/null && grep -q prometheus "/proc/$pid/comm" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "stop-prometheus: stopped pid $pid (:$port)"
  fi
  rm -f "$pid_file"
  if [[ -n "$purge" ]]; then rm -rf "$infra/prometheus-$port" "$infra/prometheus-$port.log"; fi
done
exit 0
