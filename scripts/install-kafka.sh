#!/usr/bin/env bash
# Installs the Apache Kafka broker the benchmark (npm run bench) compares Slipstream with: the
# jars of org.apache.kafka:kafka_2.13 and their runtime dependencies, fetched from Maven Central
# with `mvn dependency:copy-dependencies` (bench/kafka/pom.xml names them), into a cache directory
# outside the repository:
#
#   ${XDG_CACHE_HOME:-~/.cache}/slipstream/kafka-<version>/libs/*.jar
#
# Prints that directory (the last line of stdout). An install already there is reused; a
# half-finished one is never used (it is built beside and renamed into place). Needs `mvn` and
# `java` (Debian: maven, openjdk-17-jre-headless); installs them with apt-get when missing and root.
#
#   bash scripts/install-kafka.sh          # KAFKA_VERSION overrides the pom's version
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
POM="$ROOT/bench/kafka/pom.xml"
VERSION=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)}
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/slipstream"
DEST="$CACHE/kafka-$VERSION"

log() { printf '[install-kafka] %s\n' "$*" >&2; }
die() { printf '[install-kafka] error: %s\n' "$*" >&2; exit 1; }

[[ -n "$VERSION" ]] || die "no <kafka.version> in $POM"

# The broker's own jar is what a finished install must have; `ready` is written last.
if [[ -f "$DEST/ready" && -f "$DEST/libs/kafka_2.13-$VERSION.jar" ]]; then
  log "Apache Kafka $VERSION already installed in $DEST"
  echo "$DEST"
  exit 0
fi

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
  log "installing ${missing[*]} (apt-get install)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$CACHE"
TMP=$(mktemp -d "$CACHE/kafka-$VERSION.tmp-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log "fetching org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies (Maven Central)"
mvn -q -B -Dstyle.color=never -f "$POM" -Dkafka.version="$VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$TMP/libs" >&2 \
  || die "mvn dependency:copy-dependencies failed"
[[ -f "$TMP/libs/kafka_2.13-$VERSION.jar" ]] || die "kafka_2.13-$VERSION.jar is not among the fetched jars"

date -u +%FT%TZ >"$TMP/ready"
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
log "installed Apache Kafka $VERSION ($(ls "$DEST/libs" | wc -l) jars) in $DEST"
echo "$DEST"
