#include "net/tls.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace remora::net {
namespace {

using common::Code;
using common::Status;
namespace fs = std::filesystem;

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

// OpenSSL's queued error reasons, joined, and the queue cleared.
std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(e);
        if (!out.empty()) out += "; ";
        out += reason ? reason : ("OpenSSL error " + std::to_string(e));
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

Status openssl_failure(const std::string& what) {
    return Status{Code::kInternal, what + ": " + openssl_errors()};
}

Status check_node_names(std::span<const std::string> names) {
    std::set<std::string> seen;
    for (const std::string& name : names) {
        const bool good_chars = !name.empty() && name.size() <= 64 && name[0] != '.' &&
                                name.find_first_not_of(
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                    "qrstuvwxyz0123456789._-") == std::string::npos;
        if (!good_chars) {
            return Status{Code::kInvalidArgument,
                          "node name '" + name +
                              "': use 1..64 characters of [A-Za-z0-9._-], not starting with '.'"};
        }
        if (name == "ca") {
            return Status{Code::kInvalidArgument, "node name 'ca' is the cluster CA's file name"};
        }
        if (!seen.insert(name).second) {
            return Status{Code::kInvalidArgument, "node name '" + name + "' given twice"};
        }
    }
    return Status::ok();
}

Status check_validity(const CertificateValidity& v) {
    if (v.not_after <= v.not_before) {
        return Status{Code::kInvalidArgument,
                      "certificate validity: not_after must be after not_before"};
    }
    return Status::ok();
}

KeyPtr new_ed25519_key() { return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

Status add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return openssl_failure(std::string("adding certificate extension ") + OBJ_nid2sn(nid));
    }
    return Status::ok();
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when issuer is null).
common::Result<CertPtr> make_certificate(const std::string& cn, EVP_PKEY* key, X509* issuer,
                                         EVP_PKEY* issuer_key, const CertificateValidity& v,
                                         bool is_ca) {
    CertPtr cert(X509_new());
    if (!cert) return openssl_failure("X509_new");
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return openssl_failure("RAND_bytes");
    serial_bytes[0] &= 0x7f;  // a positive serial
    serial_bytes[0] |= 0x40;  // of a fixed length
    BnPtr serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
    const auto to_time_t = [](std::chrono::system_clock::time_point t) {
        return std::chrono::system_clock::to_time_t(t);
    };
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const bool ok =
        X509_set_version(cert.get(), X509_VERSION_3) == 1 && serial &&
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
        ASN1_TIME_set(X509_getm_notBefore(cert.get()), to_time_t(v.not_before)) != nullptr &&
        ASN1_TIME_set(X509_getm_notAfter(cert.get()), to_time_t(v.not_after)) != nullptr &&
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) == 1 &&
        X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject) == 1 &&
        X509_set_pubkey(cert.get(), key) == 1;
    if (!ok) return openssl_failure("building the certificate of " + cn);
    X509* signer = issuer ? issuer : cert.get();
    REMORA_RETURN_IF_ERROR(add_extension(cert.get(), signer, NID_subject_key_identifier, "hash"));
    REMORA_RETURN_IF_ERROR(
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always"));
    if (is_ca) {
        REMORA_RETURN_IF_ERROR(
            add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
        REMORA_RETURN_IF_ERROR(
            add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign"));
    } else {
        REMORA_RETURN_IF_ERROR(
            add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE"));
        REMORA_RETURN_IF_ERROR(
            add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature"));
        REMORA_RETURN_IF_ERROR(
            add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth"));
    }
    // Ed25519 signs the message itself: no digest.
    if (X509_sign(cert.get(), issuer_key, nullptr) <= 0) {
        return openssl_failure("signing the certificate of " + cn);
    }
    return cert;
}

common::Result<std::string> bio_contents(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size < 0) return openssl_failure("reading a memory BIO");
    return std::string(data, static_cast<std::size_t>(size));
}

common::Result<std::string> cert_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return openssl_failure("PEM of a certificate");
    return bio_contents(bio.get());
}

common::Result<std::string> key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return openssl_failure("PEM of a private key");
    }
    return bio_contents(bio.get());
}

// Files this call creates: each written only when new (O_EXCL), all removed again on failure
// unless commit() was called.
class NewFiles {
public:
    NewFiles() = default;
    NewFiles(const NewFiles&) = delete;
    NewFiles& operator=(const NewFiles&) = delete;
    ~NewFiles() {
        if (m_committed) return;
        for (const std::string& path : m_created) ::unlink(path.c_str());
    }

    Status write(const std::string& path, const std::string& contents, mode_t mode) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0) {
            const int err = errno;
            return Status{err == EEXIST ? Code::kAlreadyExists : Code::kIoError,
                          "creating " + path + ": " + std::strerror(err)};
        }
        m_created.push_back(path);
        std::size_t done = 0;
        int err = 0;
        while (done < contents.size()) {
            const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                err = n < 0 ? errno : EIO;
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        // The umask may have narrowed the mode; keys must end exactly 0600, certificates 0644.
        if (err == 0 && ::fchmod(fd, mode) != 0) err = errno;
        if (err == 0 && ::fsync(fd) != 0) err = errno;
        if (::close(fd) != 0 && err == 0) err = errno;
        if (err != 0) return Status{Code::kIoError, "writing " + path + ": " + std::strerror(err)};
        return Status::ok();
    }

    void commit() { m_committed = true; }

private:
    std::vector<std::string> m_created;
    bool m_committed = false;
};

Status sync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status{Code::kIoError, "opening " + dir + ": " + std::strerror(errno)};
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return Status{Code::kIoError, "syncing " + dir + ": " + std::strerror(err)};
    return Status::ok();
}

Status prepare_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status{Code::kIoError, "creating " + dir + ": " + ec.message()};
    return Status::ok();
}

Status refuse_existing(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
        std::error_code ec;
        if (fs::symlink_status(path, ec).type() != fs::file_type::not_found) {
            return Status{Code::kAlreadyExists,
                          path + " exists; credentials are never overwritten (remove it first)"};
        }
    }
    return Status::ok();
}

std::string path_in(const std::string& dir, const std::string& file) {
    return (fs::path(dir) / file).string();
}

// Writes N.pem and N.key for each name, signed by the CA, into `files`.
Status write_nodes(const std::string& dir, std::span<const std::string> names, X509* ca_cert,
                   EVP_PKEY* ca_key, const CertificateValidity& validity, NewFiles& files) {
    for (const std::string& name : names) {
        KeyPtr key = new_ed25519_key();
        if (!key) return openssl_failure("generating the key of " + name);
        auto cert = make_certificate(name, key.get(), ca_cert, ca_key, validity, false);
        if (!cert) return cert.status();
        auto cert_text = cert_pem(cert->get());
        if (!cert_text) return cert_text.status();
        auto key_text = key_pem(key.get());
        if (!key_text) return key_text.status();
        const TlsFiles paths = cluster_files(dir, name);
        REMORA_RETURN_IF_ERROR(files.write(paths.key, *key_text, 0600));
        REMORA_RETURN_IF_ERROR(files.write(paths.cert, *cert_text, 0644));
    }
    return Status::ok();
}

std::vector<std::string> node_paths(const std::string& dir, std::span<const std::string> names) {
    std::vector<std::string> paths;
    for (const std::string& name : names) {
        const TlsFiles f = cluster_files(dir, name);
        paths.push_back(f.cert);
        paths.push_back(f.key);
    }
    return paths;
}

// Reads a readable regular file's existence for a clear kNotFound before OpenSSL's own message.
Status check_readable(const std::string& path, const char* what) {
    if (path.empty())
        return Status{Code::kInvalidArgument, std::string("no ") + what + " file given"};
    if (::access(path.c_str(), R_OK) != 0) {
        const int err = errno;
        return Status{err == ENOENT ? Code::kNotFound : Code::kIoError,
                      std::string(what) + " " + path + ": " + std::strerror(err)};
    }
    return Status::ok();
}

}  // namespace

CertificateValidity validity_from_now(std::chrono::seconds validity) {
    const auto now = std::chrono::system_clock::now();
    return {now - kClockSkewAllowance, now + validity};
}

TlsFiles cluster_files(const std::string& dir, const std::string& name) {
    return {path_in(dir, "ca.pem"), path_in(dir, name + ".pem"), path_in(dir, name + ".key")};
}

Status write_cluster_credentials(const std::string& dir, std::span<const std::string> node_names,
                                 std::chrono::seconds validity) {
    if (validity.count() <= 0 || validity > kCredentialValidityMax) {
        return Status{Code::kInvalidArgument, "certificate validity must be 1 s to " +
                                                  std::to_string(kCredentialValidityMax.count()) +
                                                  " s, not " + std::to_string(validity.count()) +
                                                  " s"};
    }
    return write_cluster_credentials(dir, node_names, validity_from_now(validity));
}

Status write_cluster_credentials(const std::string& dir, std::span<const std::string> node_names,
                                 const CertificateValidity& validity) {
    REMORA_RETURN_IF_ERROR(check_node_names(node_names));
    REMORA_RETURN_IF_ERROR(check_validity(validity));
    std::vector<std::string> paths = node_paths(dir, node_names);
    paths.push_back(path_in(dir, "ca.pem"));
    paths.push_back(path_in(dir, "ca.key"));
    REMORA_RETURN_IF_ERROR(refuse_existing(paths));
    REMORA_RETURN_IF_ERROR(prepare_directory(dir));

    KeyPtr ca_key = new_ed25519_key();
    if (!ca_key) return openssl_failure("generating the CA key");
    unsigned char id[8];
    if (RAND_bytes(id, sizeof id) != 1) return openssl_failure("RAND_bytes");
    std::string ca_name = "remora cluster CA ";
    for (unsigned char b : id) {
        static constexpr char kHex[] = "0123456789abcdef";
        ca_name += kHex[b >> 4];
        ca_name += kHex[b & 15];
    }
    auto ca_cert = make_certificate(ca_name, ca_key.get(), nullptr, ca_key.get(), validity, true);
    if (!ca_cert) return ca_cert.status();
    auto ca_cert_text = cert_pem(ca_cert->get());
    if (!ca_cert_text) return ca_cert_text.status();
    auto ca_key_text = key_pem(ca_key.get());
    if (!ca_key_text) return ca_key_text.status();

    NewFiles files;
    REMORA_RETURN_IF_ERROR(files.write(path_in(dir, "ca.key"), *ca_key_text, 0600));
    REMORA_RETURN_IF_ERROR(files.write(path_in(dir, "ca.pem"), *ca_cert_text, 0644));
    REMORA_RETURN_IF_ERROR(
        write_nodes(dir, node_names, ca_cert->get(), ca_key.get(), validity, files));
    REMORA_RETURN_IF_ERROR(sync_directory(dir));
    files.commit();
    return Status::ok();
}

namespace {

struct LoadedCa {
    CertPtr cert;
    KeyPtr key;
};

// The cluster CA of `dir` (ca.pem + ca.key, matching).
common::Result<LoadedCa> load_ca(const std::string& dir) {
    const std::string ca_cert_path = path_in(dir, "ca.pem");
    const std::string ca_key_path = path_in(dir, "ca.key");
    REMORA_RETURN_IF_ERROR(check_readable(ca_cert_path, "CA certificate"));
    REMORA_RETURN_IF_ERROR(check_readable(ca_key_path, "CA key"));
    BioPtr cert_bio(BIO_new_file(ca_cert_path.c_str(), "r"));
    CertPtr ca_cert(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)
                             : nullptr);
    if (!ca_cert) {
        return Status{Code::kCorruption,
                      "CA certificate " + ca_cert_path + ": " + openssl_errors()};
    }
    BioPtr key_bio(BIO_new_file(ca_key_path.c_str(), "r"));
    KeyPtr ca_key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr)
                          : nullptr);
    if (!ca_key)
        return Status{Code::kCorruption, "CA key " + ca_key_path + ": " + openssl_errors()};
    if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
        return Status{Code::kCorruption, "CA key " + ca_key_path + " does not match " +
                                             ca_cert_path + ": " + openssl_errors()};
    }
    return LoadedCa{std::move(ca_cert), std::move(ca_key)};
}

}  // namespace

Status add_node_credentials(const std::string& dir, std::span<const std::string> node_names,
                            const CertificateValidity& validity) {
    REMORA_RETURN_IF_ERROR(check_node_names(node_names));
    REMORA_RETURN_IF_ERROR(check_validity(validity));
    REMORA_RETURN_IF_ERROR(refuse_existing(node_paths(dir, node_names)));
    auto ca = load_ca(dir);
    if (!ca) return ca.status();
    NewFiles files;
    REMORA_RETURN_IF_ERROR(
        write_nodes(dir, node_names, ca->cert.get(), ca->key.get(), validity, files));
    REMORA_RETURN_IF_ERROR(sync_directory(dir));
    files.commit();
    return Status::ok();
}

Status renew_node_credentials(const std::string& dir, std::span<const std::string> node_names,
                              const CertificateValidity& validity) {
    REMORA_RETURN_IF_ERROR(check_node_names(node_names));
    REMORA_RETURN_IF_ERROR(check_validity(validity));
    for (const std::string& path : node_paths(dir, node_names)) {
        REMORA_RETURN_IF_ERROR(check_readable(path, "credential to renew"));
    }
    auto ca = load_ca(dir);
    if (!ca) return ca.status();
    // Staged beside the files (same file system), then renamed over them: the key first, so a
    // reader between the two renames sees a pair that does not match and refuses it.
    const std::string staging = path_in(dir, ".renew-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(staging, ec);
    REMORA_RETURN_IF_ERROR(prepare_directory(staging));
    Status status = [&]() -> Status {
        NewFiles files;
        REMORA_RETURN_IF_ERROR(
            write_nodes(staging, node_names, ca->cert.get(), ca->key.get(), validity, files));
        for (const std::string& name : node_names) {
            const TlsFiles from = cluster_files(staging, name);
            const TlsFiles to = cluster_files(dir, name);
            for (const auto& [source, target] :
                 {std::pair{from.key, to.key}, std::pair{from.cert, to.cert}}) {
                if (::rename(source.c_str(), target.c_str()) != 0) {
                    return Status{Code::kIoError,
                                  "replacing " + target + ": " + std::strerror(errno)};
                }
            }
        }
        files.commit();
        return sync_directory(dir);
    }();
    fs::remove_all(staging, ec);
    return status;
}

common::Result<std::int64_t> certificate_not_after(const std::string& cert_path) {
    REMORA_RETURN_IF_ERROR(check_readable(cert_path, "certificate"));
    BioPtr bio(BIO_new_file(cert_path.c_str(), "r"));
    CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert)
        return Status{Code::kCorruption, "certificate " + cert_path + ": " + openssl_errors()};
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
        return Status{Code::kCorruption, "certificate " + cert_path + ": unreadable notAfter"};
    }
    return static_cast<std::int64_t>(::timegm(&tm));
}

common::Result<std::shared_ptr<asio::ssl::context>> make_cluster_context(const TlsFiles& files,
                                                                         TlsRole role) {
    REMORA_RETURN_IF_ERROR(check_readable(files.ca_cert, "CA certificate"));
    REMORA_RETURN_IF_ERROR(check_readable(files.cert, "certificate"));
    REMORA_RETURN_IF_ERROR(check_readable(files.key, "key"));
    std::shared_ptr<asio::ssl::context> context;
    try {
        context = std::make_shared<asio::ssl::context>(role == TlsRole::kServer
                                                           ? asio::ssl::context::tls_server
                                                           : asio::ssl::context::tls_client);
    } catch (const boost::system::system_error& e) {
        return Status{Code::kInternal, std::string("creating a TLS context: ") + e.what()};
    }
    SSL_CTX* ctx = context->native_handle();
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        return openssl_failure("restricting the TLS context to TLS 1.3");
    }
    // Every connection verifies a certificate: no session tickets, no resumption.
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    // Send the node's certificate alone, not a chain built from the trust store: the peer holds
    // the CA already, and a certificate of another cluster is then "unable to get local issuer
    // certificate" on both sides.
    SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);

    auto refuse = [](const char* what, const std::string& path,
                     const boost::system::error_code& ec) {
        return Status{Code::kInvalidArgument, std::string(what) + " " + path + ": " + ec.message()};
    };
    boost::system::error_code ec;
    // The only trust anchor: no default verify paths are loaded.
    context->load_verify_file(files.ca_cert, ec);
    if (ec) return refuse("CA certificate", files.ca_cert, ec);
    context->use_certificate_chain_file(files.cert, ec);
    if (ec) return refuse("certificate", files.cert, ec);
    // OpenSSL checks here that the key is the certificate's ("key values mismatch").
    context->use_private_key_file(files.key, asio::ssl::context::pem, ec);
    if (ec) return refuse("key", files.key + " (for certificate " + files.cert + ")", ec);
    context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return Status{Code::kInternal, "setting the verify mode: " + ec.message()};
    // The chain is the peer's certificate and the CA: nothing longer.
    SSL_CTX_set_verify_depth(ctx, 1);
    return context;
}

namespace {

// One handshake's state, shared by its completion and its timer (both on `strand`).
struct Handshake {
    std::shared_ptr<TlsStream> stream;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer timer;
    std::chrono::milliseconds timeout;
    std::function<void(Status)> done;
    bool timed_out = false;
    std::string peer;

    Handshake(std::shared_ptr<TlsStream> s, std::chrono::milliseconds t,
              std::function<void(Status)> d)
        : stream(std::move(s)),
          strand(asio::make_strand(stream->get_executor())),
          timer(strand),
          timeout(t),
          done(std::move(d)) {
        boost::system::error_code ec;
        auto endpoint = stream->lowest_layer().remote_endpoint(ec);
        peer = ec ? "(unknown peer)"
                  : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    }

    Status outcome(const boost::system::error_code& ec) const {
        const std::string prefix = "TLS handshake with " + peer + " refused: ";
        if (timed_out) {
            return Status{Code::kIoError, prefix + "handshake timed out after " +
                                              std::to_string(timeout.count()) + " ms"};
        }
        if (!ec) return Status::ok();
        const long verify = SSL_get_verify_result(stream->native_handle());
        if (verify != X509_V_OK) {
            return Status{Code::kVerificationFailed,
                          prefix + X509_verify_cert_error_string(verify)};
        }
        if (ec.category() == asio::error::get_ssl_category() &&
            ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
                SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
            return Status{Code::kVerificationFailed, prefix + ec.message()};
        }
        if (ec == asio::error::eof)
            return Status{Code::kIoError, prefix + "the peer closed the connection"};
        return Status{Code::kIoError, prefix + ec.message()};
    }
};

}  // namespace

void async_tls_handshake(std::shared_ptr<TlsStream> stream, TlsRole role,
                         std::chrono::milliseconds timeout,
                         std::function<void(common::Status)> done) {
    auto state = std::make_shared<Handshake>(std::move(stream), timeout, std::move(done));
    asio::dispatch(state->strand, [state, role] {
        state->timer.expires_after(state->timeout);
        state->timer.async_wait([state](const boost::system::error_code& ec) {
            if (ec) return;  // cancelled: the handshake finished first
            state->timed_out = true;
            boost::system::error_code ignored;
            state->stream->lowest_layer().close(ignored);  // ends the handshake operation
        });
        state->stream->async_handshake(
            role == TlsRole::kServer ? asio::ssl::stream_base::server
                                     : asio::ssl::stream_base::client,
            asio::bind_executor(state->strand, [state](const boost::system::error_code& ec) {
                state->timer.cancel();
                Status result = state->outcome(ec);
                auto finished = std::move(state->done);
                finished(std::move(result));
            }));
    });
}

std::string peer_common_name(TlsStream& stream) {
    SSL* ssl = stream.native_handle();
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
    X509_NAME* subject = X509_get_subject_name(cert);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0) return "";
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return "";
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return cn;
}

}  // namespace remora::net
