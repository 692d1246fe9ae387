# The two commands a new user needs are `make run` and `make test`; both install what is missing.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CONFIG     ?= config/dev.yaml
FUZZ_SECONDS ?= 60

.PHONY: all deps build run test sanitize bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the server: on two cores the tests and benchmarks would take three times as long again.
run: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target callgate
	$(BUILD_DIR)/callgate --config $(CONFIG)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The unit and integration tests again, with everything built under ASan and UBSan.
sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCALLGATE_SANITIZE=address,undefined -DCALLGATE_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

bench: build
	@scripts/install-deps.sh --bench
	bench/run.sh $(BUILD_DIR)

fuzz:
	@scripts/install-deps.sh --fuzz
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DCALLGATE_FUZZ=ON -DCALLGATE_TESTS=OFF -DCALLGATE_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
