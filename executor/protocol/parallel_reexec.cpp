#include "executor/protocol/parallel_reexec.h"

#include <algorithm>
#include <functional>
#include <random>
#include <system_error>
#include <utility>

#include "executor/exec/execute.h"

namespace remora::executor::protocol {

// One commit's speculation: the schedule (guarded by ParallelReexec::m_mutex), the results (each
// written by the one thread that ran its task, read by the caller after all finished), the
// multi-version memory and the start state's memo (each under its own lock).
struct ParallelReexec::Commit {
    std::span<const Transaction> txs;
    StateReader* base = nullptr;
    std::vector<SpeculationRequest> requests;         // per task
    std::vector<std::size_t> positions;               // task -> position in the commit
    std::vector<std::optional<std::size_t>> task_of;  // position -> task

    std::vector<std::size_t> pending;  // per task: dependencies not finished yet
    std::vector<std::vector<std::size_t>> dependents;
    std::vector<std::size_t> ready;  // a min-heap of tasks, or a bag in random order
    std::size_t unfinished = 0;
    std::size_t active = 0;  // threads inside run_tasks()
    std::mt19937_64 rng;

    std::vector<std::optional<Speculation>> results;  // per task
    std::vector<bool> accepted;                       // per position (the caller's)

    // For each id, the speculative writes by position, ascending.
    std::shared_mutex versions_mutex;
    std::map<ObjectId, std::vector<std::pair<std::size_t, ObjectLookup>>> versions;

    std::mutex base_mutex;  // the base is read by one thread at a time
    std::map<ObjectId, ObjectLookup> memo;
    std::map<ObjectId, VersionLookup> version_memo;
};

// The state one speculative execution sees: the newest speculative write by an earlier
// position, else the commit's start state. Records every answer.
class ParallelReexec::Reader : public StateReader {
public:
    Reader(Commit& commit, std::size_t position, std::vector<SpeculativeReadRecord>& reads)
        : m_commit(commit), m_position(position), m_reads(reads) {}

    common::Result<ObjectLookup> read(const ObjectId& id) override {
        if (auto written = speculative(id)) {
            m_reads.push_back({id, version_of(written->second), std::int64_t(written->first)});
            return std::move(written->second);
        }
        std::lock_guard lock(m_commit.base_mutex);
        auto memo = m_commit.memo.find(id);
        if (memo == m_commit.memo.end()) {
            auto read = m_commit.base->read(id);
            if (!read) return read.status();
            memo = m_commit.memo.emplace(id, std::move(read).value()).first;
        }
        m_reads.push_back({id, version_of(memo->second), SpeculativeReadRecord::kStartState});
        return memo->second;
    }

    common::Result<VersionLookup> read_version(const ObjectId& id) override {
        if (auto written = speculative(id)) {
            VersionLookup seen = version_of(written->second);
            m_reads.push_back({id, seen, std::int64_t(written->first)});
            return seen;
        }
        VersionLookup seen;
        {
            std::lock_guard lock(m_commit.base_mutex);
            if (auto memo = m_commit.memo.find(id); memo != m_commit.memo.end()) {
                seen = version_of(memo->second);
            } else if (auto known = m_commit.version_memo.find(id);
                       known != m_commit.version_memo.end()) {
                seen = known->second;
            } else {
                auto read = m_commit.base->read_version(id);
                if (!read) return read.status();
                seen = read.value();
                m_commit.version_memo.emplace(id, seen);
            }
        }
        m_reads.push_back({id, seen, SpeculativeReadRecord::kStartState});
        return seen;
    }

private:
    static VersionLookup version_of(const ObjectLookup& lookup) {
        return {lookup.exists(), lookup.version};
    }

    // The newest speculative write of `id` by a lower position, with that position.
    std::optional<std::pair<std::size_t, ObjectLookup>> speculative(const ObjectId& id) {
        std::shared_lock lock(m_commit.versions_mutex);
        auto it = m_commit.versions.find(id);
        if (it == m_commit.versions.end()) return std::nullopt;
        const auto& writes = it->second;
        auto after = std::lower_bound(
            writes.begin(), writes.end(), m_position,
            [](const auto& write, std::size_t position) { return write.first < position; });
        if (after == writes.begin()) return std::nullopt;
        return *std::prev(after);
    }

    Commit& m_commit;
    std::size_t m_position;
    std::vector<SpeculativeReadRecord>& m_reads;
};

ParallelReexec::ParallelReexec(std::size_t threads, std::uint64_t schedule_seed)
    : m_schedule_seed(schedule_seed) {
    for (std::size_t i = 1; i < threads; ++i) {
        try {
            m_workers.emplace_back([this] { worker_loop(); });
        } catch (const std::system_error&) {
            break;  // fewer threads: slower, never different
        }
    }
}

ParallelReexec::~ParallelReexec() {
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [&] { return m_commit == nullptr || m_commit->active == 0; });
        m_stop = true;
    }
    m_wake.notify_all();
    for (std::thread& worker : m_workers) worker.join();
}

void ParallelReexec::worker_loop() {
    std::unique_lock lock(m_mutex);
    std::uint64_t seen = 0;
    while (true) {
        m_wake.wait(lock, [&] { return m_stop || (m_commit && m_generation != seen); });
        if (m_stop) return;
        seen = m_generation;
        Commit& commit = *m_commit;
        ++commit.active;
        lock.unlock();
        run_tasks(commit);
        lock.lock();
        --commit.active;
        m_wake.notify_all();
    }
}

void ParallelReexec::run_tasks(Commit& c) {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [&] { return !c.ready.empty() || c.unfinished == 0; });
        if (c.unfinished == 0) return;
        std::size_t task = 0;
        if (m_schedule_seed != 0) {
            std::swap(c.ready[c.rng() % c.ready.size()], c.ready.back());
        } else {
            std::pop_heap(c.ready.begin(), c.ready.end(), std::greater<>());
        }
        task = c.ready.back();
        c.ready.pop_back();
        lock.unlock();
        execute_task(c, task);
        lock.lock();
        ++m_counters.speculated;
        if (!c.results[task]) ++m_counters.failed;
        for (std::size_t next : c.dependents[task]) {
            if (--c.pending[next] != 0) continue;
            c.ready.push_back(next);
            if (m_schedule_seed == 0) {
                std::push_heap(c.ready.begin(), c.ready.end(), std::greater<>());
            }
        }
        --c.unfinished;
        // This thread takes the next ready task itself; the others are woken only for more
        // (a chain on one hot object then stays on one thread, with no hand-offs) or for the
        // end of the commit. A thread sleeps only while nothing is ready, so none is missed.
        if (c.unfinished == 0 || c.ready.size() > 1) m_wake.notify_all();
    }
}

void ParallelReexec::execute_task(Commit& c, std::size_t task) {
    const std::size_t position = c.positions[task];
    Speculation speculation;
    speculation.hints_id = c.requests[task].hints_id;
    Reader reader(c, position, speculation.reads);
    ExecutionOptions options;
    options.hints = c.requests[task].hints;
    auto executed = execute_transaction(c.txs[position], reader, options);
    // A state error: no result; the sequential re-execution meets the error and reports it.
    if (!executed) return;
    speculation.effects = std::move(executed->effects);
    speculation.effects_digest = effects_digest(speculation.effects);
    speculation.table = std::move(executed->table);
    speculation.authenticators_skipped = executed->authenticators_skipped;
    speculation.precompiles_replayed = executed->precompiles_replayed;
    const Effects& effects = speculation.effects;
    if (effects.status.is_success()) {
        std::unique_lock lock(c.versions_mutex);
        auto publish = [&](const ObjectId& id, ObjectLookup lookup) {
            auto& writes = c.versions[id];
            auto at =
                std::lower_bound(writes.begin(), writes.end(), position,
                                 [](const auto& write, std::size_t p) { return write.first < p; });
            writes.insert(at, {position, std::move(lookup)});
        };
        for (const Object& object : effects.written) publish(object.id, {object, object.version});
        for (const Object& object : effects.created) publish(object.id, {object, object.version});
        for (const DeletedObject& gone : effects.deleted) publish(gone.id, {{}, gone.version});
    }
    c.results[task] = std::move(speculation);
}

void ParallelReexec::speculate(std::span<const Transaction> txs,
                               const std::vector<SpeculationRequest>& requests, StateReader& base) {
    clear();
    auto commit = std::make_unique<Commit>();
    Commit& c = *commit;
    c.txs = txs;
    c.base = &base;
    c.task_of.resize(txs.size());
    c.accepted.assign(txs.size(), false);
    c.rng.seed(m_schedule_seed);
    for (std::size_t i = 0; i < txs.size(); ++i) {
        if (!requests[i].wanted) continue;
        c.task_of[i] = c.positions.size();
        c.positions.push_back(i);
        c.requests.push_back(requests[i]);
    }
    // One candidate alone gains nothing from speculating: it is re-executed in place.
    if (c.positions.size() < 2) return;
    const std::size_t tasks = c.positions.size();
    c.pending.assign(tasks, 0);
    c.dependents.resize(tasks);
    c.results.resize(tasks);
    c.unfinished = tasks;
    // Each task waits for the latest earlier task touching one of its declared inputs or,
    // where its hints name them, its dynamic objects.
    std::map<ObjectId, std::size_t> last_touching;
    for (std::size_t task = 0; task < tasks; ++task) {
        std::vector<std::size_t> after;
        auto touch = [&](const ObjectId& id) {
            auto [it, fresh] = last_touching.try_emplace(id, task);
            if (fresh || it->second == task) return;
            if (m_schedule_seed == 0 || c.rng() % 2 == 0) after.push_back(it->second);
            it->second = task;
        };
        for (const InputObject& input : txs[c.positions[task]].inputs) touch(input.id);
        if (const LookupTable* hints = c.requests[task].hints) {
            for (const ObjectId& id : hints->dynamic_objects) touch(id);
        }
        std::sort(after.begin(), after.end());
        after.erase(std::unique(after.begin(), after.end()), after.end());
        c.pending[task] = after.size();
        for (std::size_t before : after) c.dependents[before].push_back(task);
        if (after.empty()) c.ready.push_back(task);  // ascending: already a min-heap
    }
    {
        std::lock_guard lock(m_mutex);
        m_commit = std::move(commit);
        ++m_generation;
    }
    m_wake.notify_all();
    run_tasks(c);
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [&] { return c.active == 0; });
}

common::Result<std::optional<Speculation>> ParallelReexec::take_valid(std::size_t index,
                                                                      StateReader& view,
                                                                      std::size_t hints_id) {
    if (!m_commit || index >= m_commit->task_of.size() || !m_commit->task_of[index]) {
        return std::optional<Speculation>{};
    }
    Commit& c = *m_commit;
    std::optional<Speculation>& slot = c.results[*c.task_of[index]];
    if (!slot) return std::optional<Speculation>{};
    if (slot->hints_id != hints_id) {  // made with other hints: its result may differ
        ++m_counters.unused;
        slot.reset();
        return std::optional<Speculation>{};
    }
    for (const SpeculativeReadRecord& read : slot->reads) {
        bool valid = read.source == SpeculativeReadRecord::kStartState ||
                     c.accepted[static_cast<std::size_t>(read.source)];
        if (valid) {
            auto now = view.read_version(read.id);
            if (!now) return now.status();
            valid = now.value() == read.seen;
        }
        if (!valid) {
            ++m_counters.conflicts;
            slot.reset();
            return std::optional<Speculation>{};
        }
    }
    c.accepted[index] = true;
    ++m_counters.validated;
    return std::exchange(slot, std::nullopt);  // taken: the slot is empty again
}

void ParallelReexec::clear() {
    std::unique_lock lock(m_mutex);
    if (!m_commit) return;
    m_wake.wait(lock, [&] { return m_commit->active == 0; });
    m_commit.reset();
}

}  // namespace remora::executor::protocol
