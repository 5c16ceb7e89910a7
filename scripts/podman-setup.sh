#!/usr/bin/env bash
# Prepares podman to run Stratus's images and Compose stack on this kind of machine: writes a
# containers.conf drop-in that lowers the default ulimits to what the machine allows (podman's
# own defaults exceed its hard limits and every container fails with "error setting rlimits"),
# picks the runc runtime (crun fails on hybrid cgroups) and the netavark network backend (its
# aardvark-dns resolves service names on Compose networks, as Docker's embedded DNS does).
#
# Usage: scripts/podman-setup.sh [write|check|print]
#   write (default)  write the drop-in (idempotent), then check
#   check            run a throw-away container; exit 1 when podman cannot run one
#   print            print the drop-in without writing it
# Root writes /etc/containers/containers.conf.d/50-stratus.conf; other users write
# ~/.config/containers/containers.conf.d/50-stratus.conf.
#   STRATUS_NOFILE   open-files limit of containers        default: this shell's hard limit, at most 65536
#   STRATUS_NPROC    process limit of containers           default 4096
# Debian packages it needs: podman podman-compose runc netavark aardvark-dns iptables uidmap
# slirp4netns fuse-overlayfs catatonit (and mmdebstrap for scripts/images.sh). Without iptables
# every container on a bridge network fails with "netavark: No such file or directory"; without
# catatonit (a Recommends of podman) no pod starts, so `podman kube play` fails.
# Healthchecks: podman runs HEALTHCHECK and compose healthchecks from systemd timers; without
# systemd (as here) they never run on their own (`podman healthcheck run <name>` runs one).
set -euo pipefail

hard_nofile="$(ulimit -Hn)"
[[ "$hard_nofile" == unlimited ]] && hard_nofile=65536
((hard_nofile > 65536)) && hard_nofile=65536
nofile="${STRATUS_NOFILE:-$hard_nofile}"
nproc="${STRATUS_NPROC:-4096}"
[[ "$nofile" =~ ^[0-9]+$ && "$nproc" =~ ^[0-9]+$ ]] || {
  echo "podman-setup.sh: STRATUS_NOFILE and STRATUS_NPROC must be numbers" >&2
  exit 2
}

if [[ "$(id -u)" == 0 ]]; then
  dir=/etc/containers/containers.conf.d
else
  dir="${XDG_CONFIG_HOME:-$HOME/.config}/containers/containers.conf.d"
fi
file="$dir/50-stratus.conf"

conf() {
  cat <<CONF
# Written by Stratus's scripts/podman-setup.sh.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_backend = "netavark"

[engine]
runtime = "runc"
CONF
}

check() {
  command -v podman >/dev/null || { echo "podman-setup.sh: podman is not installed" >&2; return 1; }
  # Any image will do; the smallest local one is enough to prove a container starts.
  local image
  # Not podman's own pause image: its entrypoint (catatonit -P) waits forever by design.
  image="$(podman images --format '{{.Repository}}:{{.Tag}}' --sort size 2>/dev/null |
    grep -v -e '<none>' -e 'podman-pause' | head -1 || true)"
  if [[ -z "$image" ]]; then
    podman info >/dev/null || return 1
    echo "podman works (no local image yet to start a container with)"
    return 0
  fi
  # The default bridge network, so a missing iptables (netavark) shows here too.
  # Bounded: a container that does not end must not hang CI.
  if timeout 120 podman run --rm "$image" true >/dev/null 2>&1 ||
    timeout 120 podman run --rm --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1; then
    echo "podman runs containers ($(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), network $(podman info --format '{{.Host.NetworkBackend}}'))"
  else
    echo "podman-setup.sh: podman cannot start a container from $image" >&2
    return 1
  fi
}

case "${1:-write}" in
  print) conf ;;
  check) check ;;
  write)
    mkdir -p "$dir"
    if [[ -f "$file" ]] && diff -q <(conf) "$file" >/dev/null; then
      echo "$file is up to date"
    else
      conf >"$file.tmp" && mv "$file.tmp" "$file"
      echo "wrote $file"
      # A network backend change needs a reset of podman's networks; warn rather than reset.
      if [[ "$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || true)" != netavark ]]; then
        echo "podman-setup.sh: podman still uses another network backend; run 'podman system reset' once" >&2
      fi
    fi
    check
    ;;
  *)
    echo "usage: scripts/podman-setup.sh [write|check|print]" >&2
    exit 2
    ;;
esac
