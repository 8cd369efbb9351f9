#include "executor/vm/precompiles.h"

#include <sodium.h>

#include "common/hash.h"
#include "common/status.h"
#include "executor/vm/limits.h"

namespace remora::executor::vm {
namespace {

const unsigned char* bytes_of(ByteView view) {
    return reinterpret_cast<const unsigned char*>(view.data());
}

Value hash_value(const common::Hash256& hash) { return Value::bytes(Bytes(hash.view())); }

// libsodium picks its implementations in sodium_init (thread-safe, idempotent); results do not
// depend on the choice, only speed does.
void ensure_sodium() {
    static const bool kReady = sodium_init() >= 0;
    REMORA_ASSERT(kReady);
}

}  // namespace

common::Hash256 sha256(ByteView data) {
    ensure_sodium();
    common::Hash256 out;
    crypto_hash_sha256(out.bytes.data(), bytes_of(data), data.size());
    return out;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
    REMORA_ASSERT(public_key.size() == crypto_sign_PUBLICKEYBYTES);
    REMORA_ASSERT(signature.size() == crypto_sign_BYTES);
    ensure_sodium();
    return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(),
                                       bytes_of(public_key)) == 0;
}

common::Hash256 iterated_hash(ByteView data, std::uint64_t rounds) {
    REMORA_ASSERT(rounds >= 1 && rounds <= limits::kIteratedHashRoundsMax);
    ensure_sodium();
    common::Hash256 h = common::blake2b_256(data);
    for (std::uint64_t i = 1; i < rounds; ++i) h = common::blake2b_256(h.view());
    return h;
}

Value run_precompile(HostFunction function, std::span<const Value> args) {
    switch (function) {
        case HostFunction::kBlake2b256:
            return hash_value(common::blake2b_256(args[0].as_bytes()));
        case HostFunction::kSha256:
            return hash_value(sha256(args[0].as_bytes()));
        case HostFunction::kEd25519Verify:
            return Value::integer(
                ed25519_verify(args[0].as_bytes(), args[1].as_bytes(), args[2].as_bytes()) ? 1 : 0);
        case HostFunction::kIteratedHash:
            return hash_value(iterated_hash(args[0].as_bytes(), args[1].as_int()));
        default:
            break;
    }
    REMORA_ASSERT(false && "not a precompile");
    return {};
}

Bytes precompile_input(HostFunction function, std::span<const Value> args) {
    Bytes out;
    out.push_back(static_cast<char>(function));
    for (const Value& arg : args) {
        if (arg.is_int()) {
            out.push_back(0);
            common::put_be64(out, arg.as_int());
        } else {
            out.push_back(1);
            common::put_be32(out, static_cast<std::uint32_t>(arg.as_bytes().size()));
            out += arg.as_bytes();
        }
    }
    return out;
}

}  // namespace remora::executor::vm
