# remora-bench: the real binary as a child process, plus its library parts. Included from
# tests/tools/CMakeLists.txt.
remora_test(bench_test LABELS integration
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_test.cpp ${CMAKE_CURRENT_LIST_DIR}/child_process.cpp
    DEPS remora_bench_lib remora_test_support nlohmann_json::nlohmann_json)
add_dependencies(bench_test remora-bench)
target_compile_definitions(bench_test PRIVATE REMORA_BENCH_BIN="$<TARGET_FILE:remora-bench>")
