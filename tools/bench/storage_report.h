#pragma once
// Output of `remora-bench storage`: one JSON object (--json) or a readable summary table.
// The JSON keys are a contract (docs/tools/remora-bench.md).

#include <string>

#include <nlohmann/json.hpp>

#include "tools/bench/storage_bench.h"

namespace remora::tools::bench {

nlohmann::ordered_json storage_report_json(const StorageBenchResult& result);
std::string storage_report_text(const StorageBenchResult& result);

}  // namespace remora::tools::bench
