#include "executor/workload/trace.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/hash.h"
#include "executor/tx/authenticators.h"
#include "executor/tx/canonical.h"
#include "executor/tx/limits.h"
#include "executor/workload/genesis.h"
#include "executor/workload/makers.h"
#include "executor/workload/world.h"

namespace remora::executor::workload {

namespace {

constexpr common::ByteView kTraceObjectDomain = "remora/trace/object/v1";
constexpr common::ByteView kTraceSenderDomain = "remora/trace/sender/v1";

ObjectId trace_object_id(common::ByteView kind, std::string_view key) {
    CanonicalWriter w(kTraceObjectDomain);
    w.bytes(kind);
    w.bytes(key);
    return common::blake2b_256(w.out());
}

struct Sender {
    KeyPair keys;
    Address address;
};

Sender trace_sender(std::uint64_t seed, std::string_view id) {
    CanonicalWriter w(kTraceSenderDomain);
    w.u64(seed);
    w.bytes(id);
    Seed key_seed;
    key_seed.bytes = common::blake2b_256(w.out()).bytes;
    Sender sender;
    sender.keys = keypair_from_seed(key_seed);
    sender.address = address_of(sender.keys.public_key);
    return sender;
}

// The declared inputs of a row, in order (sender, receiver, extras), each object once. A set
// of the ids seen keeps this O(n log n): a real transaction names hundreds of objects.
std::vector<ObjectId> row_objects(const TraceRow& row) {
    std::vector<ObjectId> unique;
    std::set<ObjectId> seen;
    auto add = [&](const ObjectId& id) {
        if (seen.insert(id).second) unique.push_back(id);
    };
    add(trace_account_id(row.sender));
    if (row.receiver) add(trace_account_id(*row.receiver));
    for (const auto& extra : row.extra_objects) add(trace_extra_object_id(extra));
    return unique;
}

// touch.rasm costs about 600 gas per object in the VM (input_id, input_read, object_write and
// a dozen instructions) plus the intrinsic gas::kPerInput (300). Rows of up to ~990 objects
// keep the default budget, so the transactions (and digests) of every trace that replayed
// before the input limit was raised stay the same; larger rows get enough for every object.
constexpr std::uint64_t kTraceGasPerObject = 1000;
constexpr std::uint64_t kTraceGasBase = 10'000;

std::uint64_t trace_gas_budget(std::size_t objects) {
    return std::max(kGasBudgetDefault, kTraceGasBase + kTraceGasPerObject * objects);
}

class TraceWorkload : public Workload {
public:
    TraceWorkload(std::string name, std::vector<TraceRow> rows, const WorkloadConfig& config,
                  std::size_t commit_objects_max)
        : m_name(std::move(name)),
          m_rows(std::move(rows)),
          m_commit_objects_max(commit_objects_max),
          m_seed(config.seed),
          m_invalid_ppm(invalid_rate_ppm(config.invalid_signature_rate)) {
        std::map<ObjectId, Object> objects;
        auto add = [&](const ObjectId& id, common::ByteView type) {
            Bytes zero;
            common::put_be64(zero, 0);
            objects.emplace(id, Object{id, 1, SharedOwner{}, TypeTag(type), zero});
        };
        m_row_objects.reserve(m_rows.size());
        for (const auto& row : m_rows) {
            m_row_objects.push_back(row_objects(row).size());
            add(trace_account_id(row.sender), kTraceAccountType);
            if (row.receiver) add(trace_account_id(*row.receiver), kTraceAccountType);
            for (const auto& extra : row.extra_objects) {
                add(trace_extra_object_id(extra), kTraceObjectType);
            }
        }
        Object touch = package_object(programs::ProgramId::kTouch);
        objects.emplace(touch.id, touch);
        m_objects.reserve(objects.size());
        for (auto& [id, object] : objects) m_objects.push_back(std::move(object));
    }

    const std::string& name() const override { return m_name; }
    std::unique_ptr<GenesisSource> genesis_source() const override {
        return std::make_unique<SpanGenesisSource>(m_objects);
    }
    std::optional<std::uint64_t> size() const override { return m_rows.size(); }

    std::optional<WorkloadTx> next() override {
        if (m_next >= m_rows.size()) return std::nullopt;
        const TraceRow& row = m_rows[m_next];
        // Keys are derived on first use: a replay that stops early pays only for its senders.
        auto found = m_senders.find(row.sender);
        if (found == m_senders.end()) {
            found = m_senders.emplace(row.sender, trace_sender(m_seed, row.sender)).first;
        }
        const Sender& sender = found->second;
        WorkloadTx out;
        out.tx.sender = sender.address;
        out.tx.nonce = m_next;  // the row index: distinct, so digests never repeat
        std::vector<ObjectId> objects = row_objects(row);
        m_commit_objects += objects.size();
        out.tx.inputs.reserve(objects.size());
        for (const auto& id : objects) out.tx.inputs.push_back(InputObject::shared(id));
        out.tx.gas_budget = trace_gas_budget(objects.size());
        out.tx.program = PackageCall{package_object_id(programs::ProgramId::kTouch), "touch"};
        out.tx.arguments = {std::uint64_t{out.tx.inputs.size()},
                            std::uint64_t{row.receiver ? 0u : 1u}};
        sign_transaction(out.tx, std::span<const KeyPair>(&sender.keys, 1));
        if (invalid_signature_at(m_next, m_invalid_ppm)) {
            break_signature(out.tx);
            out.expected_status = AbortCode::kInvalidAuthenticator;
        }
        ++m_next;
        out.ends_commit = m_next == m_rows.size() || m_rows[m_next].block != row.block ||
                          m_commit_objects + m_row_objects[m_next] > m_commit_objects_max;
        if (out.ends_commit) m_commit_objects = 0;
        return out;
    }

private:
    std::string m_name;
    std::vector<TraceRow> m_rows;
    std::size_t m_commit_objects_max;
    std::uint64_t m_seed;
    std::uint64_t m_invalid_ppm;
    std::map<std::string, Sender> m_senders;  // by sender id
    std::vector<Object> m_objects;            // sorted by id
    std::vector<std::size_t> m_row_objects;   // distinct objects of each row
    std::size_t m_next = 0;
    std::size_t m_commit_objects = 0;  // declared by the transactions of the open commit
};

}  // namespace

ObjectId trace_account_id(std::string_view account) { return trace_object_id("account", account); }

ObjectId trace_extra_object_id(std::string_view extra_object) {
    return trace_object_id("extra", extra_object);
}

common::Result<std::unique_ptr<Workload>> make_trace_workload_from_rows(
    std::string name, std::vector<TraceRow> rows, const WorkloadConfig& config,
    std::size_t commit_objects_max) {
    REMORA_ASSERT(!rows.empty());
    REMORA_ASSERT(commit_objects_max > 0);
    for (const TraceRow& row : rows) {
        std::size_t inputs = row_objects(row).size();
        if (inputs > executor::limits::kInputsMax) {
            return common::Status(common::Code::kInvalidArgument,
                                  name + " line " + std::to_string(row.line) + ": " +
                                      std::to_string(inputs) + " distinct objects exceed the " +
                                      std::to_string(executor::limits::kInputsMax) +
                                      " inputs a transaction may declare");
        }
    }
    return std::unique_ptr<Workload>(std::make_unique<TraceWorkload>(
        std::move(name), std::move(rows), config, commit_objects_max));
}

common::Result<std::unique_ptr<Workload>> make_trace_workload(const std::string& path,
                                                              const WorkloadConfig& config) {
    auto rows = read_trace_file(path);
    if (!rows.is_ok()) return rows.status();
    return make_trace_workload_from_rows("trace:" + path, std::move(rows).value(), config);
}

}  // namespace remora::executor::workload
