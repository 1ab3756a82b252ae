#!/usr/bin/env bash
# spark-submit launcher installed by tools/spark/fetch.sh as $SPARK_HOME/bin/spark-submit.
# Stand-in for the distribution's bin/spark-submit (not published on Maven):
# runs org.apache.spark.deploy.SparkSubmit directly on $SPARK_HOME/jars/*.
#   SPARK_SUBMIT_MEMORY  submitter JVM heap (default 512m)
#   SPARK_SUBMIT_OPTS    extra JVM options (same name as upstream)
#   JAVA_HOME            java to use (else `java` on PATH)
#   SPARK_SUBMIT_CDS=0   don't use the class-data sharing archive
set -euo pipefail
SPARK_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
export SPARK_HOME
export SPARK_CONF_DIR="${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Module options the upstream launcher adds for Java 17+
# (org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions, Spark 4.2).
opens=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.type=pooled
  -Dio.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE
  --sun-misc-unsafe-memory-access=allow
  --enable-native-access=ALL-UNNAMED
)

# Class-data sharing archive made by fetch.sh (a training submission): ~40%
# less CPU at startup.  Silently unused if the JDK or classpath changed.
cds=()
if [ -f "$SPARK_HOME/spark-submit.jsa" ] && [ "${SPARK_SUBMIT_CDS:-1}" = 1 ]; then
  cds=(-XX:SharedArchiveFile="$SPARK_HOME/spark-submit.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

# shellcheck disable=SC2086 # SPARK_SUBMIT_OPTS is a word list by design
exec "$java" \
  -Xmx"${SPARK_SUBMIT_MEMORY:-512m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  "${cds[@]}" "${opens[@]}" ${SPARK_SUBMIT_OPTS:-} \
  -cp "$SPARK_CONF_DIR:$SPARK_HOME/jars/*" \
  org.apache.spark.deploy.SparkSubmit "$@"
