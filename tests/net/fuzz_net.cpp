// libFuzzer target for the wire layer (built with REMORA_FUZZ=ON, Clang): the frame decoder and
// the decoder of every message body, types 1..16, with the oracle of fuzz_net_oracle.h. Seeds:
// tests/fuzz/corpus/fuzz_net, written by tests/fuzz/make_fuzz_seeds.cpp.

#include "tests/net/fuzz_net_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)remora::net::fuzz::run_one(data, size);
    return 0;
}
