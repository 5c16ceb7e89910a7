#!/usr/bin/env bash
# Runs the Kubernetes dev overlay (deploy/k8s/overlays/dev) on this machine with `podman kube
# play`, as test/src/deploy-kube-play.test.ts does: the rendered overlay reduced to what podman
# 4.3 runs (one Pod per Service, named after it; see deploy/README.md), MariaDB, Kafka and Zipkin
# as pods of this project's images, all on the podman network stratus-kube.
#
# Usage: scripts/kube-play.sh up [GATEWAY_PORT]   write the files, play them, wait for the gateway
#                                                  (published on 127.0.0.1, default 8000)
#        scripts/kube-play.sh down                 remove the pods, volumes, secret and network
# Files: .infra/kube-play/{backends.yaml,shop.yaml,stratus-secrets.json,volumes.txt}
# Pods are named after the Services (config-server, gateway, …, mariadb): not while the test runs.
# Needs: podman and catatonit (scripts/podman-setup.sh), the images (scripts/images.sh build), and
# the compiled tests (npx tsc -b test), whose kube-play-support.js renders and reduces the overlay.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dir=.infra/kube-play
network=stratus-kube

log() { echo "kube-play.sh: $*" >&2; }

up() {
  local port="${1:-8000}"
  [[ -f test/dist/kube-play-support.js ]] || { log "compile the tests first: npx tsc -b test"; exit 1; }
  mkdir -p "$dir"
  node --input-type=module -e "
    import { writeFileSync } from 'node:fs';
    import { stringify } from 'yaml';
    import { devOverlayForKubePlay } from './test/dist/kube-play-support.js';
    const { play, infra } = devOverlayForKubePlay('$network', $port);
    const yaml = (docs) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
    writeFileSync('$dir/backends.yaml', yaml(infra));
    writeFileSync('$dir/shop.yaml', yaml(play.docs));
    writeFileSync('$dir/stratus-secrets.json', play.secrets['stratus-secrets'], { mode: 0o600 });
    const volumes = [...infra, ...play.docs].filter((d) => d.kind === 'Pod')
      .flatMap((d) => d.spec.volumes ?? [])
      .map((v) => (v.configMap ? v.configMap.name : v.name));
    writeFileSync('$dir/volumes.txt', [...new Set(volumes)].join('\n') + '\n');
  "
  podman network create "$network" >/dev/null
  podman secret create stratus-secrets "$dir/stratus-secrets.json" >/dev/null
  podman kube play --network "$network" "$dir/backends.yaml" >/dev/null
  log "waiting for MariaDB"
  for _ in $(seq 60); do
    podman exec mariadb-mariadb sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -N -e "SHOW DATABASES"' \
      2>/dev/null | grep -q stratus_orders && break
    sleep 2
  done
  podman kube play --network "$network" "$dir/shop.yaml" >/dev/null
  log "waiting for the gateway on 127.0.0.1:$port"
  for _ in $(seq 150); do
    if curl -fs "http://127.0.0.1:$port/catalog-service/catalogs" >/dev/null 2>&1; then
      log "up: http://127.0.0.1:$port/catalog-service/catalogs"
      return 0
    fi
    sleep 2
  done
  log "the gateway did not answer; see podman logs gateway-gateway"
  exit 1
}

down() {
  local file
  for file in "$dir/shop.yaml" "$dir/backends.yaml"; do
    [[ -f "$file" ]] && podman kube down "$file" >/dev/null 2>&1 || true
  done
  if [[ -f "$dir/volumes.txt" ]]; then
    xargs -r podman volume rm -f <"$dir/volumes.txt" >/dev/null 2>&1 || true
  fi
  podman secret rm stratus-secrets >/dev/null 2>&1 || true
  podman network rm -f "$network" >/dev/null 2>&1 || true
  log "down"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  *)
    echo "usage: scripts/kube-play.sh up [GATEWAY_PORT] | down" >&2
    exit 2
    ;;
esac
