#pragma once
// Numbers as people read them in reports and logs.

#include <string>

namespace remora::common {

// `value` with exactly `decimals` digits after the point ("%.*f").
std::string fixed(double value, int decimals = 0);

}  // namespace remora::common
