# spark-operator-controller, in two variants. Build from the repository root:
#
#   docker build -f docker/controller.Dockerfile -t spark-operator-controller:<tag> .                 (or: make image)
#   docker build -f docker/controller.Dockerfile --target native -t spark-operator-controller:<tag>-native .
#
# The default (last stage) carries a JRE and Spark's jars with tools/spark/spark-submit.sh as bin/spark-submit,
# so that apps using a setting the native submitter lacks still run: the manifests in deploy/ use it. The
# `native` target is the binary and its shared libraries on an empty base, for --submitter=native without the
# spark-submit fallback (deploy/components/native-image selects it).
#
# BINARY_FROM=prebuilt takes the binary from the context's bin/ instead of compiling it (tools/images/build.sh
# stages a context of binaries built on this Debian release: the compile is the slow part, and it is the same).

ARG DEBIAN_RELEASE=bookworm
ARG BINARY_FROM=build

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

FROM scratch AS prebuilt
COPY bin/spark-operator-controller /out/spark-operator-controller

FROM ${BINARY_FROM} AS binary

# ---------------------------------------------------------------- rootfs of the native variant
FROM debian:${DEBIAN_RELEASE}-slim AS rootfs
# Shared libraries of the binary; tzdata for ScheduledSparkApplication time zones (spec.timeZone), CA
# certificates for log shipping to object storage over TLS.
ARG RUNTIME_PACKAGES="libssl3 libyaml-cpp0.7 libgoogle-glog0v6 libgflags2.2 libboost-system1.74.0 libzstd1 libdate-tz3 tzdata"
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${RUNTIME_PACKAGES} \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY docker/collect-libs.sh /usr/local/bin/collect-libs.sh
COPY --from=binary /out/spark-operator-controller /tmp/spark-operator-controller
RUN collect-libs.sh /tmp/spark-operator-controller /rootfs \
 && mkdir -p -m 1777 /rootfs/tmp \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && cp -a /usr/share/zoneinfo /rootfs/usr/share/ \
 && echo "nonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin" >/rootfs/etc/passwd \
 && echo "nonroot:x:65532:" >/rootfs/etc/group

# ---------------------------------------------------------------- native: no Java, no shell
FROM scratch AS native
COPY --from=rootfs /rootfs/ /
ENV HOME=/tmp TMPDIR=/tmp
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/spark-operator-controller"]

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
# classpath (and to this JDK build, which the runtime stage installs from the same release). Maven's repository
# (/root/.m2) stays in this stage; tools/images/build.sh mounts the host's there to reuse its downloads.
# SPARK_LOCAL_IP: fetch.sh runs spark-submit, which looks its host name up, and buildah's build sandbox has no
# hosts entry for it.
RUN SPARK_LOCAL_IP=127.0.0.1 SPARK_OPERATOR_CACHE=/opt/spark-dist tools/spark/fetch.sh \
 && rm -rf /opt/spark-dist/.spark-* \
 && cd /opt/spark-dist && ln -s spark-* current

# ---------------------------------------------------------------- the default: with spark-submit
FROM debian:${DEBIAN_RELEASE}-slim
# Shared libraries of the controller binary (as in the rootfs stage) and a JRE for spark-submit.
ARG RUNTIME_PACKAGES="libssl3 libyaml-cpp0.7 libgoogle-glog0v6 libgflags2.2 libboost-system1.74.0 libzstd1 libdate-tz3 tzdata"
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
COPY --from=binary /out/spark-operator-controller /usr/local/bin/spark-operator-controller
ENV SPARK_HOME=/opt/spark \
    PATH=/opt/spark/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/spark-operator-controller"]
