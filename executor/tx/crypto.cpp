#include "executor/tx/crypto.h"

#include <sodium.h>

#include "common/hash.h"
#include "common/status.h"
#include "executor/tx/canonical.h"

namespace remora::executor {

static_assert(crypto_sign_PUBLICKEYBYTES == sizeof(PublicKey::bytes));
static_assert(crypto_sign_BYTES == sizeof(Signature::bytes));
static_assert(crypto_sign_SEEDBYTES == sizeof(Seed::bytes));
static_assert(crypto_sign_SECRETKEYBYTES == sizeof(KeyPair::secret_key));

void ensure_sodium_initialized() {
    // A function-local static is initialised once even with concurrent callers (C++11).
    static const int result = sodium_init();
    REMORA_ASSERT(result >= 0);
}

KeyPair keypair_from_seed(const Seed& seed) {
    ensure_sodium_initialized();
    KeyPair keys;
    int rc = crypto_sign_seed_keypair(keys.public_key.bytes.data(), keys.secret_key.data(),
                                      seed.bytes.data());
    REMORA_ASSERT(rc == 0);
    return keys;
}

Signature sign(const KeyPair& keys, ByteView message) {
    ensure_sodium_initialized();
    Signature signature;
    int rc = crypto_sign_detached(signature.bytes.data(), nullptr,
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), keys.secret_key.data());
    REMORA_ASSERT(rc == 0);
    return signature;
}

bool verify_signature(const PublicKey& key, const Signature& signature, ByteView message) {
    ensure_sodium_initialized();
    return crypto_sign_verify_detached(signature.bytes.data(),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(), key.bytes.data()) == 0;
}

Address address_of(const PublicKey& key) {
    return common::blake2b_256({domain_prefix(kAddressDomain), key.view()});
}

}  // namespace remora::executor
