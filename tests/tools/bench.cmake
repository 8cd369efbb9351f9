# remora-bench: the real binary as a child process, plus its library parts. Included from
# tests/tools/CMakeLists.txt. The sequential mode's kept store is checked with remora-inspect.
remora_test(bench_test LABELS integration
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/bench_sequential_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/bench_remora_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/bench_primary_test.cpp
            ${CMAKE_CURRENT_LIST_DIR}/child_process.cpp
    DEPS remora_bench_lib remora_test_support nlohmann_json::nlohmann_json)
add_dependencies(bench_test remora-bench remora-inspect)
target_compile_definitions(bench_test PRIVATE
    REMORA_BENCH_BIN="$<TARGET_FILE:remora-bench>"
    REMORA_INSPECT_BIN="$<TARGET_FILE:remora-inspect>")
