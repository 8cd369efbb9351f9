// Host calls through the fake host, and the precompiles against known vectors.

#include <sodium.h>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/hash.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/limits.h"
#include "executor/vm/precompiles.h"
#include "tests/executor/vm_support.h"

namespace {

using remora::common::Bytes;
using remora::executor::vm::ExecStatus;
using remora::executor::vm::Value;
using remora::testing::bytes_value;
using remora::testing::FakeHost;
using remora::testing::int_value;
using remora::testing::kGasPlenty;
using remora::testing::run_program;

Bytes hex(const char* text) { return *remora::common::from_hex(text); }

TEST_CASE("vm: object host calls reach the host with the right arguments", "[vm][host]") {
    FakeHost host;
    remora::common::ObjectId coin = host.add_input("100");
    auto recipient = FakeHost::id_from_byte(0x77);
    std::string source =
        ".func main args=1 locals=2 returns=1\n"
        "push 0\nhost input_read\n"  // contents of input 0
        "pushc \"+1\"\nconcat\nstore 1\n"
        "push 0\nhost input_id\nstore 2\n"
        "load 2\nload 1\nhost object_write\n"
        "load 2\nload 0\nhost object_transfer\n"
        "pushc \"note\"\npushc \"hi\"\nhost object_create\n"
        "dup\nhost object_delete\n"
        "ret\n";
    auto outcome =
        run_program(source, "main", {bytes_value(Bytes(recipient.view()))}, kGasPlenty, &host);
    INFO(outcome.to_string());
    REQUIRE(outcome.is_ok());
    CHECK(host.objects.size() == 1);
    CHECK(host.objects[coin] == "100+1");
    CHECK(host.owners[coin] == recipient);
    REQUIRE(outcome.returns.size() == 1);
    CHECK(outcome.returns[0].as_bytes().size() == 32);  // the created (then deleted) id
    CHECK(host.calls == std::vector<std::string>{"input_read", "input_id", "object_write",
                                                 "object_transfer", "object_create",
                                                 "object_delete"});
}

TEST_CASE("vm: dynamic children and events", "[vm][host]") {
    FakeHost host;
    host.add_input("collection");
    std::string source =
        ".func main args=0 locals=1 returns=3\n"
        "push 0\nhost input_id\nstore 0\n"
        "load 0\npushc \"nft-1\"\nhost child_exists\n"  // 0
        "load 0\npushc \"nft-1\"\npushc \"owner=a\"\nhost child_set\n"
        "load 0\npushc \"nft-1\"\nhost child_get\n"  // "owner=a"
        "load 0\npushc \"nft-1\"\nhost child_remove\n"
        "load 0\npushc \"nft-1\"\nhost child_exists\n"  // 0
        "pushc \"minted\"\npushc 0x01\nhost emit_event\n"
        "ret\n";
    auto outcome = run_program(source, "main", {}, kGasPlenty, &host);
    INFO(outcome.to_string());
    REQUIRE(outcome.is_ok());
    CHECK(outcome.returns ==
          std::vector<Value>{int_value(0), bytes_value("owner=a"), int_value(0)});
    CHECK(host.children.empty());
    REQUIRE(host.events.size() == 1);
    CHECK(host.events[0] == std::make_pair(Bytes("minted"), Bytes("\x01")));

    std::string missing =
        ".func main args=0 locals=0 returns=1\n"
        "push 0\nhost input_id\npushc \"absent\"\nhost child_get\nret\n";
    auto absent = run_program(missing, "main", {}, kGasPlenty, &host);
    CHECK(absent.status == ExecStatus::kHostError);
    CHECK(absent.abort_code == remora::executor::vm::host_error::kNotFound);
}

TEST_CASE("vm: host argument bounds come from the signatures", "[vm][host]") {
    std::string long_key(remora::executor::vm::limits::kChildKeyBytesMax + 1, 'k');
    std::string source =
        ".func main args=2 locals=0 returns=1\nload 0\nload 1\nhost child_exists\nret\n";
    Bytes id(32, '\x01');
    CHECK(run_program(source, "main", {bytes_value(id), bytes_value("k")}).is_ok());
    CHECK(run_program(source, "main", {bytes_value(id), bytes_value("")}).status ==
          ExecStatus::kHostArgumentInvalid);
    CHECK(run_program(source, "main", {bytes_value(id), bytes_value(long_key)}).status ==
          ExecStatus::kHostArgumentInvalid);
    CHECK(run_program(source, "main", {bytes_value("short"), bytes_value("k")}).status ==
          ExecStatus::kHostArgumentInvalid);
    CHECK(run_program(source, "main", {int_value(1), bytes_value("k")}).status ==
          ExecStatus::kTypeMismatch);
}

TEST_CASE("vm: precompiles match reference vectors", "[vm][host]") {
    // FIPS 180-2 SHA-256("abc").
    CHECK(Bytes(remora::executor::vm::sha256("abc").view()) ==
          hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    std::string source = remora::testing::read_program("examples/hash_chain.rasm");
    auto chain = run_program(source, "chain", {bytes_value("seed"), int_value(5)});
    auto fast = run_program(source, "fast_chain", {bytes_value("seed"), int_value(5)});
    REQUIRE(chain.is_ok());
    REQUIRE(fast.is_ok());
    CHECK(chain.returns == fast.returns);
    auto h = remora::common::blake2b_256("seed");
    for (int i = 1; i < 5; ++i) h = remora::common::blake2b_256(h.view());
    CHECK(fast.returns == std::vector<Value>{bytes_value(Bytes(h.view()))});
    CHECK(fast.gas_used < chain.gas_used);
}

TEST_CASE("vm: ed25519_verify inside a program", "[vm][host]") {
    REQUIRE(sodium_init() >= 0);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char seed[crypto_sign_SEEDBYTES] = {7};
    crypto_sign_seed_keypair(pk, sk, seed);
    Bytes message = "transfer 10";
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), sk);
    Bytes pk_bytes(reinterpret_cast<char*>(pk), sizeof pk);
    Bytes sig_bytes(reinterpret_cast<char*>(sig), sizeof sig);
    std::string source = remora::testing::read_program("examples/hash_chain.rasm");
    auto good = run_program(source, "check",
                            {bytes_value(pk_bytes), bytes_value(message), bytes_value(sig_bytes)});
    CHECK(good.returns == std::vector<Value>{int_value(1)});
    Bytes tampered = sig_bytes;
    tampered[0] = static_cast<char>(tampered[0] ^ 1);
    auto bad = run_program(source, "check",
                           {bytes_value(pk_bytes), bytes_value(message), bytes_value(tampered)});
    CHECK(bad.status == ExecStatus::kUserAbort);
    CHECK(bad.abort_code == 1);
    auto malformed = run_program(source, "check",
                                 {bytes_value(pk_bytes), bytes_value(message), bytes_value("sig")});
    CHECK(malformed.status == ExecStatus::kHostArgumentInvalid);
}

TEST_CASE("vm: precompile input encoding is canonical", "[vm][host]") {
    using remora::executor::vm::HostFunction;
    std::vector<Value> args{bytes_value("ab"), int_value(258)};
    Bytes encoded = remora::executor::vm::precompile_input(HostFunction::kIteratedHash, args);
    CHECK(encoded == hex("23"
                         "01"
                         "00000002"
                         "6162"
                         "00"
                         "0000000000000102"));
}

TEST_CASE("vm: host signature table is consistent", "[vm][host]") {
    using namespace remora::executor::vm;
    for (std::size_t i = 0; i < host_function_count(); ++i) {
        const HostSignature& sig = host_function_at(i);
        INFO(sig.name);
        CHECK(host_signature(static_cast<std::uint8_t>(sig.function)) == &sig);
        CHECK(host_signature_by_name(sig.name) == &sig);
        CHECK(sig.arg_count <= kHostArgsMax);
        CHECK(sig.result_count <= 1);
        CHECK(sig.gas_base > 0);
    }
}

}  // namespace
