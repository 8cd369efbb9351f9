#include "common/fault_point.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace remora::common {
namespace {

// At most this many points armed at once (a spec names each at most once).
constexpr std::size_t kArmedMax = 8;

struct Armed {
    const char* name = nullptr;  // from the catalogue: compared by content
    std::uint64_t hit = 0;
    std::atomic<std::uint64_t> passes{0};
};

std::array<Armed, kArmedMax> g_armed;
std::atomic<std::size_t> g_armed_count{0};

std::string names_list() {
    std::string out;
    for (const FaultPointInfo& info : fault_point_catalogue()) {
        if (!out.empty()) out += ", ";
        out += info.name;
    }
    return out;
}

}  // namespace

const std::vector<FaultPointInfo>& fault_point_catalogue() {
    static const std::vector<FaultPointInfo> catalogue = {
        {"storage.commit.before_write", "before a commit's atomic WriteBatch is written", "any"},
        {"storage.commit.after_write",
         "after a commit's WriteBatch is written, before its summaries are sent", "any"},
        {"primary.ordered.before_apply",
         "between the sequencer ordering a batch and the primary applying it", "primary"},
        {"primary.commit.internal_error",
         "makes the primary's execution of an ordered commit fail with an internal error (not a "
         "crash): the node records a poison marker and exits 70",
         "primary"},
        {"primary.state_update.mid_push",
         "after one state update of a commit was queued, before the others", "primary"},
        {"recovery.snapshot.mid", "after a snapshot's checkpoint, before its manifest", "primary"},
        {"recovery.restore.mid", "after the first file of a snapshot restore was copied",
         "pre-executor"},
        {"net.frame.partial", "after writing the first half of a frame to a peer", "any"},
        {"pre_executor.apply", "in the pre-executor's apply of a state update", "pre-executor"},
    };
    return catalogue;
}

bool fault_points_compiled() { return REMORA_FAULT_POINTS_COMPILED != 0; }

Status arm_fault_points(std::string_view spec) {
    struct Parsed {
        const char* name;
        std::uint64_t hit;
    };
    std::vector<Parsed> parsed;
    for (bool more = !spec.empty(); more;) {
        const std::size_t comma = spec.find(',');
        const std::string_view item = spec.substr(0, comma);
        more = comma != std::string_view::npos;  // "a:1," names an empty point after the comma
        spec = more ? spec.substr(comma + 1) : std::string_view{};
        const std::size_t colon = item.find(':');
        const std::string_view name = item.substr(0, colon);
        const std::string_view count =
            colon == std::string_view::npos ? std::string_view{} : item.substr(colon + 1);
        const FaultPointInfo* known = nullptr;
        for (const FaultPointInfo& info : fault_point_catalogue()) {
            if (name == info.name) known = &info;
        }
        if (known == nullptr) {
            return {Code::kInvalidArgument, std::string(kFaultEnvironmentVariable) +
                                                ": unknown fault point '" + std::string(name) +
                                                "' (known: " + names_list() + ")"};
        }
        std::uint64_t hit = 0;
        bool digits = !count.empty() && count.size() <= 12;
        for (char c : count) {
            if (c < '0' || c > '9') digits = false;
            if (digits) hit = hit * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (!digits || hit == 0) {
            return {Code::kInvalidArgument, std::string(kFaultEnvironmentVariable) + ": '" +
                                                std::string(item) +
                                                "' must be name:hit with hit a count in "
                                                "1..999999999999"};
        }
        for (const Parsed& p : parsed) {
            if (name == p.name) {
                return {Code::kInvalidArgument, std::string(kFaultEnvironmentVariable) +
                                                    ": fault point '" + std::string(name) +
                                                    "' named twice"};
            }
        }
        if (parsed.size() == kArmedMax) {
            return {Code::kInvalidArgument, std::string(kFaultEnvironmentVariable) + ": at most " +
                                                std::to_string(kArmedMax) + " fault points"};
        }
        parsed.push_back({known->name, hit});
    }
    if (!parsed.empty() && !fault_points_compiled()) {
        return {Code::kUnsupported,
                std::string(kFaultEnvironmentVariable) +
                    " names fault points, but this build has none: build the `faults` preset "
                    "(cmake --preset faults, or -DREMORA_FAULT_POINTS=ON)"};
    }
    g_armed_count.store(0, std::memory_order_release);
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        g_armed[i].name = parsed[i].name;
        g_armed[i].hit = parsed[i].hit;
        g_armed[i].passes.store(0, std::memory_order_relaxed);
    }
    g_armed_count.store(parsed.size(), std::memory_order_release);
    return Status::ok();
}

Status arm_fault_points_from_environment() {
    const char* spec = std::getenv(kFaultEnvironmentVariable);
    return arm_fault_points(spec == nullptr ? std::string_view{} : std::string_view(spec));
}

bool fault_point_fires(const char* name) {
    const std::size_t count = g_armed_count.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < count; ++i) {
        Armed& armed = g_armed[i];
        if (std::strcmp(armed.name, name) != 0) continue;
        return armed.passes.fetch_add(1, std::memory_order_relaxed) + 1 == armed.hit;
    }
    return false;
}

void fault_point_crash(const char* name) {
    // Only async-signal-safe calls: another thread may hold the allocator's or stdio's locks.
    const char prefix[] = "remora: fault point ";
    const char suffix[] = " fired: crashing with SIGKILL\n";
    (void)!::write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
    (void)!::write(STDERR_FILENO, name, std::strlen(name));
    (void)!::write(STDERR_FILENO, suffix, sizeof(suffix) - 1);
    ::kill(::getpid(), SIGKILL);
    std::_Exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace remora::common
