// The synthetic workload generators: names, knobs, determinism, the invalid-signature schedule
// and commit boundaries (tests/executor/workload_execute_test.cpp runs what they generate).

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "executor/tx/authenticators.h"
#include "executor/workload/world.h"
#include "tests/executor/workload_support.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;
using remora::testing::generate;
using remora::testing::transaction_bytes;

const char* const kSynthetic[] = {"transfer", "counter", "nft",   "amm",
                                  "compute",  "mixed",   "random"};

WorkloadConfig config_for(const std::string& name, std::uint64_t seed = 42) {
    WorkloadConfig c;
    c.name = name;
    c.seed = seed;
    c.accounts = 50;
    c.shared_objects = 4;
    c.batch_size = 25;
    c.compute_rounds = 10;
    c.invalid_signature_rate = 0.1;
    c.zipf_theta = 0.9;
    return c;
}

TEST_CASE("workload names parse, unknown ones are clear errors", "[workload]") {
    for (const char* name : kSynthetic) {
        auto spec = parse_workload_name(name);
        REQUIRE(spec.is_ok());
        CHECK(workload_kind_name(spec->kind) == name);
    }
    auto trace = parse_workload_name("trace:/data/blocks.csv");
    REQUIRE(trace.is_ok());
    CHECK(trace->kind == WorkloadKind::kTrace);
    CHECK(trace->trace_path == "/data/blocks.csv");

    for (const char* bad : {"", "Transfer", "transfers", "trace", "trace:", "counter "}) {
        INFO(bad);
        auto spec = parse_workload_name(bad);
        REQUIRE_FALSE(spec.is_ok());
        CHECK(spec.status().code() == remora::common::Code::kInvalidArgument);
        CHECK_THAT(spec.status().message(), Catch::Contains("trace:<file"));
    }
    auto unknown = make_workload(config_for("bogus"));
    REQUIRE_FALSE(unknown.is_ok());
    CHECK_THAT(unknown.status().message(), Catch::Contains("unknown workload 'bogus'"));
}

TEST_CASE("workload knobs outside their bounds are errors", "[workload]") {
    auto rejected = [](const WorkloadConfig& c, const std::string& words) {
        auto status = validate_workload_config(c);
        REQUIRE_FALSE(status.is_ok());
        CHECK(status.code() == remora::common::Code::kInvalidArgument);
        CHECK_THAT(status.message(), Catch::Contains(words));
        CHECK_FALSE(make_workload(c).is_ok());
    };
    auto c = config_for("counter");
    c.accounts = 0;
    rejected(c, "accounts");
    c = config_for("counter");
    c.zipf_theta = -0.5;
    rejected(c, "zipf theta");
    c = config_for("counter");
    c.invalid_signature_rate = 1.5;
    rejected(c, "invalid-signature rate");
    c = config_for("counter");
    c.shared_objects = 0;
    rejected(c, "shared objects");
    c = config_for("counter");
    c.batch_size = 0;
    rejected(c, "batch size");
    c = config_for("compute");
    c.compute_rounds = 2'000'000;
    rejected(c, "compute rounds");
    CHECK(validate_workload_config(config_for("mixed")).is_ok());
}

TEST_CASE("each workload is deterministic: same config, same bytes", "[workload]") {
    for (const char* name : kSynthetic) {
        INFO(name);
        auto first = generate(config_for(name), 300);
        auto second = generate(config_for(name), 300);
        auto reseeded = generate(config_for(name, 43), 300);
        REQUIRE(first.size() == 300);
        REQUIRE(second.size() == 300);
        std::set<Digest> digests;
        std::size_t differs = 0;
        for (std::size_t i = 0; i < first.size(); ++i) {
            CHECK(transaction_bytes(first[i].tx) == transaction_bytes(second[i].tx));
            CHECK(first[i].expected_status == second[i].expected_status);
            CHECK(first[i].ends_commit == second[i].ends_commit);
            CHECK(validate_transaction(first[i].tx).is_ok());
            digests.insert(transaction_digest(first[i].tx));
            if (transaction_bytes(first[i].tx) != transaction_bytes(reseeded[i].tx)) ++differs;
        }
        CHECK(digests.size() == first.size());  // nonces keep digests distinct
        CHECK(differs == first.size());         // another seed, other accounts and ids

        auto w1 = make_workload(config_for(name));
        auto w2 = make_workload(config_for(name));
        REQUIRE(w1.is_ok());
        REQUIRE(w2.is_ok());
        CHECK((*w1)->genesis_objects() == (*w2)->genesis_objects());
        CHECK((*w1)->name() == name);
        CHECK_FALSE((*w1)->size().has_value());
    }
}

TEST_CASE("the invalid-signature rate breaks exactly the scheduled transactions", "[workload]") {
    for (double rate : {0.0, 0.1, 0.25, 1.0}) {
        INFO("rate " << rate);
        auto c = config_for("mixed");
        c.invalid_signature_rate = rate;
        auto txs = generate(c, 400);
        REQUIRE(txs.size() == 400);
        std::size_t broken = 0;
        for (std::size_t i = 0; i < txs.size(); ++i) {
            bool scheduled = invalid_signature_at(i, invalid_rate_ppm(rate));
            bool marked = txs[i].expected_status == AbortCode::kInvalidAuthenticator;
            CHECK(marked == scheduled);
            AuthenticatorReport report = verify_authenticators(txs[i].tx);
            CHECK(report.sender_matches);
            CHECK(report.authorized() == !scheduled);
            if (scheduled) ++broken;
            // Every prefix holds exactly floor(n × rate) broken transactions.
            CHECK(broken == static_cast<std::size_t>((i + 1) * invalid_rate_ppm(rate) / 1'000'000));
        }
        CHECK(broken == static_cast<std::size_t>(400 * rate));
    }
}

TEST_CASE("synthetic workloads suggest a commit every batch_size transactions", "[workload]") {
    auto txs = generate(config_for("counter"), 100);
    for (std::size_t i = 0; i < txs.size(); ++i) {
        CHECK(txs[i].ends_commit == ((i + 1) % 25 == 0));
    }
}

TEST_CASE("zipf skew concentrates the senders", "[workload]") {
    auto count_hottest = [](double theta) {
        auto c = config_for("counter");
        c.zipf_theta = theta;
        c.invalid_signature_rate = 0;
        auto txs = generate(c, 1000);
        std::map<Address, int> per_sender;
        for (const auto& t : txs) ++per_sender[t.tx.sender];
        int hottest = 0;
        for (const auto& [sender, n] : per_sender) hottest = std::max(hottest, n);
        return hottest;
    };
    // Uniform over 50 accounts: about 20 each. theta = 1.5: the hottest gets about 40%.
    CHECK(count_hottest(0.0) < 60);
    CHECK(count_hottest(1.5) > 250);
}

}  // namespace
