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

bool CodePatches::insert(uint64_t va, uint64_t gpa) {
    if (find(va)) return true;
    if (!mem_.contains(gpa, 1)) return false;
    uint8_t orig = mem_.read<uint8_t>(gpa);
    for (const auto& p : patches_)
        if (p.gpa == gpa) orig = p.orig;  // already ours: the opcode there now, the guest's byte is in p
    patches_.push_back({va, gpa, orig});
    mem_.write<uint8_t>(gpa, opcode_);
    return true;
}

void CodePatches::remove(uint64_t va) {
    auto it = std::find_if(patches_.begin(), patches_.end(), [&](const Patch& p) { return p.va == va; });
    if (it == patches_.end()) return;
    Patch p = *it;
    patches_.erase(it);
    bool shared = std::any_of(patches_.begin(), patches_.end(), [&](const Patch& q) { return q.gpa == p.gpa; });
    // A byte that is no longer our opcode was written by the guest since: it is the guest's now.
    if (!shared && mem_.contains(p.gpa, 1) && mem_.read<uint8_t>(p.gpa) == opcode_) mem_.write<uint8_t>(p.gpa, p.orig);
}

void CodePatches::remove_all() {
    while (!patches_.empty()) remove(patches_.back().va);
}

std::optional<uint8_t> CodePatches::original(uint64_t va) const {
    const Patch* p = find(va);
    if (!p) return std::nullopt;
    return p->orig;
}

}  // namespace lstar::trace
