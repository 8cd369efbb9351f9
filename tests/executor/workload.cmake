# The standard programs, genesis and the workload generators (docs/workloads.md).
remora_test(workload_test LABELS unit
    SOURCES workload_programs_test.cpp
            workload_genesis_test.cpp
            workload_generate_test.cpp
            workload_trace_test.cpp
            workload_execute_test.cpp
            workload_program_aborts_test.cpp
            workload_random_test.cpp
    DEPS remora_executor remora_test_support)
