#include "executor/vm/disassembler.h"

#include <optional>
#include <set>
#include <vector>

#include "executor/vm/asm_lexer.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/opcode.h"

namespace remora::executor::vm {
namespace {

// One line of a function body: a decoded instruction or a run of undecodable bytes.
struct Item {
    std::uint32_t offset = 0;
    std::optional<Instruction> instruction;
    common::Bytes raw;
};

std::vector<Item> decode_items(const common::Bytes& code) {
    std::vector<Item> items;
    for (std::size_t offset = 0; offset < code.size();) {
        DecodeResult decoded = decode_instruction(code, offset);
        if (decoded.instruction) {
            items.push_back(Item{static_cast<std::uint32_t>(offset), decoded.instruction, {}});
            offset += decoded.instruction->size;
            continue;
        }
        // An unknown opcode is one raw byte; a truncated immediate takes the rest of the code.
        std::size_t length =
            decoded.error == DecodeError::kUnknownOpcode ? 1 : code.size() - offset;
        if (items.empty() || items.back().instruction) {
            items.push_back(Item{static_cast<std::uint32_t>(offset), std::nullopt, {}});
        }
        items.back().raw += code.substr(offset, length);
        offset += length;
    }
    return items;
}

class Printer {
public:
    explicit Printer(const Package& package) : m_package(package) {
        for (std::size_t i = 0; i < package.functions.size(); ++i) {
            const std::string& name = package.functions[i].name;
            m_callable.push_back(is_valid_function_name(name) && package.find_function(name) == i);
        }
    }

    std::string run() {
        m_out = "; remora VM package: " + std::to_string(m_package.constants.size()) +
                " constants, " + std::to_string(m_package.functions.size()) + " functions\n";
        for (std::size_t i = 0; i < m_package.constants.size(); ++i) {
            m_out +=
                ".const c" + std::to_string(i) + " " + bytes_literal(m_package.constants[i]) + "\n";
        }
        for (const Function& f : m_package.functions) function(f);
        return std::move(m_out);
    }

private:
    void function(const Function& f) {
        m_out += "\n.func " + f.name + " args=" + std::to_string(f.arg_count) +
                 " locals=" + std::to_string(f.local_count) +
                 " returns=" + std::to_string(f.return_count) + "\n";
        std::vector<Item> items = decode_items(f.code);
        std::set<std::uint32_t> starts;
        for (const Item& item : items) {
            if (item.instruction) starts.insert(item.offset);
        }
        std::set<std::uint64_t> labels;
        for (const Item& item : items) {
            if (item.instruction && item.instruction->info->operand == Operand::kTarget &&
                starts.count(static_cast<std::uint32_t>(item.instruction->immediate)) != 0) {
                labels.insert(item.instruction->immediate);
            }
        }
        for (const Item& item : items) {
            if (labels.count(item.offset) != 0) m_out += "L" + std::to_string(item.offset) + ":\n";
            std::string text = item.instruction ? instruction(*item.instruction, labels)
                                                : ".raw 0x" + common::to_hex(item.raw);
            line(text, item.offset);
        }
    }

    std::string instruction(const Instruction& ins, const std::set<std::uint64_t>& labels) const {
        std::string text(ins.info->mnemonic);
        const std::uint64_t v = ins.immediate;
        switch (ins.info->operand) {
            case Operand::kNone:
                return text;
            case Operand::kInt:
            case Operand::kDepth:
            case Operand::kLocal:
                return text + " " + std::to_string(v);
            case Operand::kConstant:
                return text + (v < m_package.constants.size() ? " c" : " #") + std::to_string(v);
            case Operand::kTarget:
                return text + (labels.count(v) != 0 ? " L" : " @") + std::to_string(v);
            case Operand::kFunction:
                if (v < m_callable.size() && m_callable[v]) {
                    return text + " " + m_package.functions[v].name;
                }
                return text + " #" + std::to_string(v);
            case Operand::kHost: {
                const HostSignature* sig = host_signature(static_cast<std::uint8_t>(v));
                return text + " " + (sig ? std::string(sig->name) : std::to_string(v));
            }
        }
        return text;
    }

    // Instructions are indented; a comment gives each one's offset (verifier errors cite them).
    void line(const std::string& text, std::uint32_t offset) {
        std::string body = "    " + text;
        if (body.size() < 32) body.resize(32, ' ');
        m_out += body + " ; " + std::to_string(offset) + "\n";
    }

    const Package& m_package;
    std::vector<bool> m_callable;  // function i can be called by its name
    std::string m_out;
};

}  // namespace

std::string disassemble(const Package& package) { return Printer(package).run(); }

}  // namespace remora::executor::vm
