# spark-operator-initializer: the mutating admission webhook. Small: the binary and the shared libraries it
# loads on an empty base, no shell, no package manager. Build from the repository root:
#
#   docker build -f docker/initializer.Dockerfile -t spark-operator-initializer:<tag> .   (or: make image)
#
# BINARY_FROM=prebuilt takes the binary from the context's bin/ instead of compiling it (tools/images/build.sh
# stages a context of binaries built on this Debian release: the compile is the slow part, and it is the same).

ARG DEBIAN_RELEASE=bookworm
ARG BINARY_FROM=build

# ---------------------------------------------------------------- build: the same steps as CI and `make`
# (identical to the first steps of controller.Dockerfile, so the two builds share those cached layers)
FROM debian:${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY tools/install-deps.sh tools/install-deps.sh
RUN tools/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja \
 && cmake --build /build --target spark-operator-initializer -j "$(nproc)" \
 && mkdir -p /out && strip -o /out/spark-operator-initializer /build/bin/spark-operator-initializer

FROM scratch AS prebuilt
COPY bin/spark-operator-initializer /out/spark-operator-initializer

FROM ${BINARY_FROM} AS binary

# ---------------------------------------------------------------- rootfs: the binary and its libraries
FROM debian:${DEBIAN_RELEASE}-slim AS rootfs
ARG RUNTIME_PACKAGES="libssl3 libyaml-cpp0.7 libgoogle-glog0v6 libgflags2.2 libboost-system1.74.0 libzstd1"
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*
COPY docker/collect-libs.sh /usr/local/bin/collect-libs.sh
COPY --from=binary /out/spark-operator-initializer /tmp/spark-operator-initializer
RUN collect-libs.sh /tmp/spark-operator-initializer /rootfs \
 && mkdir -p -m 1777 /rootfs/tmp \
 && mkdir -p /rootfs/etc \
 && echo "nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin" >/rootfs/etc/passwd \
 && echo "nonroot:x:65532:" >/rootfs/etc/group

# ---------------------------------------------------------------- runtime
FROM scratch
COPY --from=rootfs /rootfs/ /
USER 65532:65532
EXPOSE 8443 8080
ENTRYPOINT ["/usr/local/bin/spark-operator-initializer"]
