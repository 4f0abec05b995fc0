#include "boot/kernel_cmdline.hpp"

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
