#!/usr/bin/env sh
# Downloads Resilience4j's jars (and their runtime dependencies) from Maven Central into
# .infra/resilience-libs/ for the differential test of @stratus/resilience
# (packages/resilience/src/differential/resilience4j-differential.test.ts).
# Idempotent: a jar already present is not fetched again. Needs `mvn` on the PATH.
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT="$ROOT/.infra/resilience-libs"
mkdir -p "$OUT"
# groupId:artifactId:version — Resilience4j 2.4.0 is built for Java 17 and lets a test drive the
# circuit breaker's java.time.Clock and the rate limiter's nanoTime supplier.
R4J=2.4.0
ARTIFACTS="
io.github.resilience4j:resilience4j-core:$R4J
io.github.resilience4j:resilience4j-circuitbreaker:$R4J
io.github.resilience4j:resilience4j-retry:$R4J
io.github.resilience4j:resilience4j-bulkhead:$R4J
io.github.resilience4j:resilience4j-ratelimiter:$R4J
io.github.resilience4j:resilience4j-timelimiter:$R4J
org.slf4j:slf4j-api:1.7.30
"
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
for gav in $ARTIFACTS; do
  artifact=$(echo "$gav" | cut -d: -f2)
  version=$(echo "$gav" | cut -d: -f3)
  if [ -f "$OUT/$artifact-$version.jar" ]; then continue; fi
  mvn -q -B -Dstyle.color=never "$DEP_PLUGIN:get" -Dartifact="$gav" -Dtransitive=false
  mvn -q -B -Dstyle.color=never "$DEP_PLUGIN:copy" -Dartifact="$gav" -DoutputDirectory="$OUT"
done
echo "resilience4j libs ready in $OUT"
