# Every dependency comes from a Debian 12 package (scripts/bootstrap.sh installs them).
find_package(Threads REQUIRED)
find_package(RocksDB 7.8 CONFIG REQUIRED)
find_package(FlatBuffers 2.0.8 CONFIG REQUIRED)
find_package(Boost 1.74 CONFIG REQUIRED COMPONENTS program_options)
find_package(Catch2 2.13 CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)  # net/tls: mutual TLS for cluster links
find_package(prometheus-cpp CONFIG REQUIRED)  # node/node_metrics: the /metrics text format
find_package(tomlplusplus 3.3 REQUIRED)  # remora-node --config (docs/configuration.md)
find_package(spdlog 1.10 REQUIRED)       # node logs (node/log.h)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

# The programs' malloc (REMORA_ALLOCATOR). glibc's malloc spent a third of the primary thread's
# time at 100k tx/s (docs/BENCHMARKS.md, "The allocator"); jemalloc is RocksDB's own choice.
if(REMORA_SANITIZE OR REMORA_FUZZ)
    set(REMORA_ALLOCATOR_EFFECTIVE system)
elseif(REMORA_ALLOCATOR STREQUAL "jemalloc")
    find_library(REMORA_JEMALLOC_LIBRARY NAMES jemalloc libjemalloc.so.2 REQUIRED)
    set(REMORA_ALLOCATOR_EFFECTIVE jemalloc)
elseif(REMORA_ALLOCATOR STREQUAL "system")
    set(REMORA_ALLOCATOR_EFFECTIVE system)
else()
    message(FATAL_ERROR "REMORA_ALLOCATOR must be jemalloc or system, not '${REMORA_ALLOCATOR}'")
endif()
message(STATUS "Remora: programs use the ${REMORA_ALLOCATOR_EFFECTIVE} allocator")
