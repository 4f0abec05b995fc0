#include "run/fault_report.hpp"

#include <cstdio>

#include "memory/page_walk.hpp"
#include "common/json.hpp"
#include "cpu/decode.hpp"
#include "cpu/disasm.hpp"

namespace lstar {

namespace {
std::string fmt(const char* f, auto... a) {
    char b[256];
    std::snprintf(b, sizeof b, f, a...);
    return b;
}

std::string seg(const char* name, const kvm_segment& s) {
    return fmt("  %-3s sel=%#06x base=0x%016llx limit=%#010x type=%#x DPL%u P=%u L=%u D=%u%s\n", name,
               unsigned(s.selector), static_cast<unsigned long long>(s.base), s.limit, unsigned(s.type),
               unsigned(s.dpl), unsigned(s.present), unsigned(s.l), unsigned(s.db), s.unusable ? " unusable" : "");
}
}  // namespace

std::string register_dump(const CpuState& cpu, const SymbolTable& syms) {
    const auto& r = cpu.regs;
    const auto& s = cpu.sregs;
    std::string out;
    std::string sym = syms.describe(r.rip);
    out += fmt("  RIP 0x%016llx %s CPL %u\n", static_cast<unsigned long long>(r.rip), sym.empty() ? "" : ("<" + sym + ">").c_str(), cpu.cpl());
    out += fmt("  RFLAGS %#llx [%s]\n", static_cast<unsigned long long>(r.rflags), x86::describe_rflags(r.rflags).c_str());
    out += fmt("  RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx RDX 0x%016llx\n", (unsigned long long)r.rax,
               (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdx);
    out += fmt("  RSI 0x%016llx RDI 0x%016llx RBP 0x%016llx RSP 0x%016llx\n", (unsigned long long)r.rsi,
               (unsigned long long)r.rdi, (unsigned long long)r.rbp, (unsigned long long)r.rsp);
    out += fmt("  R8  0x%016llx R9  0x%016llx R10 0x%016llx R11 0x%016llx\n", (unsigned long long)r.r8,
               (unsigned long long)r.r9, (unsigned long long)r.r10, (unsigned long long)r.r11);
    out += fmt("  R12 0x%016llx R13 0x%016llx R14 0x%016llx R15 0x%016llx\n", (unsigned long long)r.r12,
               (unsigned long long)r.r13, (unsigned long long)r.r14, (unsigned long long)r.r15);
    out += seg("CS", s.cs) + seg("SS", s.ss) + seg("DS", s.ds) + seg("GS", s.gs) + seg("TR", s.tr);
    out += fmt("  GDTR base=%#llx limit=%#x  IDTR base=%#llx limit=%#x\n", (unsigned long long)s.gdt.base,
               unsigned(s.gdt.limit), (unsigned long long)s.idt.base, unsigned(s.idt.limit));
    out += fmt("  CR0 %#llx [%s]  CR2 %#llx  CR3 %#llx  CR4 %#llx [%s]  EFER %#llx [%s]\n",
               (unsigned long long)s.cr0, x86::describe_cr0(s.cr0).c_str(), (unsigned long long)s.cr2,
               (unsigned long long)s.cr3, (unsigned long long)s.cr4, x86::describe_cr4(s.cr4).c_str(),
               (unsigned long long)s.efer, x86::describe_efer(s.efer).c_str());
    return out;
}

std::string instruction_at(const GuestMemory& mem, const CpuState& cpu, const SymbolTable& syms) {
    uint64_t rip = cpu.regs.rip;
    std::string where = hex(rip);
    if (auto d = syms.describe(rip); !d.empty()) where += " <" + d + ">";
    auto bytes = read_linear_prefix(mem, cpu.sregs.cr0, cpu.sregs.cr3, rip, 15);
    if (!bytes) return where + ": (not readable through CR3 " + hex(cpu.sregs.cr3) + ")";
    auto insn = x86::disassemble(*bytes, rip);
    std::string hexbytes;
    size_t n = insn ? insn->length : std::min<size_t>(bytes->size(), 8);
    for (size_t i = 0; i < n; ++i) hexbytes += fmt("%02x ", unsigned((*bytes)[i]));
    return where + ": " + hexbytes + " " + (insn ? insn->text : "(not a valid instruction)");
}

std::string emulation_failure_detail(const exits::InternalError& e) {
    // Layout since Linux 5.16 (KVM_INTERNAL_ERROR_EMULATION with KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES):
    // data[0] = flags, data[1] = insn_size, data[2..] = up to 15 instruction bytes.
    if (e.suberror != KVM_INTERNAL_ERROR_EMULATION || e.ndata < 3) return "";
    uint64_t size = e.data[1];
    if (size == 0 || size > 15) return "";
    std::vector<uint8_t> bytes(size);
    for (uint64_t i = 0; i < size; ++i) bytes[i] = uint8_t(e.data[2 + i / 8] >> (8 * (i % 8)));
    std::string hexbytes;
    for (auto b : bytes) hexbytes += fmt("%02x ", unsigned(b));
    auto insn = x86::disassemble(bytes, 0);
    return "bytes KVM reported: " + hexbytes + (insn ? " (" + insn->text + ")" : "");
}

}  // namespace lstar
