// The tools killed (SIGKILL) at random instants (issue 9, "crash tests that reach more"):
//   - `remora-inspect snapshot create`: the store is intact (against the oracle), every listed
//     snapshot verifies and holds the state of its commit, and the next create completes and
//     leaves no `.tmp-*` behind;
//   - `remora-inspect snapshot restore`: the snapshot still verifies, the target is absent or a
//     complete store with the snapshot's state, and a rerun completes and leaves no staging;
//   - `remora-bench sequential --db`: what it leaves is either no data (never "damaged") or an
//     exact prefix of the uninterrupted run: the same commit records, objects whose recomputed
//     digest is the last one's, and commits that `replay-verify` accepts.
// Each kill instant is uniform over the duration of one uninterrupted run, measured first.
// REMORA_CRASH_SEED=N reproduces a printed seed; REMORA_CRASH_KILLS=N sets the kills per case.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "recovery/snapshot.h"
#include "storage/store.h"
#include "tests/support/store_oracle.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

using namespace remora;
using namespace remora::testing;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::microseconds;

namespace {

constexpr std::chrono::milliseconds kRunTimeout{120'000};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

struct Seeded {
    std::uint64_t seed;
    std::uint64_t kills;
    std::mt19937_64 rng;
};

Seeded seeded(const char* what, std::uint64_t kills_default) {
    const std::uint64_t seed = env_or("REMORA_CRASH_SEED", std::random_device{}());
    const std::uint64_t kills = env_or("REMORA_CRASH_KILLS", kills_default);
    std::printf("tool_crash_test (%s): seed %llu, %llu kills (rerun with REMORA_CRASH_SEED=%llu)\n",
                what, static_cast<unsigned long long>(seed), static_cast<unsigned long long>(kills),
                static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    return {seed, kills, std::mt19937_64(seed)};
}

// Runs `program` to its end and says how long it took.
ChildResult timed_run(const std::string& program, const std::vector<std::string>& args,
                      microseconds& took) {
    const auto start = std::chrono::steady_clock::now();
    ChildResult result = run_child_for(program, args, kRunTimeout);
    took = std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() - start);
    return result;
}

// Starts `program`, SIGKILLs it `delay` later (if it still runs) and reaps it. The
// StartedChild ends exactly its own pid, also when a REQUIRE fails. A child that exits on its
// own before `delay` shortens `run` to how long it took: the first, timed run may have been slow
// (a loaded machine), and kill instants drawn from a run much longer than the real ones would
// leave every later run unkilled.
ChildResult run_and_kill(const std::string& program, const std::vector<std::string>& args,
                         microseconds delay, microseconds& run) {
    const auto start = std::chrono::steady_clock::now();
    StartedChild child(program, args);
    const auto deadline = start + delay;
    while (std::chrono::steady_clock::now() < deadline && child.running()) {
        std::this_thread::sleep_for(std::min<microseconds>(
            microseconds(200),
            std::chrono::duration_cast<microseconds>(deadline - std::chrono::steady_clock::now())));
    }
    if (!child.running()) {
        const auto took =
            std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() - start);
        run = std::min(run, took);
    }
    child.signal(SIGKILL);
    return child.wait(kRunTimeout);
}

// A kill instant, uniform over [0, 1.2 * one run).
microseconds kill_delay(std::mt19937_64& rng, microseconds run) {
    return microseconds(rng() % static_cast<std::uint64_t>(run.count() * 6 / 5 + 1));
}

// Exit 0 (it finished before the kill) or death by SIGKILL.
bool killed(const ChildResult& result) {
    INFO("exit " << result.exit_code << "\n" << result.out << result.err);
    REQUIRE((result.exit_code == 0 || result.exit_code == 128 + SIGKILL));
    return result.exit_code != 0;
}

std::vector<std::string> entries_with_prefix(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0) out.push_back(name);
    }
    return out;
}

// A store fed by the oracle's generator in this process, with the digest of every commit.
struct OracleStore {
    std::string db;
    std::uint64_t seed;
    StoreOracle oracle;
    std::map<CommitIndex, common::Digest> digest_at;

    // Commits `n` more generated commits (the last ones stay in the memtable and WAL, so a
    // snapshot's checkpoint has something to flush).
    void commit_more(std::uint64_t n) {
        storage::StoreOptions options;
        options.create_if_missing = oracle.applied_commit() == 0;
        auto store = storage::Store::open(db, storage::OpenMode::kReadWrite, options);
        REQUIRE(store.is_ok());
        for (std::uint64_t i = 0; i < n; ++i) {
            storage::CommitInput input = generate_commit(seed, oracle.applied_commit() + 1, oracle);
            REQUIRE((*store)->commit(input).is_ok());
            oracle.apply(input);
            digest_at[oracle.applied_commit()] = oracle.expected_digest();
        }
    }

    // The store holds exactly the oracle's commits.
    void check() const {
        auto store = storage::Store::open(db, storage::OpenMode::kReadOnly);
        INFO("open " << db << ": " << (store ? "ok" : store.status().to_string()));
        REQUIRE(store.is_ok());
        REQUIRE(diff_store(**store, oracle, GeneratorOptions{}.id_pool_size) == "");
    }
};

}  // namespace

TEST_CASE("snapshot create killed at any instant leaves the store intact and no partial snapshot",
          "[crash]") {
    Seeded s = seeded("snapshot create", 12);
    TempDir tmp("remora-tool-crash");
    OracleStore source{tmp.sub("db"), s.seed, {}, {}};
    const std::string snapshots = recovery::snapshots_dir(source.db);
    auto create = [&] { return std::vector<std::string>{"--db", source.db, "snapshot", "create"}; };
    source.commit_more(40);
    microseconds run{};
    ChildResult first = timed_run(REMORA_INSPECT_BIN, create(), run);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);

    int kills = 0, complete_after_kill = 0, leftovers = 0;
    for (std::uint64_t round = 0; round < s.kills; ++round) {
        source.commit_more(5 + s.rng() % 20);
        const CommitIndex commit = source.oracle.applied_commit();
        const microseconds delay = kill_delay(s.rng, run);
        INFO("seed " << s.seed << ", round " << round << ": killed " << delay.count()
                     << " us after the start of a create at commit " << commit);
        ChildResult result = run_and_kill(REMORA_INSPECT_BIN, create(), delay, run);
        if (killed(result)) ++kills;

        source.check();
        // Whatever is listed is whole: it verifies, and holds the state of its commit.
        auto listed = recovery::list_snapshots(snapshots);
        INFO("list: " << (listed ? "ok" : listed.status().to_string()));
        REQUIRE(listed.is_ok());
        bool present = false;
        for (const recovery::SnapshotInfo& info : *listed) {
            auto verified = recovery::verify_snapshot(info.path);
            INFO(info.path << ": " << (verified ? "ok" : verified.status().to_string()));
            REQUIRE(verified.is_ok());
            REQUIRE(source.digest_at.count(info.manifest.commit_index) == 1);
            REQUIRE(info.manifest.state_digest == source.digest_at[info.manifest.commit_index]);
            present = present || info.manifest.commit_index == commit;
        }
        if (result.exit_code != 0 && present) ++complete_after_kill;
        if (!entries_with_prefix(snapshots, recovery::kTempPrefix).empty()) ++leftovers;

        // The next create finishes the job (or finds it done) and removes the leftovers.
        ChildResult again = run_child_for(REMORA_INSPECT_BIN, create(), kRunTimeout);
        INFO("create again: exit " << again.exit_code << " " << again.err);
        CHECK(again.exit_code == (present ? 1 : 0));
        CHECK(entries_with_prefix(snapshots, recovery::kTempPrefix).empty());
        auto verified =
            recovery::verify_snapshot(snapshots + "/" + recovery::snapshot_name(commit));
        INFO("verify: " << (verified ? "ok" : verified.status().to_string()));
        REQUIRE(verified.is_ok());
        source.check();
    }
    std::printf(
        "tool_crash_test (snapshot create): %d of %llu runs killed, %d of them after the "
        "snapshot was complete, %d left a .tmp-* behind\n",
        kills, static_cast<unsigned long long>(s.kills), complete_after_kill, leftovers);
    CHECK(kills > 0);
}

TEST_CASE("snapshot restore killed at any instant leaves no target or a complete store",
          "[crash]") {
    Seeded s = seeded("snapshot restore", 12);
    TempDir tmp("remora-tool-crash");
    OracleStore source{tmp.sub("db"), s.seed, {}, {}};
    source.commit_more(60);
    {
        auto store = storage::Store::open(source.db, storage::OpenMode::kReadWrite);
        REQUIRE(store.is_ok());
        REQUIRE(recovery::create_snapshot(**store).is_ok());
    }
    const std::string snapshot = recovery::snapshots_dir(source.db) + "/" +
                                 recovery::snapshot_name(source.oracle.applied_commit());
    auto restore = [&](const std::string& target) {
        return std::vector<std::string>{"snapshot", "restore", snapshot, "--into", target};
    };
    microseconds run{};
    ChildResult first = timed_run(REMORA_INSPECT_BIN, restore(tmp.sub("first")), run);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);

    int kills = 0, complete_after_kill = 0, staging_left = 0;
    for (std::uint64_t round = 0; round < s.kills; ++round) {
        const std::string target = tmp.sub("restored-" + std::to_string(round));
        const std::string staging = target + ".tmp-restore";
        const microseconds delay = kill_delay(s.rng, run);
        INFO("seed " << s.seed << ", round " << round << ": killed " << delay.count()
                     << " us after the start of a restore");
        ChildResult result = run_and_kill(REMORA_INSPECT_BIN, restore(target), delay, run);
        if (killed(result)) ++kills;

        auto verified = recovery::verify_snapshot(snapshot);
        INFO("snapshot: " << (verified ? "ok" : verified.status().to_string()));
        REQUIRE(verified.is_ok());
        const bool present = fs::exists(target);
        if (present) {
            // A target that has its name is a whole store with the snapshot's state.
            OracleStore{target, s.seed, source.oracle, {}}.check();
            if (result.exit_code != 0) ++complete_after_kill;
        }
        if (fs::exists(staging)) ++staging_left;

        ChildResult again = run_child_for(REMORA_INSPECT_BIN, restore(target), kRunTimeout);
        INFO("restore again: exit " << again.exit_code << " " << again.err);
        CHECK(again.exit_code == (present ? 1 : 0));  // a store is never restored over
        CHECK_FALSE(fs::exists(staging));
        OracleStore{target, s.seed, source.oracle, {}}.check();
        fs::remove_all(target);
    }
    std::printf(
        "tool_crash_test (snapshot restore): %d of %llu runs killed, %d of them after "
        "the target was complete, %d left the staging directory behind\n",
        kills, static_cast<unsigned long long>(s.kills), complete_after_kill, staging_left);
    CHECK(kills > 0);
}

namespace {

Json single_json(const ChildResult& result) {
    INFO("exit " << result.exit_code << ", stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(!result.out.empty());
    return Json::parse(result.out);
}

Json inspect_json(const std::string& db, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", db, "--json"};
    all.insert(all.end(), args.begin(), args.end());
    return single_json(run_child_for(REMORA_INSPECT_BIN, all, kRunTimeout));
}

}  // namespace

TEST_CASE("remora-bench sequential killed mid-run leaves an exact prefix replay-verify accepts",
          "[crash]") {
    Seeded s = seeded("bench sequential", 6);
    TempDir tmp("remora-tool-crash");
    auto bench = [&](const std::string& dir) {
        return std::vector<std::string>{"sequential", "--workload", "transfer", "--txs",
                                        "2000",       "--seed",     "7",        "--batch",
                                        "50",         "--db",       dir};
    };
    const std::string reference = tmp.sub("reference");
    microseconds run{};
    ChildResult full = timed_run(REMORA_BENCH_BIN, bench(reference), run);
    INFO(full.err);
    REQUIRE(full.exit_code == 0);

    int no_data = 0, prefixes = 0;
    CommitIndex longest = 0;
    for (std::uint64_t round = 0; round < s.kills; ++round) {
        const std::string dir = tmp.sub("killed-" + std::to_string(round));
        const std::string store = dir + "/store";
        const microseconds delay = kill_delay(s.rng, run);
        INFO("seed " << s.seed << ", round " << round << ": killed " << delay.count()
                     << " us after the start of the run");
        killed(run_and_kill(REMORA_BENCH_BIN, bench(dir), delay, run));

        ChildResult status =
            run_child_for(REMORA_INSPECT_BIN, {"--db", store, "--json", "status"}, kRunTimeout);
        INFO("status: exit " << status.exit_code << " " << status.err);
        if (status.exit_code != 0) {
            // Killed before the store held a commit: no store ("not a Remora database"), an
            // unfinished creation, or one killed before it created any of our column families
            // ("not a Remora store"); never a store that claims to be damaged.
            CHECK(status.exit_code == 1);
            CHECK((status.err.find("not a Remora ") != std::string::npos ||
                   status.err.find("interrupted store creation") != std::string::npos));
            ++no_data;
            continue;
        }
        const auto applied = single_json(status)["applied_commit"].get<CommitIndex>();
        if (applied == 0) {
            ++no_data;
            continue;
        }
        // Commit by commit the same records as the uninterrupted run: an exact prefix.
        for (CommitIndex k = 1; k <= applied; ++k) {
            INFO("commit " << k << " of " << applied);
            CHECK(inspect_json(store, {"commit", std::to_string(k)}) ==
                  inspect_json(reference + "/store", {"commit", std::to_string(k)}));
        }
        // The objects hold that commit's state, and re-executing the commits reaches it.
        const Json digest = inspect_json(store, {"digest", "--recompute"});
        INFO("digest --recompute: " << digest.dump());
        CHECK(digest["match"] == true);
        CHECK(digest["recomputed_digest"] ==
              inspect_json(reference + "/store",
                           {"commit", std::to_string(applied)})["state_digest"]);
        const Json replay = inspect_json(store, {"replay-verify"});
        INFO("replay-verify: " << replay.dump());
        CHECK(replay["match"] == true);
        CHECK(replay["commits"] == applied);
        ++prefixes;
        longest = std::max(longest, applied);
    }
    std::printf(
        "tool_crash_test (bench sequential): %llu runs killed, %d left no data, %d an "
        "exact prefix (the longest %llu commits)\n",
        static_cast<unsigned long long>(s.kills), no_data, prefixes,
        static_cast<unsigned long long>(longest));
    CHECK(prefixes > 0);
}
