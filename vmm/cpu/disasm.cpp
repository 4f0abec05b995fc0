#include "cpu/disasm.hpp"

#include <Zydis/Zydis.h>

namespace lstar::x86 {
namespace {

// Zydis's defaults pad absolute and relative addresses to 16 hex digits ("gs:[0x0000000000000008]");
// reports read better with "gs:[0x8]", and with the operand size always spelled out.
ZydisFormatter make_formatter(ZydisFormatterStyle style) {
    ZydisFormatter f;
    ZydisFormatterInit(&f, style);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE, ZYDIS_PADDING_DISABLED);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_RELATIVE, ZYDIS_PADDING_DISABLED);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_DISP_PADDING, ZYDIS_PADDING_DISABLED);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_IMM_PADDING, ZYDIS_PADDING_DISABLED);
    ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
    return f;
}

}  // namespace

std::optional<Instruction> disassemble(std::span<const uint8_t> bytes, uint64_t rip, Syntax syntax) {
    static const ZydisDecoder decoder = [] {
        ZydisDecoder d;
        ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
        return d;
    }();
    static const ZydisFormatter intel = make_formatter(ZYDIS_FORMATTER_STYLE_INTEL);
    static const ZydisFormatter att = make_formatter(ZYDIS_FORMATTER_STYLE_ATT);

    if (bytes.empty()) return std::nullopt;
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes.data(), bytes.size(), &insn, ops))) return std::nullopt;
    char text[256];
    if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(syntax == Syntax::Intel ? &intel : &att, &insn, ops,
                                                      insn.operand_count_visible, text, sizeof text, rip, nullptr)))
        return std::nullopt;
    std::string s = text;
    // Zydis spells both forms "sysret"; which one it is decides the CS that SYSRET loads.
    if ((insn.mnemonic == ZYDIS_MNEMONIC_SYSRET || insn.mnemonic == ZYDIS_MNEMONIC_SYSEXIT) && insn.operand_width == 64)
        s += 'q';
    return Instruction{insn.length, std::move(s)};
}

}  // namespace lstar::x86
