#include "trace/entry_scan.hpp"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <set>

namespace lstar::trace {

std::vector<ReturnSite> find_return_sites(uint64_t entry, const CodeReader& read, unsigned max_insns) {
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    std::vector<uint64_t> work = {entry};
    std::set<uint64_t> seen;
    std::vector<ReturnSite> sites;
    unsigned visited = 0;
    while (!work.empty() && visited < max_insns) {
        uint64_t pc = work.back();
        work.pop_back();
        // Walk straight-line code from pc until it ends (ret, jmp, a return to user mode, ...).
        while (visited < max_insns && seen.insert(pc).second) {
            ++visited;
            auto bytes = read(pc, ZYDIS_MAX_INSTRUCTION_LENGTH);
            if (!bytes || bytes->empty()) break;
            ZydisDecodedInstruction in;
            ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
            if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes->data(), bytes->size(), &in, ops))) break;
            uint64_t next = pc + in.length;
            auto target = [&]() -> std::optional<uint64_t> {
                if (in.operand_count_visible < 1 || ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE) return std::nullopt;
                ZyanU64 t;
                if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &ops[0], pc, &t))) return std::nullopt;
                return uint64_t(t);
            };
            if (in.mnemonic == ZYDIS_MNEMONIC_SYSRET) {
                sites.push_back({pc, in.operand_width == 64 ? "sysretq" : "sysretl"});
                break;
            }
            if (in.mnemonic == ZYDIS_MNEMONIC_IRETQ) {
                sites.push_back({pc, "iretq"});
                break;
            }
            if (in.meta.category == ZYDIS_CATEGORY_COND_BR) {
                if (auto t = target()) work.push_back(*t);
                pc = next;
                continue;
            }
            if (in.meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
                if (auto t = target()) {
                    pc = *t;
                    continue;
                }
                break;  // an indirect jump: not followed
            }
            if (in.meta.category == ZYDIS_CATEGORY_RET || in.mnemonic == ZYDIS_MNEMONIC_HLT ||
                in.mnemonic == ZYDIS_MNEMONIC_UD2 || in.mnemonic == ZYDIS_MNEMONIC_IRETD ||
                in.mnemonic == ZYDIS_MNEMONIC_IRET)
                break;
            pc = next;  // calls return here; everything else falls through
        }
    }
    std::sort(sites.begin(), sites.end(), [](auto& a, auto& b) { return a.address < b.address; });
    return sites;
}

}  // namespace lstar::trace
