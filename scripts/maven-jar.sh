#!/usr/bin/env bash
# Builds the Maven project in <source-dir> into <out-dir>/<name>.jar (name: the source folder's)
# with the machine's Maven and prints the jar's path. The build runs in a copy under
# <out-dir>/build/<name>/, so no target/ folder lands in the tree, and is skipped when the
# project's sources have not changed since the cached jar was built. Used by
# test/interop/spring/build.sh and bench/vs-spring/build.sh.
#
# Usage: scripts/maven-jar.sh <source-dir> <out-dir>
# Exit codes: 0 built or cached, 1 build failed, 3 java or mvn missing.
set -euo pipefail
src="$1"
out="$2"
name="$(basename "$src")"
command -v java >/dev/null && command -v mvn >/dev/null || { echo "build.sh: java and mvn are needed" >&2; exit 3; }
jar="$out/$name.jar"
stamp="$out/$name.sources.sha256"
mkdir -p "$out"
sources_hash="$(cd "$src" && find . -type f \( -name pom.xml -o -path './src/*' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ -f "$jar" && -f "$stamp" && "$(cat "$stamp")" == "$sources_hash" ]]; then
  echo "$jar"
  exit 0
fi
build="$out/build/$name"
rm -rf "$build"
mkdir -p "$build"
cp -R "$src/." "$build/"
echo "build.sh: building $name with Maven (the first run downloads Spring from Maven Central)" >&2
if ! (cd "$build" && mvn -q -B -Dstyle.color=never -DskipTests package >"$out/$name.build.log" 2>&1); then
  echo "build.sh: the $name build failed; see $out/$name.build.log" >&2
  tail -n 30 "$out/$name.build.log" >&2
  exit 1
fi
cp "$build/target/$(sed -n 's:.*<finalName>\(.*\)</finalName>.*:\1:p' "$build/pom.xml").jar" "$jar"
echo "$sources_hash" >"$stamp"
echo "$jar"
