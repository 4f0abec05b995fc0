// Watching the guest from outside: no help from the guest (its event reports are off).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "lstar_process.hpp"

using namespace lstar::test;

static std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

// The index of the first line at or after `from` that contains `what`, or -1.
static int find_from(const std::vector<std::string>& v, const std::string& what, int from = 0) {
    for (int i = std::max(from, 0); i < int(v.size()); ++i)
        if (v[size_t(i)].find(what) != std::string::npos) return i;
    return -1;
}

TEST_CASE("--trace syscalls prints strace-like lines, in order, for a guest that reports nothing") {
    auto r = run_lstar({"run", "--no-guest-events", "--trace", "syscalls", "--init", "getpid"});
    CHECK(r.status == 0);
    CHECK(r.out == "getpid() = 1\n");
    CHECK(events(r, "syscall_enter").empty());  // the guest said nothing
    auto v = lines_of(r.err);
    int a = find_from(v, "getpid() = 1");
    int b = find_from(v, "write(1, \"getpid() = 1\\n\", 13) = 13", a + 1);
    int c = find_from(v, "exit_group(0) = ?", b + 1);
    CHECK(a >= 0);
    CHECK(b > a);
    CHECK(c > b);
    // The return sites were found by disassembling the entry code from LSTAR.
    CHECK(r.err.find("sysretq@") != std::string::npos);
    auto traced = records(r, "trace");
    CHECK(traced.size() >= 6);
}

// Hardware breakpoints (DR0-DR3) where they fire; hlt bytes where they do not (the nested AMD-V
// tier: QEMU 7.2 never arms the DR7 of its emulated VMRUN); always DR0-DR3 on kvm_pvm. Whichever
// kind the run names, the guest must have been stopped that way (a #DB debug exit, or a hlt exit),
// and every syscall the guest counted itself must have been traced.
TEST_CASE("--trace names its breakpoint kind, KVM stopped the guest with it, and it traced every call") {
    auto r = run_lstar({"run", "--trace", "syscalls", "--init", "getpid"});  // guest events on: the guest counts
    CHECK(r.status == 0);
    nlohmann::json chosen;
    for (auto& t : records(r, "trace"))
        if (t["kind"] == "breakpoints") chosen = t;
    REQUIRE(chosen.is_object());
    std::string kind = chosen["breakpoints"];
    CAPTURE(kind);
    CAPTURE(chosen["host"]);
    REQUIRE((kind == "hardware" || kind == "software"));
    if (chosen["host"] == "kvm_pvm") CHECK(kind == "hardware");
    std::string stopped_by = kind == "hardware" ? "#DB" : "hlt";
    size_t entries = 0, returns = 0;
    for (auto& t : records(r, "trace")) {
        if (t["kind"] != "syscall_entry" && !(t["kind"] == "syscall_return" && t.contains("via"))) continue;
        (t["kind"] == "syscall_entry" ? entries : returns)++;
        CHECK(t["stopped_by"] == stopped_by);
    }
    auto end = records(r, "end");
    REQUIRE(end.size() == 1);
    CHECK(end[0]["breakpoints"] == kind);
    CHECK(end[0]["syscalls"] == 3);  // getpid, write, exit_group: the guest's own count
    CHECK(end[0]["traced_syscalls"] == end[0]["syscalls"]);
    CHECK(entries == 3);
    CHECK(returns == 2);  // exit_group never returns
    CHECK(r.err.find("breakpoints  " + std::string(kind == "hardware" ? "hardware (DR0-DR3)" : "software (hlt)")) !=
          std::string::npos);
    CHECK(r.err.find("traced       3 syscalls") != std::string::npos);
}

TEST_CASE("--trace syscalls costs two debug exits per call: LSTAR, then the return site, no step over either") {
    for (const char* entry : {"direct", "pti"}) {
        CAPTURE(entry);
        auto r = run_lstar({"-q", "run", "--entry", entry, "--no-guest-events", "--trace", "syscalls", "--init",
                            "getpid_loop", "--", "5"});
        CHECK(r.status == 0);
        size_t debug_exits = 0, entries = 0, returns = 0;
        // A software breakpoint's exit is a hlt the run loop claimed (the note says so).
        for (auto& e : records(r, "exit"))
            debug_exits += e["reason"] == "debug" || (e["reason"] == "hlt" && e.value("note", "") == "software breakpoint");
        for (auto& t : records(r, "trace")) {
            entries += t["kind"] == "syscall_entry";
            returns += t["kind"] == "syscall_return" && t.contains("via");  // seen at a return-site breakpoint
        }
        CHECK(entries == 6);  // 5 getpid and exit_group
        CHECK(returns == 5);
        CHECK(debug_exits == entries + returns);
        CHECK(lines_of(r.err).size() >= 6);
        CHECK(r.err.find("exit_group(0) = ?") != std::string::npos);
    }
}

TEST_CASE("--trace path=NAME alone (no return sites armed) still finds the named call after others") {
    auto r = run_lstar({"-q", "run", "--no-guest-events", "--trace", "path=write", "--init", "getpid"});
    CHECK(r.status == 0);
    CHECK(r.err.find("path of write (#2)") != std::string::npos);
    CHECK(r.err.find("ring-0 instructions from LSTAR to the return to user mode") != std::string::npos);
}

TEST_CASE("--trace syscalls shows errors as strace does") {
    auto r = run_lstar({"-q", "run", "--no-guest-events", "--trace", "syscalls", "--init", "nosys"});
    CHECK(r.err.find("= -1 ENOSYS (Function not implemented)") != std::string::npos);
}

TEST_CASE("--trace path of getpid shows swapgs, the stack switch, pt_regs, the table call and sysretq") {
    auto r = run_lstar({"-q", "run", "--no-guest-events", "--trace", "path=getpid", "--init", "getpid"}, false);
    CHECK(r.status == 0);
    auto v = lines_of(r.err);
    int start = find_from(v, "path of getpid");
    REQUIRE(start >= 0);
    int swapgs = find_from(v, "entry_SYSCALL_64  swapgs", start);
    int stack = find_from(v, "mov rsp, qword ptr gs:", swapgs);
    int push_ss = find_from(v, "push 0x2b", stack);          // pt_regs->ss = __USER_DS
    int call_table = find_from(v, "sys_getpid", push_ss);     // the handler from sys_call_table
    int sysret = find_from(v, "sysretq", call_table);
    int count = find_from(v, "ring-0 instructions from LSTAR", sysret);
    CHECK(swapgs > start);
    CHECK(stack > swapgs);
    CHECK(push_ss > stack);
    CHECK(call_table > push_ss);
    CHECK(sysret > call_table);
    CHECK(count > sysret);
    // GS base changes at swapgs: 0 before, the per-CPU area after.
    CHECK(v[size_t(swapgs)].find("GS=0 ") != std::string::npos);
    CHECK(v[size_t(stack)].find("GS=0xffffffff") != std::string::npos);
    // The stack switch: a user RSP before, a kernel one after.
    CHECK(v[size_t(stack)].find("RSP=0x00007fff") != std::string::npos);
    CHECK(v[size_t(push_ss)].find("RSP=0xffffc900") != std::string::npos);  // the task stack (vmap, percpu.S)
}

TEST_CASE("--att prints the path in AT&T syntax") {
    auto r = run_lstar({"-q", "run", "--no-guest-events", "--trace", "steps=1..3", "--att", "--init", "getpid"}, false);
    CHECK(r.err.find("%gs:0x8, %rsp") != std::string::npos);
    CHECK(r.err.find("      4  CPL0") == std::string::npos);  // steps past 3 are not printed
}

TEST_CASE("--trace exceptions decodes #UD, #PF and #GP from the IDT's handlers, without the guest's help") {
    struct Case {
        const char* prog;
        const char* want;
    } cases[] = {
        {"ud2", "exception #UD (invalid opcode) at 0x4"},
        {"pagefault", "error code 0x4 (not-present read user), CR2=0xdead000"},
        {"gp", "exception #GP (general protection) at 0x4"},
    };
    for (auto& c : cases) {
        auto r = run_lstar({"-q", "run", "--no-guest-events", "--trace", "exceptions", "--init", c.prog});
        CHECK_MESSAGE(r.err.find(c.want) != std::string::npos, c.prog);
        CHECK_MESSAGE(r.err.find("from CPL 3") != std::string::npos, c.prog);
        auto t = records(r, "trace");
        bool found = false;
        for (auto& j : t) found = found || j.value("kind", "") == "exception";
        CHECK_MESSAGE(found, c.prog);
    }
}

TEST_CASE("--trace-out writes a Chrome trace with user and kernel slices per syscall") {
    std::string path = "/tmp/lstar-test-timeline.json";
    auto r = run_lstar({"-q", "run", "--trace", "syscalls", "--trace-out", path, "--init", "getpid"}, false);
    CHECK(r.status == 0);
    std::ifstream f(path);
    REQUIRE(f.good());
    auto doc = nlohmann::json::parse(f);  // throws if not JSON
    // The kind of breakpoint the slices came from, as the exit log's end record names it.
    CHECK((doc["otherData"]["breakpoints"] == "hardware" || doc["otherData"]["breakpoints"] == "software"));
    int user = 0, kernel = 0, exits = 0;
    for (auto& e : doc["traceEvents"]) {
        if (e["ph"] != "X") continue;
        if (e["cat"] == "user") ++user;
        if (e["cat"] == "syscall") ++kernel;
        if (e["cat"] == "vm_exit") ++exits;
        CHECK(e["dur"].get<double>() >= 0);
    }
    CHECK(kernel >= 2);  // getpid and write returned; exit_group is closed at the end
    CHECK(user >= 2);
    CHECK(exits > 0);
    std::remove(path.c_str());
}

TEST_CASE("the summary counts syscalls by name and exceptions by vector") {
    auto r = run_lstar({"run", "--trace", "syscalls", "--init", "getpid"}, false);
    CHECK(r.err.find("by name      exit_group 1, getpid 1, write 1") != std::string::npos);
}

TEST_CASE("--trace syscalls with --msr-setup guest: LSTAR is taken from the guest's own trapped WRMSR") {
    auto r = run_lstar({"-q", "run", "--msr-setup", "guest", "--no-guest-events", "--trace", "syscalls", "--init", "getpid"});
    CHECK(r.status == 0);
    CHECK(r.err.find("trace: LSTAR = ") != std::string::npos);
    CHECK(r.err.find("write(1, \"getpid() = 1\\n\", 13) = 13") != std::string::npos);
    bool lstar_written = false;
    for (auto& m : records(r, "msr")) lstar_written = lstar_written || (m["msr"] == "IA32_LSTAR" && m["op"] == "wrmsr");
    CHECK(lstar_written);
}
