#include "node/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace remora::node {
namespace {

// "INFO " etc. for text lines (the names the node always printed).
class UpperLevelFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr std::string_view names[] = {"TRACE", "DEBUG", "INFO ", "WARN ",
                                                     "ERROR", "CRIT ", "OFF  "};
        const auto name = names[static_cast<int>(msg.level)];
        dest.append(name.data(), name.data() + name.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<UpperLevelFlag>();
    }
};

// The message as the inside of a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
            if (c == '"' || c == '\\') dest.push_back('\\');
            dest.push_back(c);  // control bytes were replaced before
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonMessageFlag>();
    }
};

struct State {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::stderr_sink_mt> sink =
        std::make_shared<spdlog::sinks::stderr_sink_mt>();
    std::string format = "text";
    std::string component = "node";
    LogLevels levels;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

State& state() {
    static auto* s = new State;  // never destroyed: threads may log during exit
    return *s;
}

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    if (format == "json") {
        formatter->add_flag<JsonMessageFlag>('*').set_pattern(
            R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","msg":"%*"})");
    } else {
        formatter->add_flag<UpperLevelFlag>('*').set_pattern(
            "%Y-%m-%dT%H:%M:%S.%eZ remora-node[%n] %* %v");
    }
    return formatter;
}

// The level key of a component: "pre-executor-3" -> "pre-executor".
std::string_view level_key(std::string_view component) {
    if (component.rfind("pre-executor", 0) == 0) return "pre-executor";
    return component;
}

spdlog::level::level_enum spd_level(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return spdlog::level::debug;
        case LogLevel::kInfo:
            return spdlog::level::info;
        case LogLevel::kWarn:
            return spdlog::level::warn;
        case LogLevel::kError:
            return spdlog::level::err;
        case LogLevel::kOff:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

// REQUIRES: s.mutex held.
spdlog::logger& logger_for(State& s, std::string_view component) {
    auto it = s.loggers.find(component);
    if (it == s.loggers.end()) {
        auto logger = std::make_shared<spdlog::logger>(std::string(component), s.sink);
        logger->set_formatter(make_formatter(s.format));
        logger->set_level(spdlog::level::trace);  // the component's level is checked before
        it = s.loggers.emplace(std::string(component), std::move(logger)).first;
    }
    return *it->second;
}

std::optional<LogLevel> level_named(std::string_view name) {
    if (name == "debug") return LogLevel::kDebug;
    if (name == "info") return LogLevel::kInfo;
    if (name == "warn") return LogLevel::kWarn;
    if (name == "error") return LogLevel::kError;
    if (name == "off") return LogLevel::kOff;
    return std::nullopt;
}

void write_line(std::string_view component, LogLevel level, const std::string& text) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    auto found = s.levels.by_component.find(std::string(level_key(component)));
    const LogLevel threshold = found == s.levels.by_component.end() ? s.levels.all : found->second;
    if (level < threshold || level == LogLevel::kOff) return;
    std::string line;
    line.reserve(text.size());
    for (char c : text) {  // one line: control bytes from peers never reach the terminal raw
        const auto u = static_cast<unsigned char>(c);
        line += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    logger_for(s, component).log(spd_level(level), std::string_view(line));
}

}  // namespace

common::Result<LogLevels> parse_log_levels(const std::string& text) {
    const auto bad = [&text](const std::string& why) {
        return common::Status{common::Code::kInvalidArgument,
                              "must be LEVEL or COMPONENT=LEVEL,... (levels: debug, info, warn, "
                              "error, off; components: node, primary, pre-executor), got '" +
                                  text + "'" + (why.empty() ? "" : ": " + why)};
    };
    LogLevels levels;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        const std::string entry = text.substr(start, comma - start);
        const std::size_t equals = entry.find('=');
        const std::string name = equals == std::string::npos ? entry : entry.substr(equals + 1);
        const auto level = level_named(name);
        if (!level) return bad(name.empty() ? "an empty level" : "unknown level '" + name + "'");
        if (equals == std::string::npos) {
            levels.all = *level;
        } else {
            const std::string component = entry.substr(0, equals);
            bool known = false;
            for (auto c : kLogComponents) known = known || c == component;
            if (!known) return bad("unknown component '" + component + "'");
            levels.by_component[component] = *level;
        }
        start = comma + 1;
    }
    return levels;
}

void configure_logging(const LogLevels& levels, const std::string& format) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.levels = levels;
    s.format = format;
    for (auto& [name, logger] : s.loggers) logger->set_formatter(make_formatter(format));
}

void set_log_component(std::string component) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.component = std::move(component);
}

void set_log_level(LogLevel level) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.levels = LogLevels{level, {}};
}

void log(LogLevel level, const std::string& text) {
    std::string component;
    {
        State& s = state();
        std::lock_guard lock(s.mutex);
        component = s.component;
    }
    write_line(component, level, text);
}

void log_as(std::string_view component, LogLevel level, const std::string& text) {
    write_line(component, level, text);
}

}  // namespace remora::node
