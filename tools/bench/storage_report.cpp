#include "tools/bench/storage_report.h"

#include <cstdio>

#include "tools/bench/random_objects.h"

namespace remora::tools::bench {
namespace {

nlohmann::ordered_json side_json(const SideSummary& s) {
    return {{"commits_per_s", s.commits_per_s},
            {"writes_per_s", s.writes_per_s},
            {"p50_ms", s.p50_ms},
            {"p99_ms", s.p99_ms},
            {"max_ms", s.max_ms},
            {"cpu_s", s.cpu_s},
            {"seconds", s.seconds}};
}

}  // namespace

nlohmann::ordered_json storage_report_json(const StorageBenchResult& r) {
    const StorageBenchOptions& o = r.options;
    nlohmann::ordered_json j;
    j["mode"] = "storage";
    j["workload"] = kRandomObjectsWorkload;
    j["commits"] = o.commits;
    j["objects_per_commit"] = o.objects_per_commit;
    j["seed"] = o.seed;
    j["sync"] = o.sync;
    j["shards"] = r.shards;
    j["payload_bytes"] = o.payload_bytes;
    j["update_fraction"] = o.update_fraction;
    j["chunk_commits"] = o.chunk_commits;
    j["interleaving"] = kInterleaving;
    j["seconds"] = r.store.seconds;
    j["tps"] = r.store.commits_per_s;
    j["store"] = side_json(r.store);
    j["raw"] = side_json(r.raw);
    j["ratio"] = r.ratio;
    j["cpu_ratio"] = r.cpu_ratio;
    j["digest"] = r.digest_hex;
    j["digest_verified"] = r.digest_verified;
    j["live_objects"] = r.live_objects;
    j["objects_created"] = r.objects_created;
    j["updates"] = r.updates;
    j["run_seconds"] = r.run_seconds;
    j["db"] = o.db_dir;
    return j;
}

std::string storage_report_text(const StorageBenchResult& r) {
    const StorageBenchOptions& o = r.options;
    std::string out;
    out += "remora-bench storage: workload " + std::string(kRandomObjectsWorkload) + ", seed " +
           std::to_string(o.seed) + "\n";
    out += "  " + std::to_string(o.commits) + " commits x " + std::to_string(o.objects_per_commit) +
           " objects (" + std::to_string(r.objects_created) + " created, " +
           std::to_string(r.updates) + " updates), payload ~" + std::to_string(o.payload_bytes) +
           " B, sync " + (o.sync ? "on" : "off") + ", " + std::to_string(r.shards) +
           " shards, interleaved in chunks of " + std::to_string(o.chunk_commits) + " (ABBA)\n\n";
    char line[200];
    std::snprintf(line, sizeof(line), "  %-6s %12s %14s %10s %10s %10s %9s\n", "side", "commits/s",
                  "writes/s", "p50 ms", "p99 ms", "max ms", "cpu s");
    out += line;
    for (const auto& [name, s] : {std::pair{"store", &r.store}, std::pair{"raw", &r.raw}}) {
        std::snprintf(line, sizeof(line), "  %-6s %12.1f %14.0f %10.3f %10.3f %10.3f %9.3f\n", name,
                      s->commits_per_s, s->writes_per_s, s->p50_ms, s->p99_ms, s->max_ms, s->cpu_s);
        out += line;
    }
    std::snprintf(line, sizeof(line),
                  "\n  ratio (store/raw writes/s): %.3f   cpu ratio (raw/store cpu s): %.3f\n",
                  r.ratio, r.cpu_ratio);
    out += line;
    out += "  digest: " + r.digest_hex +
           (r.digest_verified ? " (verified by recompute)\n"
                              : " (MISMATCH with recompute " + r.recomputed_digest_hex + ")\n");
    out += "  live objects: " + std::to_string(r.live_objects) + "\n";
    out += "  databases left in " + o.db_dir + "\n";
    return out;
}

}  // namespace remora::tools::bench
