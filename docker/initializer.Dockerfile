# spark-operator-initializer: the mutating admission webhook. Small: the binary and its shared libraries, no
# Java. Build from the repository root:
#
#   docker build -f docker/initializer.Dockerfile -t spark-operator-initializer:<tag> .   (or: make image)

ARG DEBIAN_RELEASE=bookworm

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

# ---------------------------------------------------------------- runtime
FROM debian:${DEBIAN_RELEASE}-slim
# Shared libraries of the binary; tools/build-images.sh checks it needs nothing else.
ARG RUNTIME_PACKAGES="libssl3 libyaml-cpp0.7 libgoogle-glog0v6 libgflags2.2 libboost-system1.74.0"
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
COPY --from=build /out/spark-operator-initializer /usr/local/bin/spark-operator-initializer
USER 65532:65532
EXPOSE 8443 8080
ENTRYPOINT ["/usr/local/bin/spark-operator-initializer"]
