// Mutual TLS for cluster links over loopback (net/tls.h): generated credentials carry frames both
// ways and name the peer; a peer without valid credentials is refused with the reason while the
// server keeps serving good clients; credential files are never overwritten; contexts name the
// file that is wrong. Every wait is bounded in time.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <optional>

#include <openssl/ssl.h>

#include "net/frame.h"
#include "net/tls.h"
#include "tests/net/tls_fixture.h"
#include "tests/support/temp_dir.h"

namespace remora::net {
namespace {

using namespace std::chrono_literals;
using common::Code;
using common::Status;
using testing::TempDir;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("mutual TLS carries frames both ways and names both peers", "[net][tls]") {
    TlsCluster cluster;
    asio::io_context io;
    TlsEchoServer server(io, cluster.context("node-a", TlsRole::kServer));
    auto client = connect_tls(io, server.endpoint(), *cluster.context("node-b", TlsRole::kClient));
    REQUIRE(handshake(io, client, TlsRole::kClient).is_ok());
    CHECK(peer_common_name(*client) == "node-a");
    for (int i = 0; i < 50; ++i) {
        const std::string body =
            "ping " + std::to_string(i) + std::string(std::size_t{100} * i, 'z');
        auto reply = exchange(io, client, body);
        REQUIRE(reply.is_ok());
        CHECK(reply->body == "node-b:" + body);  // the server saw the client's CN
    }
    REQUIRE(server.outcomes.size() == 1);
    CHECK(server.outcomes[0].is_ok());
}

TEST_CASE("a TLS server refuses peers without valid credentials, says why, and keeps serving",
          "[net][tls]") {
    TlsCluster cluster;
    TlsCluster other;  // another cluster: another CA
    REQUIRE(add_node_credentials(
                cluster.dir.path().string(), std::vector<std::string>{"old"},
                {std::chrono::system_clock::now() - 48h, std::chrono::system_clock::now() - 24h})
                .is_ok());
    REQUIRE(add_node_credentials(
                cluster.dir.path().string(), std::vector<std::string>{"future"},
                {std::chrono::system_clock::now() + 24h, std::chrono::system_clock::now() + 48h})
                .is_ok());
    asio::io_context io;
    TlsEchoServer server(io, cluster.context("node-a", TlsRole::kServer), 500ms);
    auto good = cluster.context("node-b", TlsRole::kClient);

    // The server's reason for the refusal just made, then a good client served after it.
    auto refused_then_good = [&](std::size_t before) {
        REQUIRE(run_until(io, [&] { return server.outcomes.size() == before + 1; }));
        Status refused = server.outcomes.back();
        CHECK_FALSE(refused.is_ok());
        auto client = connect_tls(io, server.endpoint(), *good);
        REQUIRE(handshake(io, client, TlsRole::kClient).is_ok());
        auto reply = exchange(io, client, "still there?");
        REQUIRE(reply.is_ok());
        CHECK(reply->body == "node-b:still there?");
        return refused;
    };
    // A bad client's handshake may succeed (TLS 1.3 ends it before the server checks the
    // client's certificate): its refusal shows at its first read, which must fail.
    auto bad_client_fails = [&](const std::shared_ptr<TlsStream>& client) {
        const Status shake = handshake(io, client, TlsRole::kClient);
        if (shake.is_ok()) CHECK_FALSE(exchange(io, client, "let me in").is_ok());
    };

    SECTION("refusals in a row") {
        // No certificate at all: a client context that trusts the CA but presents nothing.
        asio::ssl::context anonymous(asio::ssl::context::tls_client);
        anonymous.load_verify_file(cluster_files(cluster.dir.path().string(), "node-b").ca_cert);
        anonymous.set_verify_mode(asio::ssl::verify_peer);
        bad_client_fails(connect_tls(io, server.endpoint(), anonymous));
        Status no_cert = refused_then_good(0);
        CHECK(no_cert.code() == Code::kVerificationFailed);
        CHECK_THAT(no_cert.message(), Catch::Contains("peer did not return a certificate"));

        // A certificate of another cluster's CA (the client trusts this cluster's CA, so
        // that it is the server that refuses).
        TlsFiles foreign = cluster_files(other.dir.path().string(), "node-b");
        foreign.ca_cert = cluster_files(cluster.dir.path().string(), "node-b").ca_cert;
        auto foreign_context = make_cluster_context(foreign, TlsRole::kClient);
        REQUIRE(foreign_context.is_ok());
        bad_client_fails(connect_tls(io, server.endpoint(), **foreign_context));
        Status other_ca = refused_then_good(2);
        CHECK(other_ca.code() == Code::kVerificationFailed);
        CHECK_THAT(other_ca.message(), Catch::Contains("unable to get local issuer certificate"));

        bad_client_fails(
            connect_tls(io, server.endpoint(), *cluster.context("old", TlsRole::kClient)));
        Status expired = refused_then_good(4);
        CHECK(expired.code() == Code::kVerificationFailed);
        CHECK_THAT(expired.message(), Catch::Contains("certificate has expired"));

        bad_client_fails(
            connect_tls(io, server.endpoint(), *cluster.context("future", TlsRole::kClient)));
        Status early = refused_then_good(6);
        CHECK(early.code() == Code::kVerificationFailed);
        CHECK_THAT(early.message(), Catch::Contains("certificate is not yet valid"));

        // Plain TCP speaking frames to the TLS port.
        asio::ip::tcp::socket plain(io);
        plain.connect(server.endpoint());
        asio::write(plain, asio::buffer(encode_frame(1, "hello in clear")));
        Status clear = refused_then_good(8);
        CHECK(clear.code() == Code::kIoError);
        CHECK_THAT(clear.message(), Catch::Contains("wrong version number"));

        // Connects and never starts the handshake.
        asio::ip::tcp::socket silent(io);
        silent.connect(server.endpoint());
        const auto start = std::chrono::steady_clock::now();
        Status timed_out = refused_then_good(10);
        CHECK(std::chrono::steady_clock::now() - start >= 500ms);
        CHECK(timed_out.code() == Code::kIoError);
        CHECK_THAT(timed_out.message(), Catch::Contains("handshake timed out after 500 ms"));

        // A TLS 1.2 client: the contexts speak TLS 1.3 only.
        auto old_tls = cluster.context("node-b", TlsRole::kClient);
        REQUIRE(SSL_CTX_set_max_proto_version(old_tls->native_handle(), TLS1_2_VERSION) == 1);
        REQUIRE(SSL_CTX_set_min_proto_version(old_tls->native_handle(), TLS1_2_VERSION) == 1);
        bad_client_fails(connect_tls(io, server.endpoint(), *old_tls));
        Status tls12 = refused_then_good(12);
        CHECK_THAT(tls12.message(), Catch::Contains("unsupported protocol"));

        for (std::size_t i = 1; i < server.outcomes.size(); i += 2)
            CHECK(server.outcomes[i].is_ok());
    }

    SECTION("a client refuses a server of another cluster") {
        asio::io_context other_io;
        TlsEchoServer impostor(other_io, other.context("node-a", TlsRole::kServer));
        auto client = connect_tls(other_io, impostor.endpoint(), *good);
        Status refused = handshake(other_io, client, TlsRole::kClient);
        CHECK(refused.code() == Code::kVerificationFailed);
        CHECK_THAT(refused.message(), Catch::Contains("unable to get local issuer certificate"));
        CHECK(peer_common_name(*client).empty());
    }
}

TEST_CASE("cluster credentials: files, modes, names, and never an overwrite", "[net][tls]") {
    TempDir tmp;
    const std::string dir = tmp.sub("creds");
    const std::vector<std::string> names{"primary", "pre-1"};
    REQUIRE(write_cluster_credentials(dir, names, 3600s).is_ok());
    for (const std::string file :
         {"ca.pem", "ca.key", "primary.pem", "primary.key", "pre-1.pem", "pre-1.key"}) {
        struct stat st {};
        REQUIRE(::stat(tmp.sub("creds/" + file).c_str(), &st) == 0);
        const bool is_key = std::string(file).ends_with(".key");
        CHECK((st.st_mode & 0777) == (is_key ? 0600u : 0644u));
    }
    CHECK(cluster_files(dir, "pre-1").cert == dir + "/pre-1.pem");
    CHECK(cluster_files(dir, "pre-1").key == dir + "/pre-1.key");
    CHECK(cluster_files(dir, "pre-1").ca_cert == dir + "/ca.pem");

    const std::string ca_before = read_file(dir + "/ca.pem");
    Status again = write_cluster_credentials(dir, std::vector<std::string>{"other"}, 3600s);
    CHECK(again.code() == Code::kAlreadyExists);
    CHECK_THAT(again.message(), Catch::Contains("ca.pem"));
    CHECK(read_file(dir + "/ca.pem") == ca_before);
    CHECK_FALSE(std::filesystem::exists(dir + "/other.pem"));  // nothing written

    Status existing_node = add_node_credentials(dir, std::vector<std::string>{"pre-2", "pre-1"},
                                                validity_from_now(60s));
    CHECK(existing_node.code() == Code::kAlreadyExists);
    CHECK_FALSE(std::filesystem::exists(dir + "/pre-2.pem"));
    REQUIRE(add_node_credentials(dir, std::vector<std::string>{"pre-2"}, validity_from_now(60s))
                .is_ok());
    CHECK(read_file(dir + "/ca.pem") == ca_before);

    for (const std::string& bad : {std::string(""), std::string("a/b"), std::string(".hidden"),
                                   std::string("ca"), std::string(65, 'n')}) {
        Status s = write_cluster_credentials(tmp.sub("bad"), std::vector<std::string>{bad}, 60s);
        CHECK(s.code() == Code::kInvalidArgument);
    }
    CHECK(
        write_cluster_credentials(tmp.sub("bad"), std::vector<std::string>{"x", "x"}, 60s).code() ==
        Code::kInvalidArgument);
    CHECK(write_cluster_credentials(tmp.sub("bad"), names, 0s).code() == Code::kInvalidArgument);
    CHECK(write_cluster_credentials(tmp.sub("bad"), names, kCredentialValidityMax + 1s).code() ==
          Code::kInvalidArgument);
    CHECK_FALSE(std::filesystem::exists(tmp.sub("bad")));

    Status no_ca = add_node_credentials(tmp.sub("nowhere"), std::vector<std::string>{"n"},
                                        validity_from_now(60s));
    CHECK(no_ca.code() == Code::kNotFound);
    CHECK_THAT(no_ca.message(), Catch::Contains("ca.pem"));
}

TEST_CASE("renewal replaces a node's key and certificate under the same CA", "[net][tls]") {
    TempDir tmp;
    const std::string dir = tmp.sub("creds");
    const std::vector<std::string> primary{"primary"};
    REQUIRE(write_cluster_credentials(dir, std::vector<std::string>{"primary", "pre-1"}, 3600s)
                .is_ok());
    const std::string ca = read_file(dir + "/ca.pem");
    const std::string key = read_file(dir + "/primary.key");
    const std::string other = read_file(dir + "/pre-1.pem");
    auto before = certificate_not_after(dir + "/primary.pem");
    REQUIRE(before.is_ok());
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    CHECK(*before > now + 3500);
    CHECK(*before <= now + 3601);

    REQUIRE(renew_node_credentials(dir, primary, validity_from_now(30 * 24h)).is_ok());
    auto after = certificate_not_after(dir + "/primary.pem");
    REQUIRE(after.is_ok());
    CHECK(*after > now + std::time_t{29} * 24 * 3600);
    const std::string renewed_key = read_file(dir + "/primary.key");
    CHECK(renewed_key != key);
    CHECK(read_file(dir + "/ca.pem") == ca);
    CHECK(read_file(dir + "/pre-1.pem") == other);
    struct stat st {};
    REQUIRE(::stat((dir + "/primary.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600u);
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        CHECK(entry.path().filename().string().rfind(".renew", 0) != 0);  // staging removed
    }
    // The renewed pair is a pair: a context loads it (the key matches the certificate).
    REQUIRE(make_cluster_context(cluster_files(dir, "primary"), TlsRole::kServer).is_ok());

    // Only existing nodes are renewed; a directory without its CA key cannot sign.
    CHECK(renew_node_credentials(dir, std::vector<std::string>{"pre-2"}, validity_from_now(60s))
              .code() == Code::kNotFound);
    CHECK_FALSE(std::filesystem::exists(dir + "/pre-2.pem"));
    std::filesystem::remove(dir + "/ca.key");
    CHECK(renew_node_credentials(dir, primary, validity_from_now(60s)).code() == Code::kNotFound);
    CHECK(read_file(dir + "/primary.key") == renewed_key);  // untouched by the refusal
    CHECK(certificate_not_after(dir + "/primary.pem").value() == *after);
    CHECK(certificate_not_after(dir + "/missing.pem").status().code() == Code::kNotFound);
    std::ofstream(dir + "/garbage.pem") << "not a certificate";
    CHECK(certificate_not_after(dir + "/garbage.pem").status().code() == Code::kCorruption);
}

TEST_CASE("a cluster context names the file that is wrong", "[net][tls]") {
    TempDir tmp;
    const std::string dir = tmp.sub("creds");
    REQUIRE(write_cluster_credentials(dir, std::vector<std::string>{"a", "b"}, 3600s).is_ok());
    REQUIRE(make_cluster_context(cluster_files(dir, "a"), TlsRole::kServer).is_ok());
    REQUIRE(make_cluster_context(cluster_files(dir, "a"), TlsRole::kClient).is_ok());

    TlsFiles missing = cluster_files(dir, "a");
    missing.key = dir + "/nope.key";
    auto no_key = make_cluster_context(missing, TlsRole::kServer);
    REQUIRE_FALSE(no_key.is_ok());
    CHECK(no_key.status().code() == Code::kNotFound);
    CHECK_THAT(no_key.status().message(), Catch::Contains("nope.key"));

    TlsFiles mismatched = cluster_files(dir, "a");
    mismatched.key = cluster_files(dir, "b").key;
    auto wrong_key = make_cluster_context(mismatched, TlsRole::kClient);
    REQUIRE_FALSE(wrong_key.is_ok());
    CHECK(wrong_key.status().code() == Code::kInvalidArgument);
    CHECK_THAT(wrong_key.status().message(),
               Catch::Contains("b.key") && Catch::Contains("key values mismatch"));

    TlsFiles not_pem = cluster_files(dir, "a");
    { std::ofstream(tmp.sub("junk.pem")) << "not a certificate\n"; }
    not_pem.ca_cert = tmp.sub("junk.pem");
    auto bad_ca = make_cluster_context(not_pem, TlsRole::kServer);
    REQUIRE_FALSE(bad_ca.is_ok());
    CHECK(bad_ca.status().code() == Code::kInvalidArgument);
    CHECK_THAT(bad_ca.status().message(),
               Catch::Contains("CA certificate") && Catch::Contains("junk.pem"));
}

}  // namespace
}  // namespace remora::net
