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
#           spark-submit.jsa    class-data sharing archive (startup speed)
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
want="spark=$SPARK_VERSION scala=$SCALA_BINARY_VERSION layout=2"  # bump layout when the install format changes

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
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/jars" "$tmp/bin" "$tmp/conf"

log "resolving Spark $SPARK_VERSION (Scala $SCALA_BINARY_VERSION) jars with Maven into $dest ..."
mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies \
    -Dspark.version="$SPARK_VERSION" \
    -Dscala.binary.version="$SCALA_BINARY_VERSION" \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp/jars" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 \
  || die "maven could not resolve org.apache.spark:spark-{core,kubernetes}_$SCALA_BINARY_VERSION:$SPARK_VERSION"
compgen -G "$tmp/jars/spark-core_${SCALA_BINARY_VERSION}-*.jar" >/dev/null || die "spark-core jar missing after resolve"

cp "$here/spark-submit.sh" "$tmp/bin/spark-submit"
chmod 755 "$tmp/bin/spark-submit"

# Sanity check before publishing: the launcher must report the wanted version.
out="$("$tmp/bin/spark-submit" --version 2>&1)" || { echo "$out" >&2; die "spark-submit --version failed"; }
grep -q "version $SPARK_VERSION" <<<"$out" || { echo "$out" >&2; die "spark-submit --version did not report $SPARK_VERSION"; }

rm -rf "$dest"
mv "$tmp" "$dest"
trap 'rm -rf "$dest"' EXIT

# Class-data sharing archive for faster JVM start (classpath must be final, so
# after the move): record the classes a k8s cluster-mode submission loads, by
# submitting to a closed port (fails at connect, after building the pod spec).
log "training class-data sharing archive ..."
SPARK_SUBMIT_CDS=0 SPARK_SUBMIT_OPTS="-XX:ArchiveClassesAtExit=$dest/spark-submit.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  KUBECONFIG=/dev/null "$dest/bin/spark-submit" --master k8s://https://127.0.0.1:1 --deploy-mode cluster \
  --name cds-training --class org.apache.spark.examples.SparkPi \
  --conf spark.kubernetes.container.image=apache/spark:"$SPARK_VERSION" \
  --conf spark.kubernetes.submission.waitAppCompletion=false \
  --conf spark.kubernetes.authenticate.submission.oauthToken=none \
  local:///opt/spark/examples/jars/spark-examples.jar >"$dest/cds-training.log" 2>&1 \
  || true  # expected to fail (nothing listens there); only the archive matters
if [ -s "$dest/spark-submit.jsa" ]; then rm -f "$dest/cds-training.log"; else log "no CDS archive (see $dest/cds-training.log); continuing without"; fi

echo "$want" > "$dest/.installed"
trap - EXIT

log "installed $dest ($(find "$dest/jars" -name "*.jar" | wc -l) jars, $(du -sh "$dest/jars" | cut -f1)) in $(( $(date +%s) - start ))s"
echo "SPARK_HOME=$dest"
