# spark-operator-controller: the controller and the spark-submit it runs (Spark's jars from Maven Central plus
# tools/spark/spark-submit.sh as bin/spark-submit) on Java 17. Build from the repository root:
#
#   docker build -f docker/controller.Dockerfile -t spark-operator-controller:<tag> .     (or: make image)

ARG DEBIAN_RELEASE=bookworm

# ---------------------------------------------------------------- build: the same steps as CI and `make`
FROM debian:${DEBIAN_RELEASE} AS build
WORKDIR /src
# The dependency script alone first, so its (slow) layer is reused while only the sources change.
COPY tools/install-deps.sh tools/install-deps.sh
RUN tools/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja \
 && cmake --build /build --target spark-operator-controller -j "$(nproc)" \
 && mkdir -p /out && strip -o /out/spark-operator-controller /build/bin/spark-operator-controller

# ---------------------------------------------------------------- spark: jars + launcher via tools/spark/fetch.sh
FROM debian:${DEBIAN_RELEASE} AS spark
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless maven ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY tools/versions.env tools/versions.env
COPY tools/spark tools/spark
# Installed straight at its final path: the class-data sharing archive fetch.sh records is tied to the
# classpath (and to this JDK build, which the runtime stage installs from the same release).
RUN SPARK_OPERATOR_CACHE=/opt/spark-dist tools/spark/fetch.sh \
 && rm -rf /opt/spark-dist/.spark-* /root/.m2 \
 && cd /opt/spark-dist && ln -s spark-* current

# ---------------------------------------------------------------- runtime
FROM debian:${DEBIAN_RELEASE}-slim
# Shared libraries of the controller binary (tools/build-images.sh checks it needs nothing else) and a JRE for
# spark-submit.
# libdate-tz3 and tzdata: ScheduledSparkApplication time zones (spec.timeZone) read /usr/share/zoneinfo.
ARG RUNTIME_PACKAGES="libssl3 libyaml-cpp0.7 libgoogle-glog0v6 libgflags2.2 libboost-system1.74.0 libdate-tz3 tzdata"
# The JRE's postinst registers man pages, which -slim leaves no directory for.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ${RUNTIME_PACKAGES} openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --home-dir /home/nonroot --create-home --shell /usr/sbin/nologin nonroot
COPY --from=spark /opt/spark-dist /opt/spark-dist
RUN ln -s /opt/spark-dist/current /opt/spark
COPY --from=build /out/spark-operator-controller /usr/local/bin/spark-operator-controller
ENV SPARK_HOME=/opt/spark \
    PATH=/opt/spark/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/spark-operator-controller"]
