#pragma once
// Helpers shared by the workload tests (tests/executor/workload_*.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "executor/tx/transaction.h"
#include "executor/workload/workload.h"

namespace remora::testing {

// The first `count` transactions of a fresh workload built from `config`.
inline std::vector<executor::workload::WorkloadTx> generate(
    const executor::workload::WorkloadConfig& config, std::size_t count) {
    auto workload = executor::workload::make_workload(config);
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    std::vector<executor::workload::WorkloadTx> txs;
    for (std::size_t i = 0; i < count; ++i) {
        auto tx = (*workload)->next();
        if (!tx) break;
        txs.push_back(std::move(*tx));
    }
    return txs;
}

// Every byte a transaction carries: the canonical (signed) bytes, then each authenticator.
inline std::string transaction_bytes(const executor::Transaction& tx) {
    std::string out = executor::canonical_transaction_bytes(tx);
    for (const auto& a : tx.authenticators) {
        out.append(a.public_key.view());
        out.append(a.signature.view());
    }
    return out;
}

// The whole real-chain trace in the shared folder beside the source tree (REMORA_SHARED_DIR,
// set by CMake to ../shared). Only tests named "shared trace: ..." use it; they fail without it.
inline std::string shared_trace_path() {
    return std::string(REMORA_SHARED_DIR) + "/traces/eth_pevm_85blocks_txs.csv";
}

// A trace fixture committed under tests/data/traces (README.md there describes each).
inline std::string fixture_trace_path(const std::string& name) {
    return std::string(REMORA_SOURCE_DIR) + "/tests/data/traces/" + name;
}

// The first 600 rows (12 blocks) of the shared trace, committed.
inline std::string first_blocks_trace_path() { return fixture_trace_path("eth_pevm_first600.csv"); }

}  // namespace remora::testing
