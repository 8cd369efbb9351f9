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
    DEPS remora_executor)
