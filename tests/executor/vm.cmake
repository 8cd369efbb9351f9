# VM tests (docs/vm.md). Included from tests/executor/CMakeLists.txt.
remora_test(vm_test LABELS unit
    SOURCES vm_support.cpp vm_fake_host.cpp
            vm_interpreter_test.cpp vm_abort_test.cpp vm_gas_test.cpp vm_host_test.cpp
            vm_verifier_test.cpp vm_assembler_test.cpp vm_codec_test.cpp vm_property_test.cpp
    DEPS remora_executor)

# The CLI, when the tools tree builds it (tools/CMakeLists.txt lists `asm`).
if(TARGET remora-asm)
    add_test(NAME vm_asm_cli
             COMMAND ${CMAKE_COMMAND} -DASM=$<TARGET_FILE:remora-asm>
                     -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/vm_asm_cli
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/vm_asm_cli.cmake)
    set_tests_properties(vm_asm_cli PROPERTIES LABELS "unit")
endif()

# libFuzzer target (Clang, REMORA_FUZZ=ON): bytes -> decode -> verify -> execute.
if(REMORA_FUZZ)
    add_executable(fuzz_vm fuzz_vm.cpp vm_fake_host.cpp)
    remora_target_defaults(fuzz_vm)
    target_compile_options(fuzz_vm PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_vm PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_vm PRIVATE remora_executor)
    add_test(NAME fuzz_vm COMMAND fuzz_vm -runs=20000 -max_len=4096)
    set_tests_properties(fuzz_vm PROPERTIES LABELS "fuzz")
endif()
