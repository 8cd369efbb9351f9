# The sequential reference executor: persisted commits, replay-verify, determinism.
remora_test(sequential_test LABELS integration
    SOURCES sequential_test.cpp tx_reference_codec.cpp
    DEPS remora_executor remora_test_support RocksDB::rocksdb-shared)
# Genesis in bounded parts; the hidden "[slow]" case commits a million accounts: `ctest -L slow`.
remora_test(genesis_parts_test LABELS integration
    SOURCES genesis_parts_test.cpp
    DEPS remora_executor remora_test_support RocksDB::rocksdb-shared)
add_test(NAME genesis_parts_test.slow COMMAND genesis_parts_test "[slow]")
set_tests_properties(genesis_parts_test.slow PROPERTIES LABELS "slow" TIMEOUT 3600)
