// Crash safety of the store: SIGKILL a writer (crash_writer.cpp) at random moments, reopen the
// store, and check that it holds exactly commits 1..B for the B it names, with
// last acknowledged <= B <= last started, against the oracle replayed for 1..B.
// Four workloads (crash_modes.h): small commits (kills in commits and opens), commits larger
// than the memtables (kills in flushes and compactions), and many-batch prunes (kills between
// a prune's batches: the watermark is the old or the new one, and the history reads at or above
// it are unchanged), and commits through the commit pipeline (kills with several applied
// commits not yet written: still exactly a prefix, never less than what was acknowledged).
// The seed is printed; REMORA_CRASH_SEED=N reproduces a run, REMORA_CRASH_KILLS=N sets the
// number of kills of every case.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "storage/store.h"
#include "tests/storage/crash_modes.h"
#include "tests/support/store_oracle.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace remora::testing {
namespace {

using std::chrono::microseconds;
using storage::OpenMode;
using storage::Store;

constexpr std::uint64_t kKillsMax = 100'000;
constexpr std::chrono::milliseconds kWordTimeout{20'000};
constexpr std::chrono::milliseconds kReapTimeout{20'000};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

// What one writer run printed before it died.
struct ChildReport {
    ChildResult result;
    std::optional<CommitIndex> ready;  // B when the writer opened the store
    std::optional<CommitIndex> last_start;
    std::optional<CommitIndex> last_ack;
    std::optional<Version> last_prune_start;
    std::optional<Version> last_prune_done;
    // RocksDB background jobs its LOG shows begun and not finished when it died.
    int flushes_in_flight = 0;
    int compactions_in_flight = 0;
};

void parse_output(ChildReport& report) {
    std::istringstream lines(report.result.out);
    std::string word;
    std::uint64_t n = 0;
    auto raise = [](std::optional<std::uint64_t>& slot, std::uint64_t value) {
        slot = std::max(slot.value_or(0), value);
    };
    while (lines >> word >> n) {
        if (word == "ready") report.ready = n;
        if (word == "start") raise(report.last_start, n);
        if (word == "ack") raise(report.last_ack, n);
        if (word == "prune-start") raise(report.last_prune_start, n);
        if (word == "prune-done") raise(report.last_prune_done, n);
    }
}

// Counts the flushes and compactions that RocksDB's info LOG (its event lines) shows started
// and not finished: the kill landed inside them. Read before the reopen rotates the LOG.
void count_background_jobs(const std::string& db, ChildReport& report) {
    std::ifstream log(db + "/LOG");
    std::string line;
    auto has = [&line](const char* event) { return line.find(event) != std::string::npos; };
    while (std::getline(log, line)) {
        if (has(R"("event": "flush_started")")) ++report.flushes_in_flight;
        if (has(R"("event": "flush_finished")")) --report.flushes_in_flight;
        if (has(R"("event": "compaction_started")")) ++report.compactions_in_flight;
        if (has(R"("event": "compaction_finished")")) --report.compactions_in_flight;
    }
}

// When to kill: `delay` after the spawn, or after the writer first printed `after_word` (so
// the delay is spent in what follows it rather than in opening RocksDB, which alone takes tens
// of milliseconds).
struct KillPlan {
    std::string after_word;  // "" = after the spawn
    microseconds delay{0};
};

// Polls the child's output until it holds `word` or the child exits.
void wait_for_word(StartedChild& child, const std::string& word) {
    const auto deadline = std::chrono::steady_clock::now() + kWordTimeout;
    while (child.out_so_far().find(word) == std::string::npos && child.running()) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);  // hung in open or replay
        std::this_thread::sleep_for(microseconds(200));
    }
}

// Starts the writer, kills it as planned, and collects its output. The StartedChild kills and
// reaps exactly its own pid if a REQUIRE ends the test early.
ChildReport run_and_kill(const std::string& db, std::uint64_t seed, const CrashMode& mode,
                         const KillPlan& plan) {
    StartedChild child(REMORA_CRASH_WRITER_PATH,
                       {db, std::to_string(seed), std::string(mode.name)});
    if (!plan.after_word.empty()) wait_for_word(child, plan.after_word);
    std::this_thread::sleep_for(plan.delay);
    child.signal(SIGKILL);
    ChildReport report;
    report.result = child.wait(kReapTimeout);
    parse_output(report);
    count_background_jobs(db, report);
    return report;
}

KillPlan random_plan(std::mt19937_64& rng, const CrashMode& mode) {
    switch (rng() % 8) {
        case 0:  // right after the spawn: exec, RocksDB open, creation of the store
            return {"", microseconds(rng() % 2'001)};
        case 1:  // somewhere in start-up: WAL recovery, replay of the generator
            return {"", microseconds(2'000 + rng() % 150'001)};
        default:
            // Inside a prune: its batches are synced writes of a few hundred microseconds.
            if (mode.prune_every != 0 && rng() % 2 == 0) {
                return {"prune-start", microseconds(rng() % 3'001)};
            }
            return {"ready", microseconds(5'000 + rng() % 55'001)};  // while committing
    }
}

struct Outcomes {
    std::uint64_t commits = 0;
    std::uint64_t before_ready = 0;
    std::uint64_t in_flight_kept = 0;          // killed between start and ack, commit durable
    std::uint64_t in_flight_lost = 0;          // killed between start and ack, commit absent
    std::uint64_t several_in_flight = 0;       // killed with two or more started, not acked
    std::uint64_t in_prune = 0;                // killed between prune-start and prune-done
    std::uint64_t in_prune_new_watermark = 0;  // ... and the new watermark was durable
    std::uint64_t in_flush = 0;                // a flush in flight at the kill
    std::uint64_t in_compaction = 0;           // a compaction in flight at the kill
};

// Kills the writer of `mode` `kills` times and checks the store after each kill; starts over
// with a new store every `kills_per_store` kills (0: never), so that a long run of a workload
// with large commits stays within memory (the oracle holds every version).
Outcomes kill_repeatedly(const CrashMode& mode, std::uint64_t kills_default,
                         std::uint64_t kills_per_store = 0) {
    const std::uint64_t seed = env_or("REMORA_CRASH_SEED", std::random_device{}());
    const std::uint64_t kills = std::min(env_or("REMORA_CRASH_KILLS", kills_default), kKillsMax);
    const std::string name(mode.name);
    std::printf(
        "store_crash_test (%s): seed %llu, %llu kills (rerun with REMORA_CRASH_SEED=%llu)\n",
        name.c_str(), static_cast<unsigned long long>(seed), static_cast<unsigned long long>(kills),
        static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    INFO("mode " << name << ", seed " << seed << " (rerun with REMORA_CRASH_SEED=" << seed << ")");

    TempDir dir("remora-crash");
    std::string db;
    std::mt19937_64 rng(seed);
    StoreOracle oracle;     // commits 1..B, never pruned
    Version watermark = 0;  // the store's retention watermark after the last reopen
    bool created = false;   // some writer has opened (so created) the store
    Outcomes outcomes;

    for (std::uint64_t kill = 0; kill < kills; ++kill) {
        if (kill == 0 || (kills_per_store != 0 && kill % kills_per_store == 0)) {
            db = dir.sub("db-" + std::to_string(kill));
            oracle = StoreOracle{};
            watermark = 0;
            created = false;
        }
        const KillPlan plan = random_plan(rng, mode);
        ChildReport report = run_and_kill(db, seed, mode, plan);
        INFO("kill " << kill << ", " << plan.delay.count() << " us after "
                     << (plan.after_word.empty() ? "spawn" : plan.after_word) << "; writer said:\n"
                     << report.result.out << report.result.err);
        REQUIRE(report.result.exit_code == 128 + SIGKILL);

        const CommitIndex before = oracle.applied_commit();
        if (report.ready) {
            REQUIRE(*report.ready == before);
            created = true;
        }
        storage::StoreOptions options;
        // Until a writer has said ready, the store may not exist or be half created.
        options.create_if_missing = !created;
        auto opened = Store::open(db, OpenMode::kReadWrite, options);
        INFO("reopen: " << (opened ? "ok" : opened.status().to_string()));
        REQUIRE(opened.is_ok());
        created = true;
        std::unique_ptr<Store> store = std::move(opened).value();
        const CommitIndex applied = store->status().applied_commit;
        INFO("applied commit " << applied << ", last ack " << report.last_ack.value_or(before)
                               << ", last start " << report.last_start.value_or(before));
        REQUIRE(applied >= report.last_ack.value_or(before));
        REQUIRE(applied <= report.last_start.value_or(before));

        // The watermark is the last one the writer finished, or the one it was pruning to.
        const Version reopened_watermark = store->status().retention_watermark;
        INFO("retention watermark " << reopened_watermark << " (was " << watermark
                                    << "), last prune started "
                                    << report.last_prune_start.value_or(0) << ", done "
                                    << report.last_prune_done.value_or(0));
        REQUIRE(reopened_watermark >= std::max(watermark, report.last_prune_done.value_or(0)));
        REQUIRE(reopened_watermark <= std::max(watermark, report.last_prune_start.value_or(0)));
        watermark = reopened_watermark;

        while (oracle.applied_commit() < applied) {
            oracle.apply(
                generate_commit(seed, oracle.applied_commit() + 1, oracle, mode.generator));
        }
        if (mode.prune_every == 0) {
            REQUIRE(diff_store(*store, oracle, mode.generator.id_pool_size) == "");
        } else {
            StoreOracle pruned = oracle;
            if (watermark > 0) pruned.prune(watermark);
            REQUIRE(diff_store(*store, pruned, mode.generator.id_pool_size, &oracle) == "");
        }

        outcomes.commits += applied - before;
        if (!report.ready) ++outcomes.before_ready;
        if (report.last_start.value_or(0) > report.last_ack.value_or(0)) {
            // Killed between "start n" and "ack n": either outcome is correct.
            const bool kept = applied == *report.last_start;
            ++(kept ? outcomes.in_flight_kept : outcomes.in_flight_lost);
            if (*report.last_start - report.last_ack.value_or(before) >= 2) {
                ++outcomes.several_in_flight;
            }
        }
        if (report.last_prune_start.value_or(0) > report.last_prune_done.value_or(0)) {
            ++outcomes.in_prune;
            if (watermark == *report.last_prune_start) ++outcomes.in_prune_new_watermark;
        }
        if (report.flushes_in_flight > 0) ++outcomes.in_flush;
        if (report.compactions_in_flight > 0) ++outcomes.in_compaction;
    }
    std::printf(
        "store_crash_test (%s): %llu kills (%llu before ready; between start and ack: %llu "
        "kept, %llu lost, %llu with several commits in flight; inside a prune: %llu, %llu of "
        "them with its watermark durable; with a flush in flight: %llu, a compaction: %llu), "
        "%llu commits survived\n",
        name.c_str(), static_cast<unsigned long long>(kills),
        static_cast<unsigned long long>(outcomes.before_ready),
        static_cast<unsigned long long>(outcomes.in_flight_kept),
        static_cast<unsigned long long>(outcomes.in_flight_lost),
        static_cast<unsigned long long>(outcomes.several_in_flight),
        static_cast<unsigned long long>(outcomes.in_prune),
        static_cast<unsigned long long>(outcomes.in_prune_new_watermark),
        static_cast<unsigned long long>(outcomes.in_flush),
        static_cast<unsigned long long>(outcomes.in_compaction),
        static_cast<unsigned long long>(outcomes.commits));
    std::fflush(stdout);
    CHECK(outcomes.commits > 0);  // the writer got past start-up at least once
    return outcomes;
}

TEST_CASE("a store killed mid-commit reopens with exactly the commits it names", "[crash]") {
    kill_repeatedly(basic_mode(), 60);
}

TEST_CASE("a store killed during flushes and compactions reopens with exactly its commits",
          "[crash]") {
    const Outcomes outcomes = kill_repeatedly(flush_mode(), 25, 25);
    // The workload reaches what it is for: some kill landed inside a flush or a compaction.
    CHECK(outcomes.in_flush + outcomes.in_compaction > 0);
}

TEST_CASE("a store killed between the batches of a prune keeps every read at its watermark",
          "[crash]") {
    const Outcomes outcomes = kill_repeatedly(prune_mode(), 30);
    CHECK(outcomes.in_prune > 0);  // some kill landed inside a prune
}

TEST_CASE("a store killed with several commits in its pipeline reopens with exactly a prefix",
          "[crash]") {
    const Outcomes outcomes = kill_repeatedly(pipeline_mode(), 40);
    // The kills landed where the pipeline matters: applied commits not yet acknowledged.
    CHECK(outcomes.several_in_flight > 0);
}

}  // namespace

}  // namespace remora::testing
