#include "executor/workload/trace_csv.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "executor/workload/limits.h"

namespace remora::executor::workload {

namespace {

constexpr std::array<std::string_view, 5> kRequiredColumns = {"block", "tx_index", "sender",
                                                              "receiver", "extra_objects"};
enum Column { kBlock, kTxIndex, kSender, kReceiver, kExtraObjects };

// Quotes and truncates a field for an error message.
std::string shown(std::string_view field) {
    constexpr std::size_t kShownMax = 80;
    if (field.size() <= kShownMax) return "'" + std::string(field) + "'";
    return "'" + std::string(field.substr(0, kShownMax)) + "...'";
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

bool is_hex_id(std::string_view text) {
    if (text.empty() || text.size() > limits::kTraceIdHexDigitsMax) return false;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

template <typename T>
bool parse_decimal(std::string_view text, T& out) {
    if (text.empty()) return false;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

class Parser {
public:
    explicit Parser(std::string_view source) : m_source(source) {}

    common::Status error(std::size_t line, const std::string& message) const {
        return {common::Code::kInvalidArgument,
                std::string(m_source) + " line " + std::to_string(line) + ": " + message};
    }

    common::Status header(std::size_t line, std::string_view text);
    common::Status row(std::size_t line, std::string_view text, std::vector<TraceRow>& rows);

private:
    std::string_view m_source;
    std::size_t m_columns = 0;
    std::array<std::size_t, kRequiredColumns.size()> m_index{};
};

common::Status Parser::header(std::size_t line, std::string_view text) {
    auto names = split(text, ',');
    if (names.size() > limits::kTraceColumnsMax) {
        return error(line, std::to_string(names.size()) + " columns exceed the limit of " +
                               std::to_string(limits::kTraceColumnsMax));
    }
    m_columns = names.size();
    for (std::size_t r = 0; r < kRequiredColumns.size(); ++r) {
        std::size_t found = names.size();
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] != kRequiredColumns[r]) continue;
            if (found != names.size()) {
                return error(line, "column '" + std::string(kRequiredColumns[r]) +
                                       "' appears twice in the header");
            }
            found = i;
        }
        if (found == names.size()) {
            return error(line, "the header lacks column '" + std::string(kRequiredColumns[r]) +
                                   "' (needs block,tx_index,sender,receiver,extra_objects)");
        }
        m_index[r] = found;
    }
    return common::Status::ok();
}

common::Status Parser::row(std::size_t line, std::string_view text, std::vector<TraceRow>& rows) {
    auto fields = split(text, ',');
    if (fields.size() != m_columns) {
        return error(line, std::to_string(fields.size()) + " fields, the header has " +
                               std::to_string(m_columns));
    }
    TraceRow row;
    row.line = line;
    if (!parse_decimal(fields[m_index[kBlock]], row.block)) {
        return error(line, "block " + shown(fields[m_index[kBlock]]) + " is not a u64 number");
    }
    if (!parse_decimal(fields[m_index[kTxIndex]], row.tx_index)) {
        return error(line, "tx_index " + shown(fields[m_index[kTxIndex]]) + " is not a u32 number");
    }
    std::string_view sender = fields[m_index[kSender]];
    if (!is_hex_id(sender)) {
        return error(line, "sender " + shown(sender) + " is not an id of 1..64 hex digits");
    }
    row.sender = lower(sender);
    std::string_view receiver = fields[m_index[kReceiver]];
    if (receiver != "CREATE") {
        if (!is_hex_id(receiver)) {
            return error(line, "receiver " + shown(receiver) +
                                   " is neither CREATE nor an id of 1..64 hex digits");
        }
        row.receiver = lower(receiver);
    }
    std::string_view extras = fields[m_index[kExtraObjects]];
    if (!extras.empty()) {
        for (std::string_view item : split(extras, ';')) {
            for (std::string_view part : split(item, ':')) {
                if (!is_hex_id(part)) {
                    return error(line, "extra object " + shown(item) +
                                           " is not hex ids (1..64 digits) joined by ':'");
                }
            }
            row.extra_objects.push_back(lower(item));
        }
    }
    rows.push_back(std::move(row));
    return common::Status::ok();
}

}  // namespace

common::Result<std::vector<TraceRow>> parse_trace_csv(std::string_view text,
                                                      std::string_view source) {
    Parser parser(source);
    std::vector<TraceRow> rows;
    // A UTF-8 byte order mark (spreadsheet exports write one) is not part of the first column.
    constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
    if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
    bool have_header = false;
    std::size_t line = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view content = text.substr(start, end - start);
        start = end + 1;
        ++line;
        if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
        if (content.size() > limits::kTraceLineBytesMax) {
            return parser.error(line, std::to_string(content.size()) +
                                          " bytes exceed the line limit of " +
                                          std::to_string(limits::kTraceLineBytesMax));
        }
        if (content.empty()) continue;  // blank lines carry nothing
        if (!have_header) {
            REMORA_RETURN_IF_ERROR(parser.header(line, content));
            have_header = true;
            continue;
        }
        REMORA_RETURN_IF_ERROR(parser.row(line, content, rows));
    }
    if (!have_header) {
        return common::Status(common::Code::kInvalidArgument,
                              std::string(source) +
                                  ": empty trace, expected a header line "
                                  "block,tx_index,sender,receiver,extra_objects");
    }
    if (rows.empty()) {
        return common::Status(common::Code::kInvalidArgument,
                              std::string(source) + ": the trace has a header but no rows");
    }
    return rows;
}

common::Result<std::vector<TraceRow>> read_trace_file(const std::string& path) {
    // Checked before opening: opening a FIFO for reading blocks until a writer appears, and a
    // directory "opens" on some systems. A missing file keeps the NotFound of a failed open.
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec && status.type() != std::filesystem::file_type::not_found) {
        return common::Status(common::Code::kIoError,
                              "cannot open trace " + path + ": " + ec.message());
    }
    if (status.type() == std::filesystem::file_type::not_found) {
        return common::Status(common::Code::kNotFound,
                              "cannot open trace " + path + ": " + std::strerror(ENOENT));
    }
    if (status.type() != std::filesystem::file_type::regular) {
        return common::Status(common::Code::kInvalidArgument,
                              "trace " + path + " is not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int saved = errno;
        auto code = saved == ENOENT ? common::Code::kNotFound : common::Code::kIoError;
        return common::Status(code, "cannot open trace " + path + ": " + std::strerror(saved));
    }
    in.seekg(0, std::ios::end);
    std::streamoff end = in.tellg();
    if (end < 0) return common::Status(common::Code::kIoError, "cannot size trace " + path);
    auto size = static_cast<std::uint64_t>(end);
    if (size > limits::kTraceFileBytesMax) {
        return common::Status(common::Code::kInvalidArgument,
                              "trace " + path + ": " + std::to_string(size) +
                                  " bytes exceed the limit of " +
                                  std::to_string(limits::kTraceFileBytesMax));
    }
    in.seekg(0, std::ios::beg);
    std::string text(size, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
        return common::Status(common::Code::kIoError, "cannot read trace " + path);
    }
    return parse_trace_csv(text, path);
}

}  // namespace remora::executor::workload
