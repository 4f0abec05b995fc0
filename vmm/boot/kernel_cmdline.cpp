#include "boot/kernel_cmdline.hpp"

#include <cstring>
#include <stdexcept>

#include "boot/rlimit_arg.hpp"
#include "boot_protocol.hpp"
#include "common/error.hpp"

namespace lstar {

std::string user_cmdline(const CmdlineRequest& request) {
    std::string line;
    if (!request.append.empty()) {
        if (!request.init.empty() || !request.program_args.empty())
            throw UsageError("--append sets the whole command line: use it without --init and without program arguments");
        line = request.append;
    } else {
        // With an initrd, `-- /path ARGS` names the program (as a shell would): init=/path -- ARGS.
        std::string init = request.init;
        auto args = request.program_args;
        if (request.initrd && init.empty() && !args.empty()) {
            init = args.front();
            args.erase(args.begin());
        }
        line = "init=" + (init.empty() ? std::string("hello") : init);
        if (!args.empty()) {
            line += " --";
            for (const auto& a : args) line += " " + a;
        }
    }
    // The options' keys go first: before any "--", whose tail is the program's argv.
    if (request.vsyscall) line = std::string("vsyscall=") + abi::name_of(abi::kVsyscallModes, *request.vsyscall) + " " + line;
    for (const auto& r : request.rlimits) {
        try {
            line = rlimit_cmdline_param(r) + " " + line;
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    return line;
}

std::optional<ProgramArgs> program_args(const CmdlineRequest& request, const std::vector<std::string>& env) {
    for (const auto& e : env)
        if (e.find('=') == std::string::npos || e.front() == '=')
            throw UsageError("--env " + e + ": expected NAME=VALUE");
    if (!request.append.empty()) {
        if (!env.empty()) throw UsageError("--env sets the program's environment: use it without --append");
        return std::nullopt;
    }
    ProgramArgs p;
    p.argv = request.program_args;
    std::string init = request.init;
    if (request.initrd && init.empty() && !p.argv.empty()) {
        init = p.argv.front();
        p.argv.erase(p.argv.begin());
    }
    p.argv.insert(p.argv.begin(), init.empty() ? std::string("hello") : init);
    p.envp = {"HOME=/", "TERM=linux"};  // what Linux gives init
    p.envp.insert(p.envp.end(), env.begin(), env.end());
    return p;
}

std::vector<uint8_t> encode_args_block(const ProgramArgs& args) {
    std::vector<uint8_t> strings;
    for (const auto* list : {&args.argv, &args.envp})
        for (const auto& s : *list) {
            if (s.find('\0') != std::string::npos) throw UsageError("a program argument holds a NUL byte");
            strings.insert(strings.end(), s.begin(), s.end());
            strings.push_back(0);
        }
    const uint64_t room = boot::kArgsMax - sizeof(boot::ArgsHeader);
    if (strings.size() > room)
        throw UsageError("the program's arguments and environment take " + std::to_string(strings.size()) +
                         " bytes; the boot protocol's argument block holds " + std::to_string(room));
    boot::ArgsHeader h{boot::kArgsMagic, uint32_t(args.argv.size()), uint32_t(args.envp.size()),
                       uint32_t(strings.size())};
    std::vector<uint8_t> block(sizeof h);
    std::memcpy(block.data(), &h, sizeof h);
    block.insert(block.end(), strings.begin(), strings.end());
    return block;
}

std::string cmdline_without_args(const std::string& line) {
    if (line.starts_with("-- ") || line == "--") return "";
    if (auto dashes = line.find(" -- "); dashes != std::string::npos) return line.substr(0, dashes);
    if (line.ends_with(" --")) return line.substr(0, line.size() - 3);
    return line;
}

std::string kernel_cmdline(const std::string& user_line, abi::EntryMode entry, bool lstar_bootinfo) {
    // The monitor's keys go before a " -- ": what follows it is the program's argv.
    std::string ours = std::string("lstar.entry=") + abi::name_of(abi::kEntryModes, entry);
    if (lstar_bootinfo) ours += " lstar.bootinfo=" + std::to_string(boot::kBootInfoPhys);
    std::string c;
    std::string line = user_line.ends_with(" --") ? user_line + " " : user_line;
    if (line.starts_with("-- ")) c = ours + " " + line;
    else if (auto dashes = line.find(" -- "); dashes != std::string::npos)
        c = line.substr(0, dashes) + " " + ours + line.substr(dashes);
    else c = line + (line.empty() ? "" : " ") + ours;
    if (c.size() >= boot::kCmdlineMax)
        throw UsageError("kernel command line is " + std::to_string(c.size()) + " bytes; the boot protocol allows " +
                         std::to_string(boot::kCmdlineMax - 1));
    return c;
}

}  // namespace lstar
