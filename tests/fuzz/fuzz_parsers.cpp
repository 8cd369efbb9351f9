// libFuzzer target for every parser of outside bytes that fuzz_tx, fuzz_vm and fuzz_net do not
// cover (built with REMORA_FUZZ=ON, Clang). The first byte picks the parser, the rest is its
// input: the assembler text, the trace CSV, the snapshot manifest, the store's commit record,
// the package format. Oracles: nothing crashes or hangs; whatever parses comes back equal from
// a round trip through its writer (assembled text through the disassembler, CSV rows through a
// CSV writer, records and manifests and packages through their encoders).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "executor/vm/assembler.h"
#include "executor/vm/disassembler.h"
#include "executor/vm/package_codec.h"
#include "executor/workload/trace_csv.h"
#include "recovery/snapshot_manifest.h"
#include "storage/commit_codec.h"

namespace {

namespace vm = remora::executor::vm;
namespace wl = remora::executor::workload;
using remora::common::ByteView;

void check(bool condition) {
    if (!condition) std::abort();
}

void assembler(ByteView text) {
    auto package = vm::assemble(text);
    if (!package) return;
    auto again = vm::assemble(vm::disassemble(*package));
    check(again.is_ok());
    check(vm::encode_package(*again) == vm::encode_package(*package));
}

std::string csv_of(const std::vector<wl::TraceRow>& rows) {
    std::string out = "block,tx_index,sender,receiver,extra_objects\n";
    for (const wl::TraceRow& row : rows) {
        out += std::to_string(row.block) + "," + std::to_string(row.tx_index) + "," + row.sender +
               "," + row.receiver.value_or("CREATE") + ",";
        for (std::size_t i = 0; i < row.extra_objects.size(); ++i) {
            if (i > 0) out += ";";
            out += row.extra_objects[i];
        }
        out += "\n";
    }
    return out;
}

void trace_csv(ByteView text) {
    auto rows = wl::parse_trace_csv(text, "fuzz.csv");
    if (!rows) return;
    auto again = wl::parse_trace_csv(csv_of(*rows), "again.csv");
    check(again.is_ok());
    check(again->size() == rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        wl::TraceRow a = (*rows)[i];
        wl::TraceRow b = (*again)[i];
        a.line = b.line = 0;  // the writer puts rows on other lines
        check(a == b);
    }
}

void manifest(ByteView bytes) {
    auto decoded = remora::recovery::decode_manifest(bytes, "fuzz");
    if (!decoded) return;
    auto again =
        remora::recovery::decode_manifest(remora::recovery::encode_manifest(*decoded), "again");
    check(again.is_ok());
    check(*again == *decoded);
}

void commit_record(ByteView bytes) {
    auto decoded = remora::storage::decode_commit_record(bytes);
    if (!decoded) return;
    auto again =
        remora::storage::decode_commit_record(remora::storage::encode_commit_record(*decoded));
    check(again.is_ok());
    check(again->index == decoded->index && again->state_digest == decoded->state_digest &&
          again->live_objects == decoded->live_objects && again->writes == decoded->writes &&
          again->body == decoded->body && again->transactions == decoded->transactions);
}

void package(ByteView bytes) {
    auto decoded = vm::decode_package(bytes);
    if (!decoded) return;
    auto again = vm::decode_package(vm::encode_package(*decoded));
    check(again.is_ok());
    check(vm::encode_package(*again) == vm::encode_package(*decoded));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    ByteView bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
        case 0:
            assembler(bytes);
            break;
        case 1:
            trace_csv(bytes);
            break;
        case 2:
            manifest(bytes);
            break;
        case 3:
            commit_record(bytes);
            break;
        default:
            package(bytes);
            break;
    }
    return 0;
}
