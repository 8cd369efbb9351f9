#include "tools/bench/primary_bench.h"

#include <time.h>

#include <rocksdb/db.h>
#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "executor/exec/execute.h"
#include "executor/protocol/primary.h"
#include "executor/sequential/commit_builder.h"
#include "executor/sequential/sequential.h"
#include "executor/workload/limits.h"
#include "storage/commit_codec.h"
#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "tools/bench/bench_dir.h"
#include "tools/bench/mode.h"
#include "tools/bench/option_values.h"
#include "tools/bench/workload_flags.h"
#include "tools/cli/exit_codes.h"

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Result;
using common::Status;
namespace ex = executor;
namespace protocol = executor::protocol;
using Clock = std::chrono::steady_clock;

std::uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// Every thread of the process: the primary's, its re-execution pool, RocksDB's background work.
std::uint64_t process_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }
std::uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// One commit in this many runs with RocksDB's perf context on (the first, then every 8th).
constexpr std::size_t kTimedCommitEvery = 8;

Status apply(PrimaryBenchOptions& o, const std::string& name, const std::string& value) {
    if (auto handled = apply_workload_flag(o.workload, name, value)) return *handled;
    if (name == "--txs") return set_integer(o.txs, name, value, 1, kPrimaryTxsMax);
    if (name == "--hit-rate") return set_number(o.hit_rate, name, value, 0.0, 1.0);
    if (name == "--batch") return set_integer(o.batch, name, value, 1, kPrimaryBatchMax);
    if (name == "--sync") return set_on_off(o.sync, name, value);
    if (name == "--reexec-threads") {
        return set_integer(o.reexec_threads, name, value, 1, protocol::limits::kReexecThreadsMax);
    }
    if (name == "--pipeline-depth") {
        return set_integer(o.pipeline_depth, name, value, 0, kPrimaryPipelineDepthMax);
    }
    if (name == "--db") {
        if (value.empty()) return usage_error("--db expects a directory");
        o.db_dir = value;
        return Status::ok();
    }
    return usage_error("unknown option " + name);
}

// The prepared input: ordered commits and, per commit, the results to submit.
struct Prepared {
    std::string name;
    std::unique_ptr<ex::workload::Workload> load;  // for its genesis_source()
    common::CommitIndex genesis_commits = 1;
    std::vector<std::vector<ex::Transaction>> commits;
    // Each ordered transaction's digest, as a node computes it when it admits the transaction
    // (before ordering, off the primary's commit path) and hands it to the primary with it.
    std::vector<std::vector<common::Digest>> digests;
    std::vector<std::vector<protocol::PreExecResult>> results;
    common::Digest reference_digest;
};

// Results exactly as a perfectly caught-up pre-executor computes them: the sequential reference
// executes each commit and each transaction's effects and table become its result. Then a
// fraction 1 - hit_rate is spoiled: half withheld (missing), half given a speculative read of a
// writer that never commits (the adopt check's unconfirmed read: re-executed).
// The reference store is on disk in `dir`, so that a large genesis costs memory only what the
// store's caches are configured to hold.
Result<Prepared> prepare(const PrimaryBenchOptions& options, const std::string& dir) {
    auto made = ex::workload::make_workload(options.workload);
    if (!made) return made.status();
    Prepared p;
    p.load = std::move(made).value();
    auto& load = *p.load;
    p.name = load.name();
    std::vector<ex::Transaction> txs;
    while (txs.size() < options.txs) {
        auto next = load.next();
        if (!next) break;
        txs.push_back(std::move(next->tx));
    }
    for (std::size_t i = 0; i < txs.size(); i += options.batch) {
        const std::size_t end = std::min<std::size_t>(i + options.batch, txs.size());
        p.commits.emplace_back(txs.begin() + static_cast<long>(i),
                               txs.begin() + static_cast<long>(end));
    }
    storage::StoreOptions reference_options;
    reference_options.create_if_missing = true;
    reference_options.sync = false;
    auto opened =
        storage::Store::open(dir + "/reference", storage::OpenMode::kReadWrite, reference_options);
    if (!opened) return opened.status();
    auto store = std::move(opened).value();
    auto genesis = load.genesis_source();
    auto genesis_commits = ex::SequentialExecutor(*store).commit_genesis(*genesis, p.name);
    if (!genesis_commits) return genesis_commits.status();
    p.genesis_commits = genesis_commits.value();
    std::mt19937_64 rng(options.workload.seed * 0x9E3779B97F4A7C15ull + 17);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (const auto& commit : p.commits) {
        ex::CommitBuilder builder(*store);
        std::vector<protocol::PreExecResult> results;
        std::vector<common::Digest>& digests = p.digests.emplace_back();
        for (const ex::Transaction& tx : commit) {
            const common::Digest digest = ex::transaction_digest(tx);
            digests.push_back(digest);
            auto ruled = builder.ruled_outcome(tx, digest);
            if (!ruled) return ruled.status();
            if (ruled.value()) {
                builder.add(tx, std::move(*ruled.value()));
                continue;
            }
            auto executed = ex::execute_transaction(tx, builder.view());
            if (!executed) return executed.status();
            protocol::PreExecResult result;
            result.pre_executor = 1;
            result.tx_digest = digest;
            result.effects = executed->effects;
            result.table = executed->table;
            result.caught_up_commit = store->status().applied_commit;
            builder.add(tx, std::move(executed->effects));
            if (uniform(rng) >= options.hit_rate) {
                if (rng() % 2 == 0 || result.table.reads.empty()) continue;  // missing
                const ex::ObjectRead& read = result.table.reads.front();
                protocol::SpeculativeRead fake{read.id, read.version, {}, {}};
                fake.writer_tx.bytes[0] = 0xFE;  // no transaction has this digest
                fake.writer_tx.bytes[31] = static_cast<std::uint8_t>(rng());
                result.speculative_reads = {fake};
            }
            results.push_back(std::move(result));
        }
        auto outcome = builder.finish();
        if (!outcome) return outcome.status();
        p.results.push_back(std::move(results));
    }
    p.reference_digest = store->status().state_digest;
    return p;
}

// The baseline's database: the store's DB options and column family options, nothing else.
struct RawDb {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;  // kColumnFamilies order

    ~RawDb() {
        for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    }
};

Result<std::unique_ptr<RawDb>> open_raw(const std::string& dir,
                                        const storage::StoreOptions& options) {
    rocksdb::DBOptions db = storage::db_options(options);
    db.create_if_missing = true;
    db.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (std::string_view name : storage::kColumnFamilies) {
        families.emplace_back(std::string(name), name == storage::kCfObjects
                                                     ? storage::objects_cf_options(options)
                                                     : storage::plain_cf_options(options));
    }
    auto raw = std::make_unique<RawDb>();
    rocksdb::DB* handle = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db, dir, families, &raw->handles, &handle);
    if (!s.ok()) return storage::to_status(s, "opening the baseline database " + dir);
    raw->db.reset(handle);
    return raw;
}

// Per commit after genesis, the batch of what the store wrote: the same keys and values, read
// back from the store (object versions, the commit record, transaction index entries, meta).
Result<std::vector<rocksdb::WriteBatch>> store_batches(storage::Store& store, RawDb& raw,
                                                       common::CommitIndex genesis_commits) {
    std::vector<rocksdb::WriteBatch> batches;
    auto cf = [&](std::string_view name) {
        for (std::size_t i = 0; i < storage::kColumnFamilies.size(); ++i) {
            if (storage::kColumnFamilies[i] == name) return raw.handles[i];
        }
        return raw.handles[0];
    };
    const std::uint32_t shards = store.status().shard_count;
    for (common::CommitIndex c = genesis_commits + 1; c <= store.status().applied_commit; ++c) {
        auto record = store.read_commit(c);
        if (!record) return record.status();
        rocksdb::WriteBatch batch;
        for (const storage::ObjectRef& ref : record->writes) {
            auto version = store.get_at_or_below(ref.id, ref.version);
            if (!version) return version.status();
            common::Bytes value(1, ref.tombstone ? storage::kValueTombstone : storage::kValueLive);
            if (!ref.tombstone && version.value()) value += version.value()->payload;
            (void)batch.Put(
                cf(storage::kCfObjects),
                storage::object_key(storage::shard_for(ref.id, shards), ref.id, ref.version),
                value);
        }
        auto body = ex::decode_commit_body(record->body);
        if (!body) return body.status();
        for (std::uint32_t i = 0; i < body->transactions.size(); ++i) {
            const common::Digest& digest = body->transactions[i].effects.tx_digest;
            auto where = store.find_transaction(digest);
            if (where && where->first == c && where->second == i) {
                (void)batch.Put(cf(storage::kCfTransactions), digest.view(),
                                storage::transaction_value(c, i));
            }
        }
        (void)batch.Put(cf(storage::kCfCommits), storage::commit_key(c),
                        storage::encode_commit_record(record.value()));
        common::Bytes be;
        common::put_be64(be, c);
        (void)batch.Put(cf(storage::kCfMeta), storage::kMetaAppliedCommit, be);
        (void)batch.Put(cf(storage::kCfMeta), storage::kMetaLiveObjects, be);
        (void)batch.Put(cf(storage::kCfMeta), storage::kMetaStateDigest,
                        record->state_digest.view());
        batches.push_back(std::move(batch));
    }
    return batches;
}

// One run of the primary over the prepared commits on a fresh store in `dir`, with the store's
// pipeline `depth` (0: process_commit(), each commit durable before the next starts).
struct Side {
    std::unique_ptr<storage::Store> store;
    PrimaryRun run;
    std::uint64_t txs = 0;
    std::uint64_t adopted = 0;
    std::uint64_t reexecuted = 0;
    std::uint64_t reexec_validated = 0;
    std::uint64_t reexec_conflicts = 0;
};

double percentile(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank =
        static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
    return values[std::min(rank, values.size() - 1)];
}

Result<Side> run_side(const Prepared& p, std::vector<std::vector<protocol::PreExecResult>> results,
                      const std::string& dir, const storage::StoreOptions& store_options,
                      std::uint64_t depth, std::uint64_t reexec_threads) {
    Side side;
    side.run.pipeline_depth = depth;
    auto opened = storage::Store::open(dir, storage::OpenMode::kReadWrite, store_options);
    if (!opened) return opened.status();
    side.store = std::move(opened).value();
    storage::Store& store = *side.store;
    auto genesis = p.load->genesis_source();
    auto genesis_commits = ex::SequentialExecutor(store).commit_genesis(*genesis, p.name);
    if (!genesis_commits) return genesis_commits.status();
    REMORA_RETURN_IF_ERROR(store.wait_durable(store.status().applied_commit).status());
    protocol::PrimaryOptions primary_options;
    primary_options.reexec_threads = reexec_threads;
    protocol::Primary primary(store, primary_options);
    REMORA_RETURN_IF_ERROR(primary.add_pre_executor(1, genesis_commits.value()));

    // Per commit: intake, decisions (split by the monotonic clock at each decision), the store
    // commit (unpipelined, RocksDB's own perf counters split its write and its fsyncs), the
    // rest. Pipelined, the writer thread's time comes from the store's pipeline counters.
    std::uint64_t intake_ns = 0, adopt_ns = 0, reexec_ns = 0, persist_ns = 0, write_ns = 0,
                  fsync_ns = 0, cpu_ns = 0;
    Clock::time_point mark;
    Clock::time_point decided;
    // RocksDB's perf context costs a thread-local access per key comparison and a clock read
    // per step: it runs only on one commit in kTimedCommitEvery, from the commit's last
    // decision to its end (the store commit), and the write and fsync stages are scaled up
    // from those commits. The others, and every decision's reads (the replay rule's index,
    // version lookups), run untimed, as in a node; so does the baseline.
    std::size_t commit_txs = 0;  // of a timed commit; 0 for the others
    std::uint64_t timed_txs = 0;
    primary.set_decision_observer([&](const protocol::TxDecision& decision) {
        const auto now = Clock::now();
        (decision.adopted ? adopt_ns : reexec_ns) += ns_between(mark, now);
        (decision.adopted ? side.adopted : side.reexecuted) += 1;
        mark = now;
        decided = now;
        if (decision.index + 1 == commit_txs) {
            rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeExceptForMutex);
        }
    });
    std::vector<Clock::time_point> ordered_at(p.commits.size());
    std::vector<double> latency_ms;  // when the driver finished each commit (acknowledged)
    latency_ms.reserve(p.commits.size());
    const storage::CommitIndex first_index = store.status().applied_commit + 1;
    // When each commit became durable, stamped by the store (on its writer thread when
    // pipelined); read once every commit is finished, after the store's hand-over mutex.
    std::vector<Clock::time_point> durable_at(p.commits.size());
    store.set_durable_observer([&durable_at, first_index](storage::CommitIndex index) {
        if (index >= first_index && index - first_index < durable_at.size()) {
            durable_at[index - first_index] = Clock::now();
        }
    });
    // Finishes the started commits that are durable (all of them with `all`), as a driver
    // that acknowledges them would.
    auto finish_durable = [&](bool all) -> Status {
        while (primary.commits_started() > 0) {
            auto durable = store.durable_commit();
            if (!durable) return durable.status();
            const storage::CommitIndex next = first_index + latency_ms.size();
            if (!all && durable.value() < next) return Status::ok();
            auto finished = primary.finish_commit();
            if (!finished) return finished.status();
            latency_ms.push_back(
                static_cast<double>(ns_between(ordered_at[latency_ms.size()], Clock::now())) / 1e6);
        }
        return Status::ok();
    };
    const auto run_start = Clock::now();
    const std::uint64_t cpu_start = thread_cpu_ns();
    const std::uint64_t process_cpu_start = process_cpu_ns();
    for (std::size_t c = 0; c < p.commits.size(); ++c) {
        const auto t0 = Clock::now();
        for (protocol::PreExecResult& result : results[c]) {
            auto submitted = primary.submit(std::move(result));
            if (!submitted) return submitted.status().with_context("submitting a result");
        }
        mark = Clock::now();
        decided = mark;
        intake_ns += ns_between(t0, mark);
        ordered_at[c] = mark;
        rocksdb::get_perf_context()->Reset();
        rocksdb::get_iostats_context()->Reset();
        const bool timed = c % kTimedCommitEvery == 0;
        commit_txs = timed ? p.commits[c].size() : 0;
        if (depth == 0) {
            auto commit = primary.process_commit(p.commits[c], p.digests[c]);
            if (!commit) return commit.status();
            const auto t1 = Clock::now();
            latency_ms.push_back(static_cast<double>(ns_between(ordered_at[c], t1)) / 1e6);
            persist_ns += ns_between(decided, t1);
        } else {
            REMORA_RETURN_IF_ERROR(primary.start_commit(p.commits[c], p.digests[c]));
            persist_ns += ns_between(decided, Clock::now());
            REMORA_RETURN_IF_ERROR(finish_durable(false));
        }
        side.txs += p.commits[c].size();
        if (!timed) continue;
        const auto* perf = rocksdb::get_perf_context();
        const std::uint64_t fsync = rocksdb::get_iostats_context()->fsync_nanos;
        const std::uint64_t write = perf->write_wal_time + perf->write_memtable_time +
                                    perf->write_pre_and_post_process_time;
        rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
        fsync_ns += fsync;
        write_ns += write > fsync ? write - fsync : 0;
        timed_txs += p.commits[c].size();
    }
    REMORA_RETURN_IF_ERROR(finish_durable(true));
    store.set_durable_observer({});
    cpu_ns = thread_cpu_ns() - cpu_start;
    const std::uint64_t process_cpu = process_cpu_ns() - process_cpu_start;
    const std::uint64_t run_ns = ns_between(run_start, Clock::now());
    side.reexec_validated = primary.counters().reexec_validated;
    side.reexec_conflicts = primary.counters().reexec_conflicts;
    const storage::PipelineStats pipeline = store.pipeline_stats();
    if (timed_txs > 0) {  // from the timed commits to all of them
        const double scale = static_cast<double>(side.txs) / static_cast<double>(timed_txs);
        write_ns = static_cast<std::uint64_t>(static_cast<double>(write_ns) * scale);
        fsync_ns = static_cast<std::uint64_t>(static_cast<double>(fsync_ns) * scale);
    }
    PrimaryRun& run = side.run;
    run.seconds = static_cast<double>(run_ns) / 1e9;
    run.tps = run.seconds > 0 ? static_cast<double>(side.txs) / run.seconds : 0;
    const double n = static_cast<double>(std::max<std::uint64_t>(side.txs, 1));
    StageTimes& st = run.stages;
    st.intake_wall_us = us(intake_ns) / n;
    st.decide_adopt_wall_us = side.adopted ? us(adopt_ns) / static_cast<double>(side.adopted) : 0;
    st.decide_reexec_wall_us =
        side.reexecuted ? us(reexec_ns) / static_cast<double>(side.reexecuted) : 0;
    st.rocksdb_write_wall_us = us(write_ns) / n;
    st.fsync_wall_us = us(fsync_ns) / n;
    const std::uint64_t off_build = write_ns + fsync_ns + pipeline.wait_ns;
    st.build_wall_us = us(persist_ns > off_build ? persist_ns - off_build : 0) / n;
    st.writer_wall_us = us(pipeline.write_ns + pipeline.sync_ns) / n;
    st.sync_wall_us = us(pipeline.sync_ns) / n;
    st.wait_writer_wall_us = us(pipeline.wait_ns) / n;
    st.cpu_us = us(cpu_ns) / n;
    st.process_cpu_us = us(process_cpu) / n;
    std::vector<double> durable_ms;
    durable_ms.reserve(p.commits.size());
    for (std::size_t c = 0; c < p.commits.size(); ++c) {
        durable_ms.push_back(static_cast<double>(ns_between(ordered_at[c], durable_at[c])) / 1e6);
    }
    run.latency_p50_ms = percentile(durable_ms, 0.50);
    run.latency_p99_ms = percentile(durable_ms, 0.99);
    run.latency_max_ms = percentile(durable_ms, 1.0);
    run.ack_latency_p99_ms = percentile(latency_ms, 0.99);
    run.digest_match = store.status().state_digest == p.reference_digest;
    return side;
}

}  // namespace

namespace {

Status check(const PrimaryBenchOptions& o) {
    Status knobs = ex::workload::validate_workload_config(o.workload);
    return knobs ? Status::ok() : usage_error(knobs.message());
}

}  // namespace

const cli::CommandSpec& primary_spec() {
    static const cli::CommandSpec spec = [] {
        cli::CommandSpec s{
            .name = "primary",
            .summary =
                "the primary's commit path in real time, beside a raw RocksDB baseline "
                "writing the same keys and values",
            .details =
                "Times the Remora primary's commit path in real time. Off the clock: N "
                "transactions of the workload in ordered commits of B, each with the result a "
                "caught-up pre-executor computes, a fraction 1-R of them missing or unusable. On "
                "the clock: the primary takes the results and the commits as fast as it can, on "
                "an on-disk store, one atomic WriteBatch per commit. Then a raw RocksDB baseline "
                "writes the same keys and values, a WriteBatch per commit, with the same options. "
                "Exit 1 when the primary's digest differs from the sequential reference's.",
            .options = workload_options("workload seed (and the choice of spoiled results)"),
        };
        s.options.insert(
            s.options.end(),
            {text_option("txs", "N", "transactions, 1.." + std::to_string(kPrimaryTxsMax), true),
             text_option("hit-rate", "R", "fraction of results left usable, 0..1", false, "1"),
             text_option("batch", "B", "transactions per ordered commit", false,
                         std::to_string(kPrimaryBatchDefault)),
             text_option("sync", "on|off", "fsync the WAL per commit, both sides", false, "on"),
             text_option("reexec-threads", "N",
                         "threads re-executing the primary's misses (speculated in parallel, "
                         "validated in order), 1.." +
                             std::to_string(protocol::limits::kReexecThreadsMax),
                         false, "1"),
             text_option("pipeline-depth", "D",
                         "the store's commit pipeline depth, 0.." +
                             std::to_string(kPrimaryPipelineDepthMax) +
                             ": commits queued or being written, with up to D more waiting "
                             "for their fsync; above 0 the primary also runs unpipelined, for "
                             "comparison",
                         false, std::to_string(kPrimaryPipelineDepthDefault)),
             db_option("the databases go in DIR (absent or empty, kept); default: a temporary "
                       "directory removed at the end")});
        return s;
    }();
    return spec;
}

Result<PrimaryBenchOptions> primary_options(const cli::Invocation& invocation) {
    return options_from<PrimaryBenchOptions>(invocation, apply, check);
}

Result<PrimaryCommand> parse_primary_args(const std::vector<std::string>& args) {
    return parse_mode_args<PrimaryCommand>(primary_spec(), args, apply, check);
}

Result<PrimaryBenchResult> run_primary_bench(const PrimaryBenchOptions& options) {
    PrimaryBenchResult r;
    r.options = options;
    std::optional<TempBenchDir> temp;
    std::string dir = options.db_dir;
    if (dir.empty()) {
        auto made = TempBenchDir::create("remora-bench-primary");
        if (!made) return made.status();
        temp.emplace(std::move(made).value());
        dir = temp->path();
    } else {
        REMORA_RETURN_IF_ERROR(prepare_empty_dir(dir));
    }

    auto start = Clock::now();
    auto prepared = prepare(options, dir);
    if (!prepared) return prepared.status();
    Prepared& p = prepared.value();
    r.prepare_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.workload_name = p.name;
    r.commits = p.commits.size();

    storage::StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.sync = options.sync;
    // Unpipelined first (when pipelined is asked for too), then the reported run.
    if (options.pipeline_depth > 0) {
        auto copy = p.results;
        auto side = run_side(p, std::move(copy), dir + "/unpipelined", store_options, 0,
                             options.reexec_threads);
        if (!side) return side.status();
        r.unpipelined = side->run;
    }
    store_options.pipeline_depth = options.pipeline_depth;
    auto side = run_side(p, std::move(p.results), dir + "/primary", store_options,
                         options.pipeline_depth, options.reexec_threads);
    if (!side) return side.status();
    storage::Store& store = *side->store;
    r.run = side->run;
    r.adopted = side->adopted;
    r.reexecuted = side->reexecuted;
    r.reexec_validated = side->reexec_validated;
    r.reexec_conflicts = side->reexec_conflicts;
    r.txs = side->txs;
    r.seconds = r.run.seconds;
    r.tps = r.run.tps;
    r.stages = r.run.stages;
    const double n = static_cast<double>(std::max<std::uint64_t>(r.txs, 1));
    r.digest_hex = store.status().state_digest.hex();
    r.reference_digest_hex = p.reference_digest.hex();
    r.digest_match = r.run.digest_match && (!r.unpipelined || r.unpipelined->digest_match);
    // The baseline: the same keys and values, one WriteBatch per commit, the same options.
    auto raw = open_raw(dir + "/baseline", store_options);
    if (!raw) return raw.status();
    auto batches = store_batches(store, *raw.value(), p.genesis_commits);
    if (!batches) return batches.status();
    std::uint64_t bytes = 0;
    for (const auto& batch : batches.value()) bytes += batch.GetDataSize();
    r.bytes_per_tx = static_cast<double>(bytes) / n;
    rocksdb::WriteOptions write_options = storage::write_options(store_options);
    const auto base_start = Clock::now();
    for (auto& batch : batches.value()) {
        rocksdb::Status s = raw.value()->db->Write(write_options, &batch);
        if (!s.ok()) return storage::to_status(s, "writing the baseline");
    }
    r.baseline_seconds = std::chrono::duration<double>(Clock::now() - base_start).count();
    r.baseline_tps = r.baseline_seconds > 0 ? static_cast<double>(r.txs) / r.baseline_seconds : 0;
    r.ratio = r.baseline_tps > 0 ? r.tps / r.baseline_tps : 0;
    return r;
}

namespace {

nlohmann::ordered_json stages_json(const StageTimes& st) {
    return {{"intake", st.intake_wall_us},
            {"decide_adopt_per_adopted", st.decide_adopt_wall_us},
            {"decide_reexec_per_reexecuted", st.decide_reexec_wall_us},
            {"build_commit", st.build_wall_us},
            {"rocksdb_write", st.rocksdb_write_wall_us},
            {"fsync", st.fsync_wall_us},
            {"writer_thread_write_and_fsync", st.writer_wall_us},
            {"sync_thread_fsync", st.sync_wall_us},
            {"wait_for_writer", st.wait_writer_wall_us}};
}

nlohmann::ordered_json latency_json(const PrimaryRun& run) {
    return {{"p50", run.latency_p50_ms},
            {"p99", run.latency_p99_ms},
            {"max", run.latency_max_ms},
            {"acknowledged_p99", run.ack_latency_p99_ms}};
}

}  // namespace

nlohmann::ordered_json primary_report_json(const PrimaryBenchResult& r) {
    nlohmann::ordered_json j;
    j["mode"] = "primary";
    j["workload"] = r.workload_name;
    j["txs"] = r.txs;
    j["commits"] = r.commits;
    j["seed"] = r.options.workload.seed;
    j["hit_rate_requested"] = r.options.hit_rate;
    j["batch"] = r.options.batch;
    j["sync"] = r.options.sync;
    j["adopted"] = r.adopted;
    j["reexecuted"] = r.reexecuted;
    j["reexec_threads"] = r.options.reexec_threads;
    j["reexec_validated"] = r.reexec_validated;
    j["reexec_conflicts"] = r.reexec_conflicts;
    j["hit_rate"] = r.txs ? static_cast<double>(r.adopted) / static_cast<double>(r.txs) : 0.0;
    j["seconds"] = r.seconds;
    j["tps"] = r.tps;
    j["pipeline_depth"] = r.options.pipeline_depth;
    j["stage_wall_us_per_tx"] = stages_json(r.stages);
    j["cpu_us_per_tx"] = r.stages.cpu_us;
    j["process_cpu_us_per_tx"] = r.stages.process_cpu_us;
    j["latency_ms"] = latency_json(r.run);
    if (r.unpipelined) {
        const PrimaryRun& u = *r.unpipelined;
        j["unpipelined"] = {{"seconds", u.seconds},
                            {"tps", u.tps},
                            {"stage_wall_us_per_tx", stages_json(u.stages)},
                            {"cpu_us_per_tx", u.stages.cpu_us},
                            {"latency_ms", latency_json(u)},
                            {"digest_match", u.digest_match}};
        j["tps_over_unpipelined"] = u.tps > 0 ? r.tps / u.tps : 0.0;
        j["p99_latency_over_unpipelined"] =
            u.latency_p99_ms > 0 ? r.run.latency_p99_ms / u.latency_p99_ms : 0.0;
    }
    j["bytes_per_tx"] = r.bytes_per_tx;
    j["baseline_seconds"] = r.baseline_seconds;
    j["baseline_tps"] = r.baseline_tps;
    j["ratio"] = r.ratio;
    j["prepare_seconds"] = r.prepare_seconds;
    j["digest"] = r.digest_hex;
    j["reference_digest"] = r.reference_digest_hex;
    j["digest_match"] = r.digest_match;
    return j;
}

std::string primary_report_text(const PrimaryBenchResult& r) {
    char line[512];
    std::string out;
    std::snprintf(line, sizeof line,
                  "primary: %llu txs in %llu commits, %.3f s: %.0f tx/s (baseline %.0f tx/s, "
                  "ratio %.3f)\n",
                  (unsigned long long)r.txs, (unsigned long long)r.commits, r.seconds, r.tps,
                  r.baseline_tps, r.ratio);
    out += line;
    std::snprintf(
        line, sizeof line,
        "adopted %llu, re-executed %llu; wall us/tx: intake %.2f, adopt %.2f (per "
        "adopted), re-exec %.2f (per re-executed), build %.2f, rocksdb write %.2f, "
        "fsync %.2f; cpu %.2f us/tx; %.0f bytes/tx\n",
        (unsigned long long)r.adopted, (unsigned long long)r.reexecuted, r.stages.intake_wall_us,
        r.stages.decide_adopt_wall_us, r.stages.decide_reexec_wall_us, r.stages.build_wall_us,
        r.stages.rocksdb_write_wall_us, r.stages.fsync_wall_us, r.stages.cpu_us, r.bytes_per_tx);
    out += line;
    // The fsync's share only where a sync thread ran (--sync on).
    char fsync_part[64] = "";
    if (r.stages.sync_wall_us > 0) {
        std::snprintf(fsync_part, sizeof fsync_part, " (fsync %.2f of it, overlapped)",
                      r.stages.sync_wall_us);
    }
    std::snprintf(line, sizeof line,
                  "pipeline depth %llu: writer %.2f us/tx%s, waiting for it %.2f us/tx; "
                  "ordered->durable ms p50 %.2f, p99 %.2f, max %.2f\n",
                  (unsigned long long)r.options.pipeline_depth, r.stages.writer_wall_us, fsync_part,
                  r.stages.wait_writer_wall_us, r.run.latency_p50_ms, r.run.latency_p99_ms,
                  r.run.latency_max_ms);
    out += line;
    if (r.unpipelined) {
        const PrimaryRun& u = *r.unpipelined;
        std::snprintf(line, sizeof line,
                      "unpipelined: %.0f tx/s; wall us/tx: intake %.2f, adopt %.2f, build %.2f, "
                      "rocksdb write %.2f, fsync %.2f; ordered->durable ms p50 %.2f, p99 %.2f\n",
                      u.tps, u.stages.intake_wall_us, u.stages.decide_adopt_wall_us,
                      u.stages.build_wall_us, u.stages.rocksdb_write_wall_us,
                      u.stages.fsync_wall_us, u.latency_p50_ms, u.latency_p99_ms);
        out += line;
    }
    if (r.options.reexec_threads > 1) {
        std::snprintf(line, sizeof line,
                      "re-execution on %llu threads: %llu speculative results taken, %llu "
                      "refused by validation\n",
                      (unsigned long long)r.options.reexec_threads,
                      (unsigned long long)r.reexec_validated,
                      (unsigned long long)r.reexec_conflicts);
        out += line;
    }
    out += std::string("digest ") + r.digest_hex +
           (r.digest_match ? " (matches the sequential reference)\n"
                           : " (DIFFERS from the reference " + r.reference_digest_hex + ")\n");
    return out;
}

}  // namespace remora::tools::bench
