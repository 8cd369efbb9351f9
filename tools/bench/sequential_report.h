#pragma once
// Output of `remora-bench sequential`: one JSON object (--json) or a readable summary. The JSON
// keys are a contract (docs/tools/remora-bench.md).

#include <string>

#include <nlohmann/json.hpp>

#include "tools/bench/sequential_bench.h"

namespace remora::tools::bench {

nlohmann::ordered_json sequential_report_json(const SequentialBenchResult& result);
std::string sequential_report_text(const SequentialBenchResult& result);

}  // namespace remora::tools::bench
