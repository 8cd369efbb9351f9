# The sequential reference executor: persisted commits, replay-verify, determinism.
remora_test(sequential_test LABELS integration
    SOURCES sequential_test.cpp
    DEPS remora_executor remora_test_support RocksDB::rocksdb-shared)
