#include "boot/kernel_image.hpp"

#include <cstring>
#include <system_error>

#include "boot/image_kind.hpp"
#include "boot_protocol.hpp"

extern "C" const uint8_t lstar_builtin_kernel[];
extern "C" const uint8_t lstar_builtin_kernel_end[];

namespace lstar {

KernelImage KernelImage::from_bytes(std::string name, std::vector<uint8_t> bytes) {
    KernelImage k;
    k.name = std::move(name);
    k.file = std::move(bytes);
    // ELF64 or ELF32; a file that is no ELF may still be a multiboot image with address fields.
    auto mb = find_multiboot_header(k.file);
    bool elf = k.file.size() >= 4 && std::memcmp(k.file.data(), "\x7f" "ELF", 4) == 0;
    if (!elf && looks_like_bzimage(k.file)) return k;  // a Linux bzImage: no ELF outside, its own symbols via --symbols
    if (elf || !mb || !mb->aout_kludge()) k.elf = parse_elf(k.file);
    k.symbols = SymbolTable(k.elf.symbols);
    return k;
}

KernelImage KernelImage::from_file(const std::string& path) {
    std::vector<uint8_t> bytes;
    try {
        bytes = read_file(path);
    } catch (const std::system_error& e) {
        throw BadImage(e.what(), "cannot read the kernel image");
    }
    try {
        return from_bytes(path, std::move(bytes));
    } catch (const BadImage& e) {
        throw BadImage(path + ": " + e.what());
    }
}

std::span<const uint8_t> KernelImage::builtin_bytes() {
    return {lstar_builtin_kernel, size_t(lstar_builtin_kernel_end - lstar_builtin_kernel)};
}

KernelImage KernelImage::builtin() {
    auto bytes = builtin_bytes();
    return from_bytes("built-in", std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

std::optional<uint32_t> KernelImage::lstar_protocol() const { return lstar_note(elf.notes); }

uint64_t KernelImage::required_symbol(const char* sym) const {
    if (auto a = symbols.address_of(sym)) return *a;
    throw BadImage(name + ": the kernel has no symbol '" + sym + "', which lstar's boot protocol needs" +
                   (symbols.empty() ? " (the image has no symbol table: was it stripped?)" : ""));
}

}  // namespace lstar
