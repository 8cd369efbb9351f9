# The seeded in-process simulation (docs/simulation.md): the central property test against the
# sequential reference over many seeds, workloads, cluster sizes and fault schedules.
# REMORA_SIM_SEED=S reruns one printed seed. The hidden "[slow]" case runs many more seeds:
# `ctest -L slow`.
remora_test(simulation_test LABELS unit
    SOURCES simulation_property_test.cpp
            simulation_sanity_test.cpp
            simulation_cores_test.cpp
    DEPS remora_executor remora_test_support)
add_test(NAME simulation_test.slow COMMAND simulation_test "[slow]~[random]")
set_tests_properties(simulation_test.slow PROPERTIES LABELS "slow" TIMEOUT 3600)
# The random workload's 2,400 seeds (issue 8), apart so that each can run alone.
add_test(NAME simulation_test.random_slow COMMAND simulation_test "[slow][random]")
set_tests_properties(simulation_test.random_slow PROPERTIES LABELS "slow" TIMEOUT 3600)
