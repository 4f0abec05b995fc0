#include "cli/init_arg.hpp"

#include <algorithm>
#include <set>

#include "boot/kernel_image.hpp"
#include "cli/args.hpp"

namespace lstar::cli {

std::vector<std::string> embedded_programs(const ElfImage& elf) {
    std::set<std::string> names;
    for (const auto& s : elf.symbols) names.insert(s.name);
    std::vector<std::string> programs;
    for (const auto& n : names)
        if (n.starts_with("user_") && n.size() > 5 && !n.ends_with("_end") && names.count(n + "_end"))
            programs.push_back(n.substr(5));
    return programs;
}

const std::vector<std::string>& builtin_programs() {
    static const std::vector<std::string> programs = embedded_programs(parse_elf(KernelImage::builtin_bytes()));
    return programs;
}

void check_builtin_program(const std::string& name) {
    check_member(name, builtin_programs(), "--init",
                 "a program of the built-in kernel (with --initrd, a path in the initrd)");
}

}  // namespace lstar::cli
