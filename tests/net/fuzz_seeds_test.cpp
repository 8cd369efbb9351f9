// The committed seeds of fuzz_net each reach their decoder's success path (a seed whose body
// sits at the wrong offset, or that names the wrong selector, only exercises the refusal), and
// cover the frame decoder and every message type. The oracle is fuzz_net's own.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "tests/net/fuzz_net_oracle.h"

namespace remora::net {
namespace {

TEST_CASE("every fuzz_net seed decodes under the fuzz oracle, and every message type has one",
          "[net]") {
    const std::filesystem::path dir =
        std::filesystem::path(REMORA_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_net";
    std::set<int> selectors;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        INFO(entry.path().filename().string());
        REQUIRE(bytes.size() >= 2);
        CHECK(fuzz::run_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) ==
              fuzz::Outcome::kDecoded);
        selectors.insert(static_cast<unsigned char>(bytes[0]) % (kMessageTypeMax + 1));
    }
    CHECK(selectors.size() == kMessageTypeMax + 1);
}

}  // namespace
}  // namespace remora::net
