#include "common/format.h"

#include <cstdio>

namespace remora::common {

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace remora::common
