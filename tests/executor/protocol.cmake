# The Remora protocol engines (docs/remora_protocol.md): pre-executor, load balancer, primary,
# each checked against the sequential reference.
remora_test(protocol_test LABELS unit
    SOURCES protocol_primary_test.cpp
            protocol_faults_test.cpp
            protocol_overlay_test.cpp
            protocol_pre_executor_test.cpp
            protocol_miss_window_test.cpp
            protocol_anoma_bridge_test.cpp
            protocol_state_update_test.cpp
            protocol_load_balancer_test.cpp
            protocol_soundness_test.cpp
            protocol_parallel_reexec_test.cpp
            protocol_pre_executor_batch_test.cpp
            protocol_recent_txs_test.cpp
    DEPS remora_executor remora_test_support)
