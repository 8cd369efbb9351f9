// libFuzzer target for every decoder of inbound bytes (built with REMORA_FUZZ=ON, Clang): the
// first byte picks the decoder (transaction, effects, lookup table, Anoma message, object,
// commit body), the rest is its input. Oracles: decoding never crashes or hangs (the sanitizers
// and libFuzzer's timeout watch); whatever decodes re-encodes to bytes that decode to an equal
// value; a decoded transaction's digest is a function of its value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "executor/sequential/commit_body.h"
#include "executor/tx/anoma_codec.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/lookup_table_codec.h"
#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"

namespace {

namespace ex = remora::executor;

void check(bool condition) {
    if (!condition) std::abort();
}

template <typename Decode, typename Encode>
void round_trip(remora::common::ByteView bytes, Decode decode, Encode encode) {
    auto first = decode(bytes);
    if (!first) return;
    auto again = decode(encode(first.value()));
    check(again.is_ok());
    check(again.value() == first.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    remora::common::ByteView bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 6) {
        case 0: {
            round_trip(bytes, ex::decode_transaction, ex::encode_transaction);
            auto tx = ex::decode_transaction(bytes);
            if (tx) check(ex::transaction_digest(*tx) == ex::transaction_digest(*tx));
            break;
        }
        case 1:
            round_trip(bytes, ex::decode_effects, ex::encode_effects);
            break;
        case 2:
            round_trip(bytes, ex::decode_lookup_table, ex::encode_lookup_table);
            break;
        case 3:
            round_trip(bytes, ex::decode_anoma_message, ex::encode_anoma_message);
            break;
        case 4:
            round_trip(bytes, ex::decode_object, ex::encode_object);
            break;
        default: {
            auto body = ex::decode_commit_body(bytes);
            if (body) check(ex::decode_commit_body(ex::encode_commit_body(*body)).is_ok());
            break;
        }
    }
    return 0;
}
