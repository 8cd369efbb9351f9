// The child process of store_crash_test: commits generated commits to a store with sync on,
// forever (up to a bound), until the test SIGKILLs it.
//
//   store_crash_writer DIR SEED [MODE]
//
// MODE (crash_modes.h; default basic) sets the store's memtable and WAL sizes, the size of the
// generated commits and whether the writer prunes.
//
// Protocol on stdout, one line per write(2) so that no line is lost in a buffer when killed:
//   ready B    the store is open, holds commits 1..B, and commits are about to start
//   start N    about to commit N (so B <= the last N started)
//   ack N      commit N returned ok with sync on (so B >= the last N acknowledged); with the
//              commit pipeline (mode pipeline), once the store says N is durable, so several
//              commits may be started and not yet acknowledged
//   prune-start W   about to prune to watermark W (after the ack of a commit)
//   prune-done W    the prune returned ok
// Commit N is generate_commit(SEED, N, oracle after 1..N-1): a pure function of the seed and
// the index, so every run continues the same sequence and the test can rebuild the expected
// state. Any failure is printed to stderr and exits 1 (the test expects death by SIGKILL).

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/store.h"
#include "tests/storage/crash_modes.h"
#include "tests/support/store_oracle.h"

namespace {

using namespace remora;

// Enough for minutes of synced commits; the test kills the writer within a second.
constexpr common::CommitIndex kCommitsPerRunMax = 1'000'000;

void say(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) std::_Exit(1);  // the test closed the pipe: nobody is listening
        done += static_cast<std::size_t>(n);
    }
}

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "store_crash_writer: %s\n", message.c_str());
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) fail("usage: store_crash_writer DIR SEED [MODE]");
    const std::string dir = argv[1];
    const std::uint64_t seed = std::strtoull(argv[2], nullptr, 0);
    const auto mode = testing::crash_mode(argc == 4 ? argv[3] : "basic");
    if (!mode) fail(std::string("unknown mode ") + argv[3]);
    const testing::GeneratorOptions& generator = mode->generator;

    storage::StoreOptions options = mode->store_options();
    options.create_if_missing = true;
    auto opened = storage::Store::open(dir, storage::OpenMode::kReadWrite, options);
    if (!opened) fail("open " + dir + ": " + opened.status().to_string());
    std::unique_ptr<storage::Store> store = std::move(opened).value();
    const common::CommitIndex base = store->status().applied_commit;
    testing::StoreOracle oracle = testing::replay_generated(seed, base, generator);
    say("ready " + std::to_string(base));
    common::CommitIndex acked = base;
    for (common::CommitIndex n = base + 1; n <= base + kCommitsPerRunMax; ++n) {
        say("start " + std::to_string(n));
        storage::CommitInput input = testing::generate_commit(seed, n, oracle, generator);
        const common::Status status = store->commit(input);
        if (!status) fail("commit " + std::to_string(n) + ": " + status.to_string());
        oracle.apply(input);
        if (options.pipeline_depth == 0) {
            say("ack " + std::to_string(n));
        } else {
            auto durable = store->durable_commit();
            if (!durable) fail("durable_commit: " + durable.status().to_string());
            while (acked < durable.value()) say("ack " + std::to_string(++acked));
        }
        if (auto watermark = mode->prune_after(n, oracle)) {
            say("prune-start " + std::to_string(*watermark));
            auto pruned = store->prune(*watermark);
            if (!pruned)
                fail("prune to " + std::to_string(*watermark) + ": " + pruned.status().to_string());
            say("prune-done " + std::to_string(*watermark));
        }
    }
    return 0;
}
