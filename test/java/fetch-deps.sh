#!/usr/bin/env sh
# Downloads Spring's crypto jars (and their runtime dependencies) from Maven Central into
# .infra/java-libs/ for the cross-implementation vectors (test/src/crypto-java-vectors.test.ts).
# Idempotent: a jar already present is not fetched again. Needs `mvn` on the PATH.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.infra/java-libs"
mkdir -p "$OUT"
# groupId:artifactId:version — spring-security-crypto 6.x carries RsaSecretEncryptor (since 6.3);
# spring-security-rsa 1.1.x is the older home of the same class that Spring Cloud used before.
ARTIFACTS="
org.springframework.security:spring-security-crypto:6.5.5
org.springframework.security:spring-security-rsa:1.1.5
org.springframework:spring-core:5.3.28
org.springframework:spring-jcl:5.3.28
org.bouncycastle:bcprov-jdk18on:1.78
"
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
for gav in $ARTIFACTS; do
  artifact=$(echo "$gav" | cut -d: -f2)
  version=$(echo "$gav" | cut -d: -f3)
  if [ -f "$OUT/$artifact-$version.jar" ]; then continue; fi
  mvn -q -B -Dstyle.color=never "$DEP_PLUGIN:get" -Dartifact="$gav" -Dtransitive=false
  mvn -q -B -Dstyle.color=never "$DEP_PLUGIN:copy" -Dartifact="$gav" -DoutputDirectory="$OUT"
done
echo "java libs ready in $OUT"
