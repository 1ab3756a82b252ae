#!/usr/bin/env bash
# Install a working `spark-submit` built from Apache Spark's Maven artifacts
# (the binary distribution tarball is not used).  Idempotent.
#
#   tools/spark/fetch.sh            # installs if needed, prints SPARK_HOME=<dir> on stdout
#   SPARK_VERSION=4.1.1 tools/spark/fetch.sh   # override tools/versions.env
#
# Result: ${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}/spark-<version>/
#           jars/               runtime classpath (spark-core + spark-kubernetes, transitive)
#           bin/spark-submit    launcher: java ... org.apache.spark.deploy.SparkSubmit "$@"
#           .installed          marker written last
# Maven's local repository (~/.m2) is the download cache.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
start=$(date +%s)

log() { echo "spark/fetch: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# versions.env is shared with other tools: read only our keys, don't source it.
env_get() {
  [ -f "$root/tools/versions.env" ] || return 0
  sed -n "s/^[[:space:]]*$1=[\"']\{0,1\}\([^\"'#[:space:]]*\).*/\1/p" "$root/tools/versions.env" | tail -n1
}
SPARK_VERSION="${SPARK_VERSION:-$(env_get SPARK_VERSION)}"
SCALA_BINARY_VERSION="${SCALA_BINARY_VERSION:-$(env_get SCALA_BINARY_VERSION)}"
SCALA_BINARY_VERSION="${SCALA_BINARY_VERSION:-2.13}"
[ -n "$SPARK_VERSION" ] || die "SPARK_VERSION not set (tools/versions.env)"

cache="${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}"
dest="$cache/spark-$SPARK_VERSION"
marker="$dest/.installed"
want="spark=$SPARK_VERSION scala=$SCALA_BINARY_VERSION"

installed() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ] && [ -x "$dest/bin/spark-submit" ]; }

if installed; then
  log "already installed: $dest ($want)"
  echo "SPARK_HOME=$dest"
  exit 0
fi

command -v java >/dev/null || die "java not found (Spark $SPARK_VERSION needs Java 17+)"
command -v mvn >/dev/null || die "mvn not found"
mkdir -p "$cache"

# Serialise concurrent installs of the same version.
exec 9>"$cache/.spark-$SPARK_VERSION.lock"
flock 9
if installed; then
  log "installed by a concurrent run: $dest"
  echo "SPARK_HOME=$dest"
  exit 0
fi

tmp="$(mktemp -d "$cache/.spark-$SPARK_VERSION.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/jars" "$tmp/bin" "$tmp/conf"

log "resolving Spark $SPARK_VERSION (Scala $SCALA_BINARY_VERSION) jars with Maven into $dest ..."
mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
    -Dspark.version="$SPARK_VERSION" \
    -Dscala.binary.version="$SCALA_BINARY_VERSION" \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp/jars" >&2 \
  || die "maven could not resolve org.apache.spark:spark-{core,kubernetes}_$SCALA_BINARY_VERSION:$SPARK_VERSION"
ls "$tmp/jars"/spark-core_"$SCALA_BINARY_VERSION"-*.jar >/dev/null 2>&1 || die "spark-core jar missing after resolve"

cp "$here/spark-submit.sh" "$tmp/bin/spark-submit"
chmod 755 "$tmp/bin/spark-submit"

# Sanity check before publishing: the launcher must report the wanted version.
out="$("$tmp/bin/spark-submit" --version 2>&1)" || { echo "$out" >&2; die "spark-submit --version failed"; }
grep -q "version $SPARK_VERSION" <<<"$out" || { echo "$out" >&2; die "spark-submit --version did not report $SPARK_VERSION"; }

echo "$want" > "$tmp/.installed"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT

log "installed $dest ($(ls "$dest/jars" | wc -l) jars, $(du -sh "$dest/jars" | cut -f1)) in $(( $(date +%s) - start ))s"
echo "SPARK_HOME=$dest"
