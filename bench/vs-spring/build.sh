#!/usr/bin/env bash
# Builds one of the Spring apps of this benchmark (eureka, config) into .infra/vs-spring/<name>.jar
# with the machine's Maven (Spring Boot 4.0.7 and Spring Cloud 2025.1.4 from Maven Central) and
# prints the jar's path. Same approach as test/interop/spring/build.sh: the build runs in a copy
# under .infra/vs-spring/build/<name>/, so no target/ folder lands in the tree, and is skipped when
# the app's sources have not changed since the cached jar was built.
#
# Usage: bench/vs-spring/build.sh <eureka|config>
# Exit codes: 0 built or cached, 1 build failed, 2 bad usage, 3 java or mvn missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name="${1:-}"
[[ "$name" =~ ^[a-z0-9-]+$ && -f "$here/$name/pom.xml" ]] || {
  echo "usage: $0 <eureka|config>" >&2
  exit 2
}
exec bash "$root/scripts/maven-jar.sh" "$here/$name" "$root/.infra/vs-spring"
