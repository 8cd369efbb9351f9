#pragma once
// How long-running library work reports how far it got, for a tool to show (tools/cli/progress.h
// draws it on a terminal): called with the units done so far and the total (0 when unknown),
// from the thread doing the work, as often as is cheap for the caller; an empty function is
// never called.

#include <cstdint>
#include <functional>

namespace remora::common {

using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

}  // namespace remora::common
