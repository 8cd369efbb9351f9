# The executor's data model, messages and crypto (executor/tx/, docs/transactions.md).
remora_test(tx_test LABELS unit
    SOURCES
        ${CMAKE_CURRENT_LIST_DIR}/tx_fixtures.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_raw.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_roundtrip_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_digest_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_crypto_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_reject_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_reject_messages_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_random_input_test.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_reference_codec.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tx_codec_test.cpp
    DEPS remora_executor)

# libFuzzer target (Clang, REMORA_FUZZ=ON): every decoder of inbound bytes, with round trips.
if(REMORA_FUZZ)
    add_executable(fuzz_tx fuzz_tx.cpp)
    remora_target_defaults(fuzz_tx)
    target_compile_options(fuzz_tx PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_tx PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_tx PRIVATE remora_executor)
    add_test(NAME fuzz_tx COMMAND fuzz_tx -runs=20000 -max_len=8192)
    set_tests_properties(fuzz_tx PROPERTIES LABELS "fuzz")
endif()
