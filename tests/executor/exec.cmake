# The executor function (executor/exec/, docs/execution.md). Included from
# tests/executor/CMakeLists.txt.
remora_test(exec_test LABELS unit
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/tx_fixtures.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_support.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_abort_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_host_calls_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_table_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_hints_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_state_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/exec_observer_test.cpp
    DEPS remora_executor)
# Scenarios are aggregates written with designated initializers that name only the fields a row
# needs; GCC 12 warns about the omitted ones (they take their default member initializers).
target_compile_options(exec_test PRIVATE -Wno-missing-field-initializers)
