#!/usr/bin/env bash
# Builds Stratus's container images from Debian packages, without any image registry:
#   stratus/debian      Debian 13 (trixie) with apt, from mmdebstrap (what debian:trixie-slim is)
#   stratus/node        Debian's Node.js 20.19 on the essential set, from mmdebstrap (the runtime base)
#   stratus/node-build  stratus/debian with Node.js, npm and a C++ toolchain (the build stage base)
#   stratus/stratus     the application image (Containerfile at the repository root)
#   stratus/mariadb, rabbitmq, redis, prometheus   Debian's servers (deploy/docker/<name>/)
#   stratus/jre         Debian's OpenJDK 21 runtime (the base of the JVM servers)
#   stratus/kafka, zipkin   Maven Central's jars (scripts/kafka.sh, scripts/zipkin.sh) on stratus/jre
# Every image is cached by the hash of what it is made of: the tag carries the label
# org.stratus.content-hash, and a saved copy lives in .infra/images/<name>-<hash>.tar, so a
# later run (or CI with a fresh engine store but the same .infra/) loads instead of building.
#
# Usage: scripts/images.sh [build] [NAME...]   build NAMEs (default: all) and what they need
#        scripts/images.sh list                 name, tag, hash and size of every image
#        scripts/images.sh tag NAME             print the full tag of NAME
#        scripts/images.sh prune                delete saved copies of old hashes
#   CONTAINER_ENGINE   podman (default) or docker
#   DEBIAN_MIRROR      Debian mirror for mmdebstrap and apt      default http://deb.debian.org/debian
#   BUILD_CA_FILE      CA bundle mounted into build steps that fetch over TLS (npm), for a
#                      TLS-intercepting proxy; default: NODE_EXTRA_CA_CERTS or the system bundle
# Needs: mmdebstrap (Debian package) and podman (see scripts/podman-setup.sh), or docker.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
engine="${CONTAINER_ENGINE:-podman}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="$root/.infra/images"
label=org.stratus.content-hash

# Pinned: the Debian release, the point release its essential set comes from, and the versions of
# the packages each image adds (the infra Containerfiles pin theirs in their ARGs).
release=trixie
point_release=13.8
node_version=20.19.2+dfsg-1+deb13u3
# mmdebstrap writes file times no later than this (reproducible tarballs).
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01

version="$(node -p 'require("./package.json").version' 2>/dev/null || echo 0.1.0)"
declare -A tags=(
  [debian]=localhost/stratus/debian:13
  [node]=localhost/stratus/node:20
  [node-build]=localhost/stratus/node-build:20
  [stratus]="localhost/stratus/stratus:$version"
  [mariadb]=localhost/stratus/mariadb:11.8
  [rabbitmq]=localhost/stratus/rabbitmq:4.0
  [redis]=localhost/stratus/redis:8.0
  [prometheus]=localhost/stratus/prometheus:2.53
  [jre]=localhost/stratus/jre:21
  [kafka]=localhost/stratus/kafka:4.1.1
  [zipkin]=localhost/stratus/zipkin:3.5.1
)
order=(debian node node-build stratus mariadb rabbitmq redis prometheus jre kafka zipkin)
declare -A needs=(
  [node-build]=debian [stratus]="node node-build" [mariadb]=debian [rabbitmq]=debian
  [redis]=debian [prometheus]=debian [jre]=debian [kafka]=jre [zipkin]=jre
)
declare -A hashes=()

log() { echo "images.sh: $*" >&2; }
die() { log "$*"; exit 1; }
sha() { sha256sum | cut -c1-16; }

# Files under the given paths that git would commit (tracked, or new and not ignored), so
# build outputs and node_modules never change a hash.
hash_files() {
  git ls-files -z --cached --others --exclude-standard -- "$@" |
    sort -z | xargs -0r sha256sum | sha
}

# The content hash of an image: its recipe, its inputs and the hashes of the images it needs.
compute_hash() {
  local name="$1" dep deps=""
  for dep in ${needs[$name]:-}; do deps+="$dep=${hashes[$dep]};"; done
  case "$name" in
    debian | node) printf '%s\n' "$deps" "$(declare -f "rootfs_$name")" "$release" "$point_release" \
      "$node_version" "$SOURCE_DATE_EPOCH" | sha ;;
    stratus) printf '%s\n' "$deps" "$(hash_files Containerfile .dockerignore package.json \
      package-lock.json tsconfig.base.json tsconfig.json packages services config-repo \
      deploy/docker/app test/package.json)" | sha ;;
    kafka) printf '%s\n' "$deps" "$(hash_files "deploy/docker/$name")" \
      "$(cd .infra/kafka/libs && ls | sort | sha)" | sha ;;
    zipkin) printf '%s\n' "$deps" "$(hash_files "deploy/docker/$name")" "$(ls .infra/zipkin/zipkin-server-*-exec.jar | sort | sha)" | sha ;;
    node-build) printf '%s\n' "$deps" "$node_version" "$(hash_files "deploy/docker/$name")" | sha ;;
    *) printf '%s\n' "$deps" "$(hash_files "deploy/docker/$name")" | sha ;;
  esac
}

image_hash() {
  "$engine" image inspect --format "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true
}

common_mmdebstrap=(
  --mode=root --format=tar
  --aptopt='APT::Install-Recommends "false"' --aptopt='APT::Install-Suggests "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*'
  --customize-hook='grep -qx "'"$point_release"'" "$1"/etc/debian_version || { echo "the mirror serves Debian $(cat "$1"/etc/debian_version), not '"$point_release"'; update point_release in scripts/images.sh" >&2; exit 1; }'
)

# Debian with apt: what debian:trixie-slim is, for the build stage and the infra images.
rootfs_debian() {
  mmdebstrap --variant=apt "${common_mmdebstrap[@]}" "$release" "$1" "$mirror"
}

# The runtime base: Debian's essential set and Node.js, no apt, no compiler, nothing else.
rootfs_node() {
  mmdebstrap --variant=essential --include="nodejs=$node_version,ca-certificates" \
    "${common_mmdebstrap[@]}" "$release" "$1" "$mirror"
}

build_rootfs() {
  local name="$1" hash="$2" tar
  command -v mmdebstrap >/dev/null || die "mmdebstrap is needed (apt-get install mmdebstrap)"
  tar="$(mktemp -d "${TMPDIR:-/tmp}/stratus-rootfs.XXXXXX")/rootfs.tar"
  log "building the $name root file system with mmdebstrap ($release)"
  "rootfs_$name" "$tar" >"$cache/$name.log" 2>&1 || { tail -20 "$cache/$name.log" >&2; die "mmdebstrap failed"; }
  local cmd='CMD ["/bin/bash"]'
  [[ "$name" == node ]] && cmd='CMD ["node"]'
  "$engine" import --change "$cmd" --change "LABEL $label=$hash" \
    --change "LABEL org.opencontainers.image.description=Debian $point_release ($release) $name base built by scripts/images.sh" \
    "$tar" "${tags[$name]}" >/dev/null
  rm -rf "$(dirname "$tar")"
}

build_ca() {
  local ca="${BUILD_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}"
  [[ -n "$ca" && -s "$ca" ]] || ca=/etc/ssl/certs/ca-certificates.crt
  [[ -s "$ca" ]] && echo "$ca"
}

build_containerfile() {
  local name="$1" hash="$2" file context args=()
  args+=(--label "$label=$hash" --build-arg "DEBIAN_IMAGE=${tags[debian]}")
  args+=(--build-arg "NODE_VERSION=$node_version" --build-arg "JRE_IMAGE=${tags[jre]}")
  if [[ "$engine" == podman ]]; then
    # Docker's image format keeps HEALTHCHECK (OCI's has no such field).
    args+=(--format docker)
  fi
  case "$name" in
    stratus)
      file=Containerfile context=.
      args+=(--build-arg "NODE_IMAGE=${tags[node]}" --build-arg "BUILD_IMAGE=${tags[node-build]}")
      local ca
      if ca="$(build_ca)" && [[ "$engine" == podman ]]; then
        args+=(--volume "$ca:/run/stratus-build/ca.pem:ro")
      fi
      ;;
    kafka)
      bash scripts/kafka.sh fetch >/dev/null
      context="$(stage "$name")"
      cp -l .infra/kafka/libs/*.jar "$context/libs/" 2>/dev/null || cp .infra/kafka/libs/*.jar "$context/libs/"
      file="$context/Containerfile"
      ;;
    zipkin)
      context="$(stage "$name")"
      cp .infra/zipkin/zipkin-server-*-exec.jar "$context/libs/zipkin.jar"
      file="$context/Containerfile"
      ;;
    *) file="deploy/docker/$name/Containerfile" context="deploy/docker/$name" ;;
  esac
  log "building ${tags[$name]}"
  "$engine" build "${args[@]}" -t "${tags[$name]}" -f "$file" "$context" >"$cache/$name.log" 2>&1 ||
    { tail -30 "$cache/$name.log" >&2; die "building $name failed; the whole log is in $cache/$name.log"; }
}

# A build context of deploy/docker/<name> plus a libs/ folder for jars fetched from Maven Central.
stage() {
  local dir="$cache/context/$1"
  rm -rf "$dir" && mkdir -p "$dir/libs" && cp -r "deploy/docker/$1/." "$dir/"
  echo "$dir"
}

# scripts/zipkin.sh has no fetch command: a start on a spare port fetches the jar.
fetch_zipkin() {
  compgen -G '.infra/zipkin/zipkin-server-*-exec.jar' >/dev/null && return 0
  ZIPKIN_PORT=19411 bash scripts/zipkin.sh start >/dev/null && ZIPKIN_PORT=19411 bash scripts/zipkin.sh stop >/dev/null
}

ensure() {
  local name="$1" dep
  [[ -n "${hashes[$name]:-}" ]] && return 0
  for dep in ${needs[$name]:-}; do ensure "$dep"; done
  if [[ "$name" == kafka ]]; then bash scripts/kafka.sh fetch >/dev/null; fi
  if [[ "$name" == zipkin ]]; then fetch_zipkin; fi
  local hash saved started=$SECONDS
  hash="$(compute_hash "$name")"
  hashes[$name]="$hash"
  saved="$cache/$name-$hash.tar"
  if [[ "$(image_hash "${tags[$name]}")" == "$hash" ]]; then
    log "${tags[$name]} is up to date ($hash)"
    return 0
  fi
  if [[ -s "$saved" ]]; then
    log "loading ${tags[$name]} from $saved"
    "$engine" load -i "$saved" >/dev/null
    [[ "$(image_hash "${tags[$name]}")" == "$hash" ]] && return 0
    log "the saved copy does not carry hash $hash; building"
  fi
  case "$name" in
    debian | node) build_rootfs "$name" "$hash" ;;
    *) build_containerfile "$name" "$hash" ;;
  esac
  [[ "$(image_hash "${tags[$name]}")" == "$hash" ]] || die "${tags[$name]} was built without its hash label"
  rm -f "$cache/$name"-*.tar
  "$engine" save -o "$saved.part" "${tags[$name]}" >/dev/null && mv "$saved.part" "$saved"
  log "built ${tags[$name]} ($hash) in $((SECONDS - started))s"
}

list() {
  local name
  printf '%-11s %-38s %-17s %s\n' NAME TAG HASH SIZE
  for name in "${order[@]}"; do
    printf '%-11s %-38s %-17s %s\n' "$name" "${tags[$name]}" "$(image_hash "${tags[$name]}")" \
      "$("$engine" image inspect --format '{{.Size}}' "${tags[$name]}" 2>/dev/null | awk '{ if ($1) printf "%.0f MB", $1/1e6 }')"
  done
}

command -v "$engine" >/dev/null || die "$engine is not installed"
mkdir -p "$cache"
case "${1:-build}" in
  list) list ;;
  tag)
    [[ -n "${2:-}" && -n "${tags[${2}]:-}" ]] || die "tag: expected one of ${order[*]}"
    echo "${tags[$2]}"
    ;;
  prune)
    for name in "${order[@]}"; do
      current="$(image_hash "${tags[$name]}")"
      for f in "$cache/$name"-*.tar; do
        [[ -e "$f" && "$f" != "$cache/$name-$current.tar" ]] && rm -f "$f" && log "deleted $f"
      done
    done
    ;;
  build | *)
    [[ "${1:-build}" == build ]] && shift $(($# > 0 ? 1 : 0))
    names=("$@")
    ((${#names[@]} > 0)) || names=("${order[@]}")
    for name in "${names[@]}"; do
      [[ -n "${tags[$name]:-}" ]] || die "unknown image '$name'; expected one of ${order[*]}"
    done
    for name in "${names[@]}"; do ensure "$name"; done
    ;;
esac
