#include "tools/bench/primary_bench.h"

#include <time.h>

#include <rocksdb/db.h>
#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <chrono>
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

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }
std::uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

Status apply(PrimaryBenchOptions& o, const std::string& name, const std::string& value) {
    if (auto handled = apply_workload_flag(o.workload, name, value)) return *handled;
    if (name == "--txs") return set_integer(o.txs, name, value, 1, kPrimaryTxsMax);
    if (name == "--hit-rate") return set_number(o.hit_rate, name, value, 0.0, 1.0);
    if (name == "--batch") return set_integer(o.batch, name, value, 1, kPrimaryBatchMax);
    if (name == "--sync") return set_on_off(o.sync, name, value);
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
        for (const ex::Transaction& tx : commit) {
            const common::Digest digest = ex::transaction_digest(tx);
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
    auto opened =
        storage::Store::open(dir + "/primary", storage::OpenMode::kReadWrite, store_options);
    if (!opened) return opened.status();
    storage::Store& store = *opened.value();
    auto genesis = p.load->genesis_source();
    auto genesis_commits = ex::SequentialExecutor(store).commit_genesis(*genesis, p.name);
    if (!genesis_commits) return genesis_commits.status();
    protocol::Primary primary(store, {});
    REMORA_RETURN_IF_ERROR(primary.add_pre_executor(1, genesis_commits.value()));

    // Per commit: intake, decisions (split by the monotonic clock at each decision), the store
    // commit (RocksDB's own perf counters split its write and its fsyncs), the rest.
    std::uint64_t intake_ns = 0, adopt_ns = 0, reexec_ns = 0, persist_ns = 0, write_ns = 0,
                  fsync_ns = 0, cpu_ns = 0;
    Clock::time_point mark;
    Clock::time_point decided;
    primary.set_decision_observer([&](const protocol::TxDecision& decision) {
        const auto now = Clock::now();
        (decision.adopted ? adopt_ns : reexec_ns) += ns_between(mark, now);
        (decision.adopted ? r.adopted : r.reexecuted) += 1;
        mark = now;
        decided = now;
    });
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeExceptForMutex);
    const auto run_start = Clock::now();
    const std::uint64_t cpu_start = thread_cpu_ns();
    for (std::size_t c = 0; c < p.commits.size(); ++c) {
        const auto t0 = Clock::now();
        for (protocol::PreExecResult& result : p.results[c]) {
            auto submitted = primary.submit(std::move(result));
            if (!submitted) return submitted.status().with_context("submitting a result");
        }
        mark = Clock::now();
        decided = mark;
        intake_ns += ns_between(t0, mark);
        rocksdb::get_perf_context()->Reset();
        rocksdb::get_iostats_context()->Reset();
        auto commit = primary.process_commit(p.commits[c]);
        if (!commit) return commit.status();
        const auto t1 = Clock::now();
        persist_ns += ns_between(decided, t1);
        const auto* perf = rocksdb::get_perf_context();
        const std::uint64_t fsync = rocksdb::get_iostats_context()->fsync_nanos;
        const std::uint64_t write = perf->write_wal_time + perf->write_memtable_time +
                                    perf->write_pre_and_post_process_time;
        fsync_ns += fsync;
        write_ns += write > fsync ? write - fsync : 0;
        r.txs += p.commits[c].size();
    }
    cpu_ns = thread_cpu_ns() - cpu_start;
    const std::uint64_t run_ns = ns_between(run_start, Clock::now());
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    r.seconds = static_cast<double>(run_ns) / 1e9;
    r.tps = r.seconds > 0 ? static_cast<double>(r.txs) / r.seconds : 0;
    const double n = static_cast<double>(std::max<std::uint64_t>(r.txs, 1));
    r.stages.intake_wall_us = us(intake_ns) / n;
    r.stages.decide_adopt_wall_us = r.adopted ? us(adopt_ns) / static_cast<double>(r.adopted) : 0;
    r.stages.decide_reexec_wall_us =
        r.reexecuted ? us(reexec_ns) / static_cast<double>(r.reexecuted) : 0;
    r.stages.rocksdb_write_wall_us = us(write_ns) / n;
    r.stages.fsync_wall_us = us(fsync_ns) / n;
    const std::uint64_t rocks = write_ns + fsync_ns;
    r.stages.build_wall_us = us(persist_ns > rocks ? persist_ns - rocks : 0) / n;
    r.stages.cpu_us = us(cpu_ns) / n;
    r.digest_hex = store.status().state_digest.hex();
    r.reference_digest_hex = p.reference_digest.hex();
    r.digest_match = store.status().state_digest == p.reference_digest;

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
    j["hit_rate"] = r.txs ? static_cast<double>(r.adopted) / static_cast<double>(r.txs) : 0.0;
    j["seconds"] = r.seconds;
    j["tps"] = r.tps;
    j["stage_wall_us_per_tx"] = {{"intake", r.stages.intake_wall_us},
                                 {"decide_adopt_per_adopted", r.stages.decide_adopt_wall_us},
                                 {"decide_reexec_per_reexecuted", r.stages.decide_reexec_wall_us},
                                 {"build_commit", r.stages.build_wall_us},
                                 {"rocksdb_write", r.stages.rocksdb_write_wall_us},
                                 {"fsync", r.stages.fsync_wall_us}};
    j["cpu_us_per_tx"] = r.stages.cpu_us;
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
    out += std::string("digest ") + r.digest_hex +
           (r.digest_match ? " (matches the sequential reference)\n"
                           : " (DIFFERS from the reference " + r.reference_digest_hex + ")\n");
    return out;
}

}  // namespace remora::tools::bench
