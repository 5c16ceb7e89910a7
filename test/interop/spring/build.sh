#!/usr/bin/env bash
# Builds a Spring Boot fixture under test/interop/spring/<name>/ into .infra/spring/<name>.jar with
# the machine's Maven (dependencies from Maven Central), and prints the jar's path. The build
# runs in a copy under .infra/spring/build/<name>/ so no target/ folder lands in the tree, and is
# skipped when the fixture's sources have not changed since the cached jar was built.
#
# Usage: test/interop/spring/build.sh <name>      e.g. kafka
# Exit codes: 0 built or cached, 1 build failed, 2 bad usage, 3 java or mvn missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
name="${1:-}"
[[ "$name" =~ ^[a-z0-9-]+$ && -f "$here/$name/pom.xml" ]] || {
  echo "usage: $0 <fixture>   (one of: $(cd "$here" && ls -d */ | tr -d / | tr '\n' ' '))" >&2
  exit 2
}
exec bash "$root/scripts/maven-jar.sh" "$here/$name" "$root/.infra/spring"
