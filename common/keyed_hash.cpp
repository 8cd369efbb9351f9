#include "common/keyed_hash.h"

#include <random>

#include "common/random.h"

namespace remora::common {
namespace {

std::uint64_t process_key() {
    static const std::uint64_t key = [] {
        std::random_device device;
        const std::uint64_t drawn = (std::uint64_t{device()} << 32) ^ device();
        return drawn != 0 ? drawn : 1;
    }();
    return key;
}

}  // namespace

KeyedHash256::KeyedHash256() : KeyedHash256(process_key()) {}

KeyedHash256::KeyedHash256(std::uint64_t key) {
    std::uint64_t state = key != 0 ? key : process_key();
    m_key0 = splitmix64_step(state) | 1;
    m_key1 = splitmix64_step(state);
}

}  // namespace remora::common
