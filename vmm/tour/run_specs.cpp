// The runs the tour makes: each one is a user's `lstar run` command, so a reader can repeat it.
#include "tour/stop.hpp"

namespace lstar::tour {

std::map<std::string, RunSpec> run_specs(const std::string& entry) {
    std::map<std::string, RunSpec> s;
    auto add = [&](std::string key, std::vector<std::string> args) {
        args.insert(args.begin(), "run");
        s.emplace(key, RunSpec{key, std::move(args)});
    };
    add("path", {"--init", "getpid", "--entry", entry, "--trace", "path=getpid", "--show-user-mappings"});
    add("pti", {"--init", "getpid", "--entry", "pti", "--trace", "path=getpid", "--show-user-mappings"});
    add("msr", {"--init", "getpid", "--msr-setup", "guest", "--entry", entry});
    add("nosys", {"--init", "nosys"});
    add("pagefault", {"--init", "pagefault"});
    add("ud2", {"--init", "ud2"});
    add("door_syscall", {"--init", "door_syscall"});
    add("door_int80", {"--init", "door_int80"});
    add("door_sysenter", {"--init", "door_sysenter"});
    add("vsyscall", {"--init", "vsyscall_test"});
    add("vdso_bench", {"--init", "vdso_bench"});
    add("exec_args", {"--init", "exec_args", "--", "exec"});
    add("nofile", {"--init", "nofile", "--rlimit", "NOFILE=8"});
    add("memlimit", {"--init", "memlimit", "--rlimit", "AS=64M"});
    return s;
}

const std::vector<Stop>& all_stops() {
    static const std::vector<Stop> stops = [] {
        std::vector<Stop> v;
        for (auto part : {msr_stops(), entry_stops(), door_stops(), process_stops()})
            v.insert(v.end(), part.begin(), part.end());
        return v;
    }();
    return stops;
}

}  // namespace lstar::tour
