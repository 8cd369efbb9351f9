// Crash safety of the store: SIGKILL a writer (crash_writer.cpp) at random moments, reopen the
// store, and check that it holds exactly commits 1..B for the B it names, with
// last acknowledged <= B <= last started, against the oracle replayed for 1..B.
// The seed is printed; REMORA_CRASH_SEED=N reproduces a run, REMORA_CRASH_KILLS=N sets the
// number of kills.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "storage/store.h"
#include "tests/support/store_oracle.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace remora::testing {
namespace {

using storage::OpenMode;
using storage::Store;

constexpr std::uint64_t kKillsDefault = 60;
constexpr std::uint64_t kKillsMax = 100'000;
constexpr std::chrono::milliseconds kReadyTimeout{20'000};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

// What one writer run printed before it died.
struct ChildReport {
    std::string output;
    int wait_status = 0;
    std::optional<CommitIndex> ready;  // B when the writer opened the store
    std::optional<CommitIndex> last_start;
    std::optional<CommitIndex> last_ack;
};

void parse_output(ChildReport& report) {
    std::istringstream lines(report.output);
    std::string word;
    CommitIndex n = 0;
    while (lines >> word >> n) {
        if (word == "ready") report.ready = n;
        if (word == "start") report.last_start = std::max(report.last_start.value_or(0), n);
        if (word == "ack") report.last_ack = std::max(report.last_ack.value_or(0), n);
    }
}

// When to kill: `delay` after the spawn, or after the writer said "ready" (so the delay is
// spent committing rather than opening RocksDB, which alone takes tens of milliseconds).
struct KillPlan {
    bool after_ready = false;
    std::chrono::microseconds delay{0};
};

// Reads the child's output until it contains "ready" or the pipe closes (the child died).
void read_until_ready(int fd, std::string& output) {
    char buffer[4096];
    while (output.find("ready") == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        const int polled = ::poll(&p, 1, static_cast<int>(kReadyTimeout.count()));
        REQUIRE(polled != 0);  // the writer never got ready: hung in open or replay
        if (polled < 0 && errno == EINTR) continue;
        REQUIRE(polled > 0);
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        output.append(buffer, static_cast<std::size_t>(n));
    }
}

// Starts the writer with stdout on a pipe, kills it as planned, and collects its output.
ChildReport run_and_kill(const std::string& dir, std::uint64_t seed, const KillPlan& plan) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    REQUIRE(posix_spawn_file_actions_init(&actions) == 0);
    REQUIRE(posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO) == 0);
    std::string program = REMORA_CRASH_WRITER_PATH;
    std::string dir_arg = dir;
    std::string seed_arg = std::to_string(seed);
    char* argv[] = {program.data(), dir_arg.data(), seed_arg.data(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    REQUIRE(spawned == 0);

    ChildReport report;
    if (plan.after_ready) read_until_ready(fds[0], report.output);
    std::this_thread::sleep_for(plan.delay);
    REQUIRE(::kill(pid, SIGKILL) == 0);  // a zombie can still be signalled

    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        report.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    REQUIRE(::waitpid(pid, &report.wait_status, 0) == pid);
    parse_output(report);
    return report;
}

KillPlan random_plan(std::mt19937_64& rng) {
    using std::chrono::microseconds;
    switch (rng() % 8) {
        case 0:
        case 1:  // right after the spawn: exec, RocksDB open, creation of the store
            return {false, microseconds(rng() % 2'001)};
        case 2:  // somewhere in start-up: WAL recovery, replay of the generator
            return {false, microseconds(2'000 + rng() % 150'001)};
        default:  // while committing
            return {true, microseconds(5'000 + rng() % 55'001)};
    }
}

// The store after a kill must hold exactly the oracle's commits 1..B.
void check_store(Store& store, const StoreOracle& oracle) {
    REQUIRE(diff_status(store, oracle) == "");
    for (std::uint64_t k = 0; k < GeneratorOptions{}.id_pool_size; ++k) {
        REQUIRE(diff_object(store, oracle, pool_id(k)) == "");
    }
    auto recomputed = store.recompute_digest();
    INFO("recompute_digest: " << (recomputed ? "ok" : recomputed.status().to_string()));
    REQUIRE(recomputed.is_ok());
    CHECK(recomputed->state_digest == store.status().state_digest);
    CHECK(recomputed->live_objects == store.status().live_objects);
    if (oracle.applied_commit() > 0) {
        auto record = store.read_commit(oracle.applied_commit());
        REQUIRE(record.is_ok());
        CHECK(record->state_digest == oracle.expected_digest());
    }
    CHECK_FALSE(store.read_commit(oracle.applied_commit() + 1).is_ok());
}

TEST_CASE("a store killed mid-commit reopens with exactly the commits it names", "[crash]") {
    const std::uint64_t seed = env_or("REMORA_CRASH_SEED", std::random_device{}());
    const std::uint64_t kills = std::min(env_or("REMORA_CRASH_KILLS", kKillsDefault), kKillsMax);
    std::printf("store_crash_test: seed %llu, %llu kills (rerun with REMORA_CRASH_SEED=%llu)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(kills),
                static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    INFO("seed " << seed << " (rerun with REMORA_CRASH_SEED=" << seed << ")");

    TempDir dir("remora-crash");
    const std::string db = dir.sub("db");
    std::mt19937_64 rng(seed);
    StoreOracle oracle;
    bool created = false;  // some writer has opened (so created) the store
    std::uint64_t commits_total = 0;
    struct {
        std::uint64_t before_ready = 0;
        std::uint64_t in_flight_kept = 0;  // killed between start and ack, commit durable
        std::uint64_t in_flight_lost = 0;  // killed between start and ack, commit absent
    } outcomes;

    for (std::uint64_t kill = 0; kill < kills; ++kill) {
        const KillPlan plan = random_plan(rng);
        ChildReport report = run_and_kill(db, seed, plan);
        INFO("kill " << kill << ", " << plan.delay.count() << " us after "
                     << (plan.after_ready ? "ready" : "spawn") << "; writer said:\n"
                     << report.output);
        REQUIRE(WIFSIGNALED(report.wait_status));
        REQUIRE(WTERMSIG(report.wait_status) == SIGKILL);

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

        while (oracle.applied_commit() < applied) {
            oracle.apply(generate_commit(seed, oracle.applied_commit() + 1, oracle));
        }
        check_store(*store, oracle);
        commits_total += applied - before;
        if (!report.ready) ++outcomes.before_ready;
        if (report.last_start.value_or(0) > report.last_ack.value_or(0)) {
            // Killed between "start n" and "ack n": either outcome is correct.
            const bool kept = applied == *report.last_start;
            ++(kept ? outcomes.in_flight_kept : outcomes.in_flight_lost);
        }
    }
    std::printf(
        "store_crash_test: %llu kills (%llu before ready; killed between start and ack: "
        "%llu kept, %llu lost), %llu commits survived\n",
        static_cast<unsigned long long>(kills),
        static_cast<unsigned long long>(outcomes.before_ready),
        static_cast<unsigned long long>(outcomes.in_flight_kept),
        static_cast<unsigned long long>(outcomes.in_flight_lost),
        static_cast<unsigned long long>(commits_total));
    std::fflush(stdout);
    CHECK(commits_total > 0);  // the writer got past start-up at least once
}

}  // namespace
}  // namespace remora::testing
