// End to end: each workload's first transactions through execute_transaction, in order, against
// an in-memory state seeded with its genesis. Every status must be the one the generator
// predicted (which also checks its owned-version model: a wrong version would abort with
// InputVersionMismatch), and the programs' invariants must hold.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "common/hash.h"
#include "executor/exec/execute.h"
#include "executor/exec/state.h"
#include "executor/exec/state_overlay.h"
#include "executor/tx/ids.h"
#include "executor/tx/limits.h"
#include "executor/vm/precompiles.h"
#include "executor/workload/genesis.h"
#include "executor/workload/trace.h"
#include "tests/executor/workload_support.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;
using remora::common::get_be64;

constexpr std::size_t kTxs = 300;

struct Run {
    InMemoryState state;
    std::vector<WorkloadTx> txs;
    std::vector<Effects> effects;
    std::map<AbortCode, std::size_t> statuses;
};

// Loads the genesis, executes `count` transactions in order and applies their effects.
void run(Workload& workload, std::size_t count, Run& out) {
    for (const auto& object : workload.genesis_objects()) out.state.put(object);
    for (std::size_t i = 0; i < count; ++i) {
        auto tx = workload.next();
        if (!tx) break;
        auto result = execute_transaction(tx->tx, out.state);
        REQUIRE(result.is_ok());
        const Effects& effects = result->effects;
        INFO("tx " << i << ": " << abort_code_name(effects.status.code) << " "
                   << effects.status.detail);
        REQUIRE(effects.status.code == tx->expected_status);
        apply_effects(out.state, effects);
        ++out.statuses[effects.status.code];
        out.txs.push_back(std::move(*tx));
        out.effects.push_back(effects);
    }
}

WorkloadConfig config_for(const std::string& name) {
    WorkloadConfig c;
    c.name = name;
    c.seed = 9;
    c.accounts = 40;
    c.shared_objects = 3;
    c.zipf_theta = 0.8;
    c.invalid_signature_rate = 0.05;
    c.batch_size = 10;  // received coins become spendable after 20 transactions
    c.compute_rounds = 50;
    return c;
}

// Sum of every live coin's balance, and of every pool's two reserves.
std::uint64_t coins_total(const InMemoryState& state) {
    std::uint64_t total = 0;
    for (const auto& [id, lookup] : state.entries()) {
        if (!lookup.object || lookup.object->type_tag != kCoinType) continue;
        total += get_be64(lookup.object->contents);
    }
    return total;
}
std::uint64_t reserves_total(const InMemoryState& state) {
    std::uint64_t total = 0;
    for (const auto& [id, lookup] : state.entries()) {
        if (!lookup.object || lookup.object->type_tag != kPoolType) continue;
        total += get_be64(lookup.object->contents, 0) + get_be64(lookup.object->contents, 8);
    }
    return total;
}

std::unique_ptr<Workload> make(const WorkloadConfig& c) {
    auto w = make_workload(c);
    INFO(w.status().to_string());
    REQUIRE(w.is_ok());
    return std::move(w).value();
}

TEST_CASE("execute: transfer succeeds as predicted and conserves coins", "[workload][execute]") {
    auto workload = make(config_for("transfer"));
    Run r;
    run(*workload, 0, r);
    std::uint64_t before = coins_total(r.state);
    run(*workload, kTxs, r);
    CHECK(r.statuses[AbortCode::kInvalidAuthenticator] == kTxs / 20);
    CHECK(r.statuses[AbortCode::kNone] == kTxs - kTxs / 20);
    CHECK(coins_total(r.state) == before);
    // Merges and whole-coin transfers happened too, not only splits.
    std::map<std::string, int> entries;
    for (const auto& t : r.txs) ++entries[std::get<PackageCall>(t.tx.program).entry_point];
    CHECK(entries["split_transfer"] > 0);
    CHECK(entries["merge"] > 0);
    CHECK(entries["transfer"] > 0);
}

TEST_CASE("execute: counters count every successful increment", "[workload][execute]") {
    auto workload = make(config_for("counter"));
    Run r;
    run(*workload, kTxs, r);
    std::map<ObjectId, std::uint64_t> expected;
    for (std::size_t i = 0; i < r.txs.size(); ++i) {
        if (!r.effects[i].status.is_success()) continue;
        expected[r.txs[i].tx.inputs[0].id] += std::get<std::uint64_t>(r.txs[i].tx.arguments[0]);
        REQUIRE(r.effects[i].events.size() == 1);
    }
    REQUIRE(expected.size() == 3);
    for (const auto& [id, count] : expected) {
        auto lookup = r.state.read(id);
        REQUIRE(lookup.is_ok());
        REQUIRE(lookup->exists());
        CHECK(get_be64(lookup->object->contents) == count);
    }
}

TEST_CASE("execute: nft mints create one child per serial", "[workload][execute]") {
    auto workload = make(config_for("nft"));
    Run r;
    run(*workload, kTxs, r);
    std::map<ObjectId, std::vector<Address>> minted;  // collection -> owners by serial
    for (std::size_t i = 0; i < r.txs.size(); ++i) {
        if (!r.effects[i].status.is_success()) continue;
        minted[r.txs[i].tx.inputs[0].id].push_back(r.txs[i].tx.sender);
    }
    std::size_t children = 0;
    for (const auto& [collection, owners] : minted) {
        auto lookup = r.state.read(collection);
        REQUIRE(lookup.is_ok());
        CHECK(get_be64(lookup->object->contents) == owners.size());
        for (std::size_t serial = 0; serial < owners.size(); ++serial) {
            std::string key;
            remora::common::put_be64(key, serial);
            auto child = r.state.read(dynamic_object_id(collection, key));
            REQUIRE(child.is_ok());
            REQUIRE(child->exists());
            CHECK(child->object->owner == Owner{OwnedByParent{collection}});
            CHECK(child->object->contents.substr(0, 32) == owners[serial].view());
            ++children;
        }
    }
    CHECK(children == r.statuses[AbortCode::kNone]);
}

TEST_CASE("execute: amm swaps conserve value and never lower the product", "[workload][execute]") {
    auto workload = make(config_for("amm"));
    Run r;
    run(*workload, 0, r);
    std::uint64_t before = coins_total(r.state) + reserves_total(r.state);
    run(*workload, kTxs, r);
    CHECK(r.statuses[AbortCode::kNone] == kTxs - kTxs / 20);
    CHECK(coins_total(r.state) + reserves_total(r.state) == before);
    const std::uint64_t reserve = 1'000'000'000;  // GenesisConfig's default
    for (const auto& [id, lookup] : r.state.entries()) {
        if (!lookup.object || lookup.object->type_tag != kPoolType) continue;
        auto a = static_cast<unsigned __int128>(get_be64(lookup.object->contents, 0));
        auto b = static_cast<unsigned __int128>(get_be64(lookup.object->contents, 8));
        CHECK(a * b >= static_cast<unsigned __int128>(reserve) * reserve);
        CHECK(lookup.object->version > 1);
    }
}

TEST_CASE("execute: compute writes the precompiles' results", "[workload][execute]") {
    auto workload = make(config_for("compute"));
    Run r;
    run(*workload, 120, r);
    std::size_t works = 0, attests = 0;
    for (std::size_t i = 0; i < r.txs.size(); ++i) {
        if (!r.effects[i].status.is_success()) continue;
        const Transaction& tx = r.txs[i].tx;
        REQUIRE(r.effects[i].written.size() == 1);
        const Bytes& written = r.effects[i].written[0].contents;
        const auto& first = std::get<Bytes>(tx.arguments[0]);
        if (std::get<PackageCall>(tx.program).entry_point == "work") {
            auto expected = vm::sha256(vm::iterated_hash(first, 50).view());
            CHECK(written == expected.view());
            ++works;
        } else {
            const auto& message = std::get<Bytes>(tx.arguments[1]);
            CHECK(written == remora::common::blake2b_256(message).view());
            ++attests;
        }
    }
    CHECK(works > 0);
    CHECK(attests > 0);
}

TEST_CASE("execute: mixed runs every kind as predicted", "[workload][execute]") {
    auto workload = make(config_for("mixed"));
    Run r;
    run(*workload, 0, r);
    std::uint64_t before = coins_total(r.state) + reserves_total(r.state);
    run(*workload, kTxs, r);
    CHECK(coins_total(r.state) + reserves_total(r.state) == before);
    std::set<ObjectId> packages;
    for (const auto& t : r.txs) packages.insert(std::get<PackageCall>(t.tx.program).package_id);
    CHECK(packages.size() == 5);
}

TEST_CASE("execute: trace rows touch their objects", "[workload][execute]") {
    remora::testing::TempDir dir;
    std::string path = dir.sub("t.csv");
    std::ofstream(path) << "block,tx_index,sender,receiver,extra_objects\n"
                        << "1,0,aa,bb,\n1,1,aa,aa,01:02\n2,0,cc,CREATE,\n2,1,bb,aa,01:02;03:04\n";
    WorkloadConfig c;
    c.name = "trace:" + path;
    auto workload = make(c);
    Run r;
    run(*workload, 10, r);
    REQUIRE(r.txs.size() == 4);
    CHECK(r.statuses[AbortCode::kNone] == 4);
    auto touches = [&](const ObjectId& id) {
        auto lookup = r.state.read(id);
        REQUIRE(lookup.is_ok());
        REQUIRE(lookup->exists());
        return get_be64(lookup->object->contents);
    };
    CHECK(touches(trace_account_id("aa")) == 3);
    CHECK(touches(trace_account_id("bb")) == 2);
    CHECK(touches(trace_account_id("cc")) == 1);
    CHECK(touches(trace_extra_object_id("01:02")) == 2);
    CHECK(touches(trace_extra_object_id("03:04")) == 1);
    REQUIRE(r.effects[2].created.size() == 1);  // the CREATE row deploys a contract object
    CHECK(r.effects[2].created[0].type_tag == "trace/contract");
}

TEST_CASE("execute: the real trace's first blocks run", "[workload][execute]") {
    std::string path = remora::testing::first_blocks_trace_path();
    REQUIRE(std::filesystem::exists(path));
    WorkloadConfig c;
    c.name = "trace:" + path;
    c.invalid_signature_rate = 0.02;
    auto workload = make(c);
    Run r;
    run(*workload, 500, r);
    CHECK(r.statuses[AbortCode::kInvalidAuthenticator] == 10);
    CHECK(r.statuses[AbortCode::kNone] == 490);
}

}  // namespace

namespace {

// Executes every transaction of a trace workload and checks that each touched its objects: the
// touch count of an object is the number of transactions that declared it.
void check_trace_replays(Workload& workload) {
    Run r;
    run(workload, std::numeric_limits<std::size_t>::max(), r);
    REQUIRE(!r.txs.empty());
    CHECK(r.statuses[AbortCode::kNone] == r.txs.size());
    std::map<ObjectId, std::uint64_t> declared;
    for (std::size_t i = 0; i < r.txs.size(); ++i) {
        for (const auto& input : r.txs[i].tx.inputs) ++declared[input.id];
        // Every declared input written (plus a contract object for a CREATE).
        CHECK(r.effects[i].written.size() == r.txs[i].tx.inputs.size());
    }
    for (const auto& [id, count] : declared) {
        auto lookup = r.state.read(id);
        REQUIRE(lookup.is_ok());
        REQUIRE(lookup->exists());
        CHECK(get_be64(lookup->object->contents) == count);
    }
}

}  // namespace

TEST_CASE("execute: every row of the large-rows trace replays", "[workload][execute]") {
    WorkloadConfig c;
    c.name = "trace:" + remora::testing::fixture_trace_path("large_rows.csv");
    auto workload = make(c);
    check_trace_replays(*workload);
}

TEST_CASE("execute: a transaction of 2,048 objects runs within every limit",
          "[workload][execute]") {
    TraceRow row;
    row.line = 2;
    row.sender = "aa";
    row.receiver = "aa";  // the sender itself: 1 + 2,047 extras
    for (std::size_t i = 0; i + 1 < remora::executor::limits::kInputsMax; ++i) {
        row.extra_objects.push_back("dd:" + std::to_string(5000 + i));
    }
    TraceRow create = row;  // the same objects again, and a contract created
    create.tx_index = 1;
    create.receiver.reset();
    auto workload = make_trace_workload_from_rows("rows", {row, create}, WorkloadConfig{});
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    check_trace_replays(**workload);
}
