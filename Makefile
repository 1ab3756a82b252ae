# A thin layer over CMake and the scripts in tools/. The README names the targets a newcomer uses.
BUILD_DIR ?= build
JOBS ?= 2
image-tag ?= latest
image-registry ?=

.PHONY: all deps build bench test test-unit test-fault test-images crd manifest demo demo-stop demo-initializer cluster-up cluster-down spark image push clean

all: build

deps:
	@tools/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Everything: unit tests, then the local cluster and Spark for the integration and end-to-end tests.
test: build
	tools/run-tests.sh $(BUILD_DIR)

test-unit: build
	cd $(BUILD_DIR) && ctest -L unit --output-on-failure

# The fault-injection suite (tests/fault/fault_suite.sh): FAULT_APPS SparkApplications (default 1000, about half
# an hour on 2 cores) under controller kills, API server restarts and stops, and a certificate renewal.
test-fault: build
	cd $(BUILD_DIR) && ctest -L fault --output-on-failure

# The CRD in deploy/crd and the field reference in docs/ are generated from the C++ types in api/; unit tests
# fail when either is stale. The one-file install holds the CRDs, so it is rendered again too.
crd: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target spark-operator-crdgen
	$(BUILD_DIR)/bin/spark-operator-crdgen --out=deploy/crd/spark-operator.k8s.io_sparkapplications.yaml \
	  --markdown-out=docs/spark-application.md --policy-markdown-out=docs/submission-policy.md \
	  --tenant-out=deploy/crd/spark-operator.k8s.io_sparktenants.yaml --tenant-markdown-out=docs/spark-tenant.md \
	  --scheduled-out=deploy/crd/spark-operator.k8s.io_scheduledsparkapplications.yaml \
	  --scheduled-markdown-out=docs/scheduled-spark-application.md
	tools/render-manifest.sh

# deploy/spark-operator.yaml, everything deploy/default installs in one file for `kubectl create -f`; a unit test
# (tests/unit/manifest_check.sh) fails when it is stale.
manifest:
	tools/render-manifest.sh

# bench/scale.sh: BENCH_N (default 1000) apps through the native submitter, spark-submit and raw API writes on
# the local cluster (make cluster-up first).
bench: build
	BUILD_DIR=$(abspath $(BUILD_DIR)) bench/scale.sh $(BENCH_N)

cluster-up:
	tools/cluster/up.sh

cluster-down:
	tools/cluster/down.sh

spark:
	tools/spark/fetch.sh

demo: build
	tools/demo.sh $(BUILD_DIR)

demo-stop:
	tools/demo.sh stop

demo-initializer: build
	tools/demo-initializer.sh $(BUILD_DIR)

# The images from docker/ (tools/images/build.sh): with Docker, or with buildah and podman where no engine answers.
image:
	BUILD_DIR=$(BUILD_DIR) tools/images/build.sh $(image-tag)

# Builds the images with tag test, then runs them against the local cluster and a local registry (tests/image/,
# CTest label image): minutes, so not part of `make test`.
test-images: build
	BUILD_DIR=$(BUILD_DIR) tools/images/build.sh test
	SO_TEST_LABELS=image tools/run-tests.sh $(BUILD_DIR)

# The original README's `make image-tag=<tag> push`, to image-registry=<host[:port]/prefix>.
push:
	tools/images/push.sh $(image-tag) $(image-registry)

clean:
	rm -rf $(BUILD_DIR)
