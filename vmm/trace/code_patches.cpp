#include "trace/code_patches.hpp"

#include <algorithm>

namespace lstar::trace {

std::optional<uint64_t> image_gpa(std::span<const ElfSegment> segments, uint64_t va) {
    for (const auto& s : segments)
        if (va >= s.vaddr && va - s.vaddr < s.filesz) return s.paddr + (va - s.vaddr);
    return std::nullopt;
}

const CodePatches::Patch* CodePatches::find(uint64_t va) const {
    for (const auto& p : patches_)
        if (p.va == va) return &p;
    return nullptr;
}

bool CodePatches::holds_patch(uint64_t gpa) const {
    for (unsigned i = 0; i < insn_.len; ++i)
        if (mem_.read<uint8_t>(gpa + i) != insn_.bytes[i]) return false;
    return true;
}

bool CodePatches::insert(uint64_t va, uint64_t gpa) {
    if (find(va)) return true;
    if (!mem_.contains(gpa, insn_.len) || (va & 0xfff) + insn_.len > 0x1000) return false;
    Patch p{va, gpa, {}};
    for (unsigned i = 0; i < insn_.len; ++i) p.orig[i] = mem_.read<uint8_t>(gpa + i);
    for (const auto& q : patches_)
        if (q.gpa == gpa) p.orig = q.orig;  // already ours: the patch is there now, the guest's bytes are in q
    patches_.push_back(p);
    for (unsigned i = 0; i < insn_.len; ++i) mem_.write<uint8_t>(gpa + i, insn_.bytes[i]);
    return true;
}

void CodePatches::remove(uint64_t va) {
    auto it = std::find_if(patches_.begin(), patches_.end(), [&](const Patch& p) { return p.va == va; });
    if (it == patches_.end()) return;
    Patch p = *it;
    patches_.erase(it);
    bool shared = std::any_of(patches_.begin(), patches_.end(), [&](const Patch& q) { return q.gpa == p.gpa; });
    // Bytes that are no longer our patch were written by the guest since: they are the guest's now.
    if (!shared && mem_.contains(p.gpa, insn_.len) && holds_patch(p.gpa))
        for (unsigned i = 0; i < insn_.len; ++i) mem_.write<uint8_t>(p.gpa + i, p.orig[i]);
}

void CodePatches::remove_all() {
    while (!patches_.empty()) remove(patches_.back().va);
}

std::optional<uint64_t> CodePatches::hit(const VmExit& e) const {
    const uint64_t rip = e.cpu.regs.rip;
    if (insn_.bytes[0] == kHlt.bytes[0]) {
        if (std::holds_alternative<exits::Hlt>(e.kind) && patched(rip - 1)) return rip - 1;
        return std::nullopt;
    }
    auto* io = std::get_if<exits::Io>(&e.kind);
    if (!io || io->in || io->port != abi::kPortBreakpoint || io->size != 1) return std::nullopt;
    if (patched(rip)) return rip;
    if (patched(rip - insn_.len)) return rip - insn_.len;
    return std::nullopt;
}

std::optional<uint8_t> CodePatches::original(uint64_t va) const {
    const Patch* p = find(va);
    if (!p) return std::nullopt;
    return p->orig[0];
}

}  // namespace lstar::trace
