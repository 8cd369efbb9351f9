#include "executor/workload/workload.h"

#include <algorithm>
#include <cmath>

#include "executor/vm/limits.h"
#include "executor/workload/limits.h"
#include "executor/workload/makers.h"
#include "executor/workload/random_workload.h"
#include "executor/workload/trace.h"

namespace remora::executor::workload {

namespace {

constexpr std::string_view kTracePrefix = "trace:";

common::Status invalid(std::string message) {
    return {common::Code::kInvalidArgument, std::move(message)};
}

// An endless workload over the World model, one maker per transaction.
class SyntheticWorkload : public Workload {
public:
    using Maker = WorkloadTx (*)(World&);

    SyntheticWorkload(std::string name, const GenesisConfig& genesis, const WorkloadConfig& config,
                      Maker maker)
        : m_name(std::move(name)), m_world(genesis, config), m_maker(maker) {}

    const std::string& name() const override { return m_name; }
    std::unique_ptr<GenesisSource> genesis_source() const override {
        return synthetic_genesis_source(m_world.genesis_config());
    }
    std::optional<WorkloadTx> next() override { return m_maker(m_world); }
    std::optional<std::uint64_t> size() const override { return std::nullopt; }

private:
    std::string m_name;
    World m_world;
    Maker m_maker;
};

SyntheticWorkload::Maker maker_for(WorkloadKind kind) {
    switch (kind) {
        case WorkloadKind::kTransfer:
            return make_transfer_tx;
        case WorkloadKind::kCounter:
            return make_counter_tx;
        case WorkloadKind::kNft:
            return make_nft_tx;
        case WorkloadKind::kAmm:
            return make_amm_tx;
        case WorkloadKind::kCompute:
            return make_compute_tx;
        case WorkloadKind::kMixed:
            return make_mixed_tx;
        case WorkloadKind::kTrace:
        case WorkloadKind::kRandom:
            break;
    }
    REMORA_ASSERT(false && "no maker for this workload kind");
    return nullptr;
}

}  // namespace

std::string_view workload_kind_name(WorkloadKind kind) {
    switch (kind) {
        case WorkloadKind::kTransfer:
            return "transfer";
        case WorkloadKind::kCounter:
            return "counter";
        case WorkloadKind::kNft:
            return "nft";
        case WorkloadKind::kAmm:
            return "amm";
        case WorkloadKind::kCompute:
            return "compute";
        case WorkloadKind::kMixed:
            return "mixed";
        case WorkloadKind::kTrace:
            return "trace";
        case WorkloadKind::kRandom:
            return "random";
    }
    return "unknown";
}

common::Result<WorkloadSpec> parse_workload_name(std::string_view name) {
    if (name.substr(0, kTracePrefix.size()) == kTracePrefix) {
        std::string path(name.substr(kTracePrefix.size()));
        if (path.empty()) return invalid("workload 'trace:' needs a file: trace:<file.csv>");
        return WorkloadSpec{WorkloadKind::kTrace, std::move(path)};
    }
    for (WorkloadKind kind :
         {WorkloadKind::kTransfer, WorkloadKind::kCounter, WorkloadKind::kNft, WorkloadKind::kAmm,
          WorkloadKind::kCompute, WorkloadKind::kMixed, WorkloadKind::kRandom}) {
        if (name == workload_kind_name(kind)) return WorkloadSpec{kind, {}};
    }
    return invalid("unknown workload '" + std::string(name) +
                   "': expected transfer, counter, nft, amm, compute, mixed, random or "
                   "trace:<file>");
}

common::Status validate_workload_config(const WorkloadConfig& c) {
    auto spec = parse_workload_name(c.name);
    if (!spec.is_ok()) return spec.status();
    if (c.accounts < 1 || c.accounts > limits::kAccountsMax) {
        return invalid("accounts " + std::to_string(c.accounts) + " is outside 1.." +
                       std::to_string(limits::kAccountsMax));
    }
    if (!(c.zipf_theta >= 0.0 && c.zipf_theta <= limits::kZipfThetaMax)) {
        return invalid("zipf theta " + std::to_string(c.zipf_theta) + " is outside 0.." +
                       std::to_string(limits::kZipfThetaMax));
    }
    if (c.shared_objects < 1 || c.shared_objects > limits::kSharedObjectsMax) {
        return invalid("shared objects " + std::to_string(c.shared_objects) + " is outside 1.." +
                       std::to_string(limits::kSharedObjectsMax));
    }
    if (!(c.invalid_signature_rate >= 0.0 && c.invalid_signature_rate <= 1.0)) {
        return invalid("invalid-signature rate " + std::to_string(c.invalid_signature_rate) +
                       " is outside 0..1");
    }
    if (c.batch_size < 1 || c.batch_size > limits::kBatchSizeMax) {
        return invalid("batch size " + std::to_string(c.batch_size) + " is outside 1.." +
                       std::to_string(limits::kBatchSizeMax));
    }
    if (c.compute_rounds < 1 || c.compute_rounds > vm::limits::kIteratedHashRoundsMax) {
        return invalid("compute rounds " + std::to_string(c.compute_rounds) + " is outside 1.." +
                       std::to_string(vm::limits::kIteratedHashRoundsMax));
    }
    return common::Status::ok();
}

common::Result<std::unique_ptr<Workload>> make_workload(const WorkloadConfig& config) {
    REMORA_RETURN_IF_ERROR(validate_workload_config(config));
    WorkloadSpec spec = parse_workload_name(config.name).value();
    if (spec.kind == WorkloadKind::kTrace) {
        auto trace = make_trace_workload(spec.trace_path, config);
        if (!trace.is_ok()) return trace.status();
        return std::unique_ptr<Workload>(std::move(trace).value());
    }
    if (spec.kind == WorkloadKind::kRandom) return make_random_workload(config);
    const GenesisConfig genesis = synthetic_genesis_config(config);
    REMORA_RETURN_IF_ERROR(validate_genesis_config(genesis));
    return std::unique_ptr<Workload>(std::make_unique<SyntheticWorkload>(
        std::string(workload_kind_name(spec.kind)), genesis, config, maker_for(spec.kind)));
}

std::vector<Object> Workload::genesis_objects() const {
    auto source = genesis_source();
    std::vector<Object> objects;
    objects.reserve(static_cast<std::size_t>(source->size()));
    while (auto object = source->next()) objects.push_back(std::move(*object));
    std::sort(objects.begin(), objects.end(),
              [](const Object& a, const Object& b) { return a.id < b.id; });
    return objects;
}

}  // namespace remora::executor::workload
