#pragma once
// Named, seeded, reproducible workloads (docs/design.md §7; docs/workloads.md): a genesis state
// and an endless (or, for a trace, finite) sequence of signed transactions, with suggested commit
// boundaries. The same config always gives the same genesis and the same transactions, byte
// for byte.
//
// The generators keep a model of the state they produce (owned coin versions and balances, pool
// reserves, serials) so that every transaction declares the owned versions it will find. The
// model assumes the transactions run in generation order from the genesis; run in another
// order, owned inputs go stale (InputVersionMismatch), deterministically.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "executor/exec/genesis_source.h"
#include "executor/tx/effects.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor::workload {

enum class WorkloadKind : std::uint8_t {
    kTransfer,
    kCounter,
    kNft,
    kAmm,
    kCompute,
    kMixed,
    kTrace,
    kRandom
};

// "transfer", ..., "mixed", "trace", "random".
std::string_view workload_kind_name(WorkloadKind kind);

struct WorkloadSpec {
    WorkloadKind kind = WorkloadKind::kTransfer;
    std::string trace_path;  // kTrace only
};

// Parses "transfer", "counter", "nft", "amm", "compute", "mixed", "random" or "trace:<file>".
// kInvalidArgument names the accepted forms for anything else.
common::Result<WorkloadSpec> parse_workload_name(std::string_view name);

struct WorkloadConfig {
    std::string name = "transfer";  // see parse_workload_name
    std::uint64_t seed = 1;
    std::uint32_t accounts = 1000;  // synthetic workloads: 1..kAccountsMax
    // Skew of the choice of sender and of shared object: Zipf theta in [0, kZipfThetaMax],
    // 0 = uniform.
    double zipf_theta = 0.0;
    // Contention: the number of counters, pools and collections (each), and of the random
    // workload's hot parents, 1..kSharedObjectsMax.
    std::uint32_t shared_objects = 8;
    // Fraction of transactions whose signature is deliberately broken, in [0, 1]: exactly
    // floor(n × rate) of the first n transactions, for every n (docs/workloads.md).
    double invalid_signature_rate = 0.0;
    // Suggested commit size of synthetic workloads, 1..kBatchSizeMax (a trace uses its blocks).
    std::uint32_t batch_size = 1000;
    // iterated_hash rounds of a compute transaction, 1..1,000,000.
    std::uint64_t compute_rounds = 10'000;
};

// kInvalidArgument for a knob outside its bounds.
common::Status validate_workload_config(const WorkloadConfig& config);

struct WorkloadTx {
    Transaction tx;
    // The status the generator's model predicts when the transactions run in generation order
    // from genesis: kNone, or kInvalidAuthenticator for a deliberately broken signature (and
    // the rare aborts the model foresees, e.g. a coin that ran dry).
    AbortCode expected_status = AbortCode::kNone;
    bool ends_commit = false;  // a suggested commit boundary follows this transaction
};

class Workload {
public:
    virtual ~Workload() = default;

    // The normalised name: "transfer", ..., "random", "trace:<file>".
    virtual const std::string& name() const = 0;
    // The objects to load before the first transaction, each at version 1, as a stream made on
    // demand (a synthetic genesis holds one account at a time): commit it with
    // SequentialExecutor::commit_genesis(source), which cuts it into parts. Each call gives a
    // fresh source over the same objects in the same order.
    virtual std::unique_ptr<GenesisSource> genesis_source() const = 0;
    // All of them in memory, sorted by id (tests and small genesis; a large one would not fit).
    std::vector<Object> genesis_objects() const;
    // The next transaction; nullopt once a finite workload is exhausted (synthetic ones are
    // endless).
    virtual std::optional<WorkloadTx> next() = 0;
    // The number of transactions of a finite workload; nullopt for an endless one.
    virtual std::optional<std::uint64_t> size() const = 0;
};

// Builds the named workload. A trace is read and checked in full here: errors (missing file,
// bad CSV with its line number) come back as a Status.
common::Result<std::unique_ptr<Workload>> make_workload(const WorkloadConfig& config);

}  // namespace remora::executor::workload
