// The command line as a table: each bad argument is refused before anything runs, with status 64,
// one message prefixed "lstar:" that names the option and what it accepts, and never an uncaught
// exception (status 134) or a silent success. Good arguments get past parsing: with a KVM device
// that does not exist they reach the point where lstar opens it (status 69), so no row needs KVM.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "lstar_process.hpp"

using namespace lstar::test;

namespace {

constexpr const char* kNoKvm = "/nonexistent/kvm";

struct Row {
    std::vector<std::string> args;
    std::vector<std::string> says;  // each must appear in stderr
};

// Every line lstar wrote on stderr starts with "lstar:".
bool all_prefixed(const std::string& err) {
    std::istringstream in(err);
    std::string line;
    bool any = false;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        any = true;
        if (line.rfind("lstar: ", 0) != 0) return false;
    }
    return any;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace

TEST_CASE("bad arguments: status 64, one prefixed message naming the option and what it accepts") {
    const std::vector<Row> rows = {
        // sizes
        {{"run", "-m", "1X"}, {"-m 1X", "unknown unit", "512M, 1.5G"}},
        {{"run", "-m", "8M"}, {"-m 8M", "too small", "from 16M to 64G"}},
        {{"run", "-m", "1K"}, {"-m 1K", "whole number of MiB"}},
        {{"run", "-m", "0.5M"}, {"-m 0.5M", "whole number of MiB"}},
        {{"run", "-m", "1.0000000001G"}, {"whole number of MiB"}},
        {{"run", "-m", "99999999999999999999999999999G"}, {"too large", "64G"}},
        {{"run", "-m", "-5"}, {"-m", "not a size"}},
        {{"run", "-m", "G"}, {"-m G", "not a size"}},
        {{"run", "--exit-log-limit", "0"}, {"--exit-log-limit 0", "too small", "1M to 1024G"}},
        {{"run", "--exit-log-limit", "512K"}, {"--exit-log-limit 512K", "whole number of MiB"}},
        {{"run", "--exit-log-limit", "2T"}, {"--exit-log-limit 2T", "too large"}},
        // durations
        {{"run", "--timeout", "0"}, {"--timeout 0", "more than 0", "500ms"}},
        {{"run", "--timeout", "0.0000001"}, {"--timeout 0.0000001", "more than 0"}},
        {{"run", "--timeout", "-1"}, {"--timeout", "500ms"}},
        {{"run", "--timeout", "1e999"}, {"--timeout 1e999", "unknown unit 'e999'"}},
        {{"run", "--timeout", "nan"}, {"--timeout nan", "not a duration"}},
        {{"run", "--timeout", "1.2.3"}, {"--timeout 1.2.3", "not a duration"}},
        {{"run", "--timeout", "99999999999999999999999999999999999"}, {"too long", "at most a year"}},
        {{"run", "--timeout", "10d"}, {"unknown unit 'd'", "3m, 1h"}},
        // --trace
        {{"run", "--trace", "steps=99999999999999999999999..1"}, {"steps=", "too large"}},
        {{"run", "--trace", "steps=a..b"}, {"--trace steps=a..b", "'a' is not a number", "FROM..TO"}},
        {{"run", "--trace", "steps=5..1"}, {"FROM is after TO"}},
        {{"run", "--trace", "steps=7"}, {"--trace steps=7", "FROM..TO"}},
        {{"run", "--trace", "steps=..5"}, {"a number is missing"}},
        {{"run", "--trace", "path=getpdi"}, {"--trace path", "'getpdi'", "did you mean getpid"}},
        {{"run", "--trace", "path="}, {"--trace path", "empty name"}},
        {{"run", "--trace", "bogus"}, {"unknown item 'bogus'", "syscalls, path[=NAME], steps=FROM..TO"}},
        {{"run", "--trace", "syscalls=all"}, {"syscalls takes no value"}},
        {{"run", "--trace", "exceptions=PF,XX"}, {"--trace exceptions=PF,XX", "'XX'", "PF,GP,UD"}},
        // strace's options (-e, -o, -T, -t, -c, -C)
        {{"run", "-e", "trace=opnat"}, {"-e trace=opnat", "'opnat'", "did you mean openat", "%file", "%memory"}},
        {{"run", "-e", "openat,%files"}, {"-e openat,%files", "'%files'", "did you mean %file"}},
        {{"run", "-e", "signal=none"}, {"-e signal=none", "only trace=", "%desc"}},
        {{"run", "-e", "trace=read,"}, {"-e trace=read,", "empty name"}},
        {{"run", "-e"}, {"-e", "--help"}},
        {{"run", "-o"}, {"--trace-file", "--help"}},
        {{"run", "-c", "--gdb", ":1"}, {"--gdb and --trace"}},
        // names
        {{"run", "--init", "helo"}, {"--init", "'helo'", "did you mean hello", "getpid"}},
        {{"run", "--init", ""}, {"--init", "empty name", "hello"}},
        {{"run", "--entry", "sysenter-please"}, {"--entry", "direct", "pti-pcid"}},
        {{"run", "--msr-setup", "bios"}, {"--msr-setup", "monitor", "guest"}},
        {{"run", "--boot", "elf"}, {"--boot", "multiboot"}},
        {{"run", "--vsyscall", "maybe"}, {"--vsyscall", "emulate", "xonly"}},
        {{"run", "--rlimit", "FOO=1"}, {"--rlimit FOO=1", "unknown resource", "NOFILE"}},
        {{"run", "--rlimit", "NOFILE=x"}, {"--rlimit NOFILE=x", "not a number"}},
        {{"run", "--rlimit", "NOFILE"}, {"--rlimit NOFILE", "RESOURCE=SOFT[:HARD]"}},
        // numbers and counts
        {{"run", "--smp", "2"}, {"--smp 2", "only --smp 1"}},
        {{"run", "--smp", "x"}, {"--smp", "'x' is not a number"}},
        {{"run", "--smp", "99999999999999999999999"}, {"--smp", "too large"}},
        // CLI11's own errors, worded as lstar's
        {{"run", "--nope"}, {"--nope", "--help"}},
        {{"run", "-m"}, {"-m", "--help"}},
        {{"run", "--exit-log"}, {"--exit-log", "--help"}},
        {{"run", "--module", "/nonexistent/initrd"}, {"--module", "/nonexistent/initrd"}},
        {{"run", "image.elf", "extra"}, {"extra", "--help"}},
        {{}, {"a command is required: run or kernel-elf"}},
        {{"-v"}, {"a command is required: run or kernel-elf"}},
        {{"launch"}, {"'launch' is not a command: run or kernel-elf", "--help"}},
        {{"-v", "launch", "run"}, {"not expected: launch", "--help"}},
        {{"kernel-elf"}, {"file", "--help"}},
        // combinations
        {{"run", "--gdb", ":1", "--trace", "syscalls"}, {"--gdb and --trace"}},
        {{"run", "--append", "x", "--init", "hello"}, {"--append", "without --init"}},
    };
    for (const auto& row : rows) {
        std::string shown;
        for (const auto& a : row.args) shown += " '" + a + "'";
        CAPTURE(shown);
        auto args = row.args;
        if (!args.empty() && args[0] == "run") args.insert(args.begin() + 1, {"--kvm-device", kNoKvm});
        auto r = run_lstar(args, false);
        CAPTURE(r.err);
        CHECK(r.status == 64);
        CHECK(r.out.empty());
        CHECK(all_prefixed(r.err));
        CHECK(r.err.find("terminate called") == std::string::npos);
        for (const auto& s : row.says) {
            CAPTURE(s);
            CHECK(r.err.find(s) != std::string::npos);
        }
    }
}

TEST_CASE("good arguments get past the command line to the KVM device (status 69 with none)") {
    const std::vector<std::vector<std::string>> rows = {
        {"run", "-m", "1G"},
        {"run", "-m", "512M"},
        {"run", "-m", "512"},
        {"run", "-m", "2GiB"},
        {"run", "-m", "1.5G"},
        {"run", "-m", "65536K"},
        {"run", "--exit-log-limit", "1G"},
        {"run", "--exit-log-limit", "1"},
        {"run", "--timeout", "500ms"},
        {"run", "--timeout", "1.5"},
        {"run", "--timeout", "2m"},
        {"run", "--trace", "steps=1..40"},
        {"run", "--trace", "steps=3.."},
        {"run", "--trace", "path=getpid,exceptions=PF,GP,msr"},
        {"run", "--init", "getpid"},
        {"run", "--init", "/bin/anything", "--initrd", LSTAR_SOURCE_ROOT "/tests/static"},
        {"run", "--rlimit", "AS=64M:1G"},
        {"-v", "run"},
        {"run", "-v"},
        {"run", "-vv"},
        {"run", "-q"},
        {"-q", "run", "-v"},
        {"run", "--smp", "1"},
        {"run", "-e", "trace=openat,read", "-T", "-tt", "-C"},
        {"run", "-e", "%file", "-e", "trace=!write", "-c"},
        {"run", "-e", "all", "-ttt"},
        {"run", "--", "7", "--not-an-option-of-lstar's"},
    };
    for (const auto& row : rows) {
        std::string shown;
        for (const auto& a : row) shown += " '" + a + "'";
        CAPTURE(shown);
        auto args = row;
        auto at = std::find(args.begin(), args.end(), "run");
        args.insert(at + 1, {"--kvm-device", kNoKvm});
        auto r = run_lstar(args, false);
        CAPTURE(r.err);
        CHECK(r.status == 69);
        CHECK(r.err.find(std::string(kNoKvm) + ": No such file or directory") != std::string::npos);
        CHECK(all_prefixed(r.err));
    }
}

TEST_CASE("--exit-log, --trace-out and -o leave an existing file alone when the run cannot start") {
    const std::string log = "/tmp/lstar-test-keep-log-" + std::to_string(::getpid());
    const std::string timeline = "/tmp/lstar-test-keep-timeline-" + std::to_string(::getpid());
    const std::string trace = "/tmp/lstar-test-keep-trace-" + std::to_string(::getpid());
    std::ofstream(log) << "yesterday's log\n";
    std::ofstream(timeline) << "yesterday's timeline\n";
    std::ofstream(trace) << "yesterday's trace\n";
    // No KVM, then a bad image: none may cost the files their contents.
    auto r = run_lstar({"run", "--kvm-device", kNoKvm, "--exit-log", log, "--trace-out", timeline, "-o", trace}, false);
    CAPTURE(r.err);
    CHECK(r.status == 69);
    CHECK(slurp(log) == "yesterday's log\n");
    CHECK(slurp(timeline) == "yesterday's timeline\n");
    CHECK(slurp(trace) == "yesterday's trace\n");
    auto b = run_lstar({"run", "/dev/null", "--exit-log", log, "--trace-out", timeline, "--trace-file", trace}, false);
    CAPTURE(b.err);
    CHECK(b.status == 65);
    CHECK(slurp(log) == "yesterday's log\n");
    CHECK(slurp(timeline) == "yesterday's timeline\n");
    CHECK(slurp(trace) == "yesterday's trace\n");
    std::remove(log.c_str());
    std::remove(timeline.c_str());
    std::remove(trace.c_str());
}

TEST_CASE("--help, --version and kernel-elf answer without KVM") {
    auto h = run_lstar({"run", "--help"}, false);
    CHECK(h.status == 0);
    CHECK(h.out.find("--memory SIZE") != std::string::npos);
    CHECK(h.out.find("Examples:") != std::string::npos);
    auto v = run_lstar({"--version"}, false);
    CHECK(v.status == 0);
    CHECK(v.out.rfind("lstar ", 0) == 0);
    CHECK(v.out.find("KVM on this host: ") != std::string::npos);
    const std::string elf = "/tmp/lstar-test-kernel-elf-" + std::to_string(::getpid());
    auto k = run_lstar({"kernel-elf", elf}, false);
    CHECK(k.status == 0);
    // The same bytes the build produced, symbols included (gdb reads them).
    const std::string written = slurp(elf), built = slurp(build_dir() + "/guest/kernel.elf");
    CHECK(written.size() > 4096);
    CHECK(written == built);
    std::remove(elf.c_str());
    auto bad = run_lstar({"kernel-elf", "/nonexistent/dir/kernel.elf"}, false);
    CHECK(bad.status == 74);
    CHECK(bad.err.find("kernel-elf /nonexistent/dir/kernel.elf: No such file or directory") != std::string::npos);
}

TEST_CASE("-v after run is the same flag as before it (the set-up table; needs KVM)") {
    if (!kvm_usable()) {
        MESSAGE("no usable /dev/kvm: the flag's effect is not checked here (the parsing is, above)");
        return;
    }
    auto before = run_lstar({"-v", "run"}, false);
    auto after = run_lstar({"run", "-v"}, false);
    CHECK(before.status == 0);
    CHECK(after.status == 0);
    for (const auto* r : {&before, &after}) {
        CAPTURE(r->err);
        CHECK(r->err.find("LSTAR") != std::string::npos);
        CHECK(r->err.find("EFER") != std::string::npos);
    }
    auto quiet = run_lstar({"run", "-q"}, false);
    CHECK(quiet.status == 0);
    CHECK(quiet.err.empty());
}
