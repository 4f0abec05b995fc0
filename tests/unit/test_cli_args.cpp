// The command line's conversions (vmm/cli/): sizes, durations, numbers, --trace items and program
// names. Every bad value is a UsageError naming the option and what it accepts; nothing else escapes.
#include <doctest/doctest.h>

#include <string>

#include "boot/kernel_image.hpp"
#include "cli/args.hpp"
#include "cli/init_arg.hpp"
#include "cli/trace_arg.hpp"

using namespace lstar::cli;

namespace {

// The UsageError text for `f()`, or "" when it returned.
template <class F>
std::string usage_error(F f) {
    try {
        f();
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("sizes: MiB by default, K/M/G/T as powers of 1024, decimals when they come to whole MiB") {
    auto mib = [](const char* t) { return parse_mib(t, "-m", 16, 1 << 16); };
    CHECK(mib("128") == 128);
    CHECK(mib("512M") == 512);
    CHECK(mib("512m") == 512);
    CHECK(mib("1G") == 1024);
    CHECK(mib("1g") == 1024);
    CHECK(mib("1GiB") == 1024);
    CHECK(mib("1GB") == 1024);
    CHECK(mib("1.5G") == 1536);
    CHECK(mib("0.25G") == 256);
    CHECK(mib("16384K") == 16);
    CHECK(mib("64G") == 65536);
    CHECK(parse_mib("1T", "--exit-log-limit", 1, 1 << 20) == 1 << 20);
    CHECK(parse_mib("1", "--exit-log-limit", 1, 1 << 20) == 1);
}

TEST_CASE("sizes: each bad one names the option, the value and the accepted form") {
    auto err = [](const char* t) { return usage_error([&] { parse_mib(t, "-m", 16, 1 << 16); }); };
    CHECK(has(err("1X"), "-m 1X: unknown unit 'X'"));
    CHECK(has(err("1X"), "512M, 1.5G; from 16M to 64G"));
    CHECK(has(err("8M"), "too small"));
    CHECK(has(err("65G"), "too large"));
    CHECK(has(err("99999999999999999999999999999999999999999G"), "too large"));
    CHECK(has(err("18446744073709551616"), "too large"));
    CHECK(has(err("1K"), "not a whole number of MiB"));
    CHECK(has(err("0.5M"), "not a whole number of MiB"));
    CHECK(has(err("1.0000000001G"), "not a whole number of MiB"));
    CHECK(has(err(""), "not a size"));
    CHECK(has(err("-5"), "not a size"));
    CHECK(has(err(".5G"), "not a size"));
    CHECK(has(err("G"), "not a size"));
    CHECK(has(err("1 G"), "unknown unit ' G'"));
    CHECK(has(err("1iB"), "unknown unit 'iB'"));
    CHECK(has(err("0x10"), "unknown unit 'x10'"));
    CHECK(has(err("1.G"), "not a size"));
}

TEST_CASE("durations: seconds by default, ms/s/m/h, more than 0 and at most a year") {
    CHECK(parse_seconds("10", "--timeout") == 10);
    CHECK(parse_seconds("1.5", "--timeout") == 1.5);
    CHECK(parse_seconds("500ms", "--timeout") == doctest::Approx(0.5));
    CHECK(parse_seconds("2s", "--timeout") == 2);
    CHECK(parse_seconds("3m", "--timeout") == 180);
    CHECK(parse_seconds("1h", "--timeout") == 3600);
    auto err = [](const char* t) { return usage_error([&] { parse_seconds(t, "--timeout"); }); };
    CHECK(has(err("0"), "--timeout 0: must be more than 0"));
    CHECK(has(err("0.0"), "must be more than 0"));
    CHECK(has(err("-1"), "not a duration"));
    CHECK(has(err("nan"), "not a duration"));
    CHECK(has(err("inf"), "not a duration"));
    CHECK(has(err("1e9"), "unknown unit 'e9'"));
    CHECK(has(err("1.2.3"), "not a duration"));
    CHECK(has(err("."), "not a duration"));
    CHECK(has(err("366d"), "unknown unit 'd'"));
    CHECK(has(err("8761h"), "too long"));
    CHECK(has(err(std::string(400, '9').c_str()), "too long"));
    // The message stays short: no 300-digit number (the old check printed DBL_MAX).
    CHECK(err(std::string(400, '9').c_str()).size() < 520);
    CHECK(has(err("0"), "500ms, 2s, 3m, 1h"));
}

TEST_CASE("numbers: digits only, within 64 bits, the error naming the option") {
    CHECK(parse_u64("0", "--smp", "CPUs") == 0);
    CHECK(parse_u64("18446744073709551615", "--smp", "CPUs") == UINT64_MAX);
    CHECK(has(usage_error([] { parse_u64("18446744073709551616", "--smp", "CPUs"); }), "--smp: '18446744073709551616' is too large"));
    CHECK(has(usage_error([] { parse_u64("+1", "--smp", "CPUs"); }), "'+1' is not a number (CPUs)"));
    CHECK(has(usage_error([] { parse_u64("", "--smp", "CPUs"); }), "a number is missing"));
    CHECK(has(usage_error([] { parse_u64(" 1", "--smp", "CPUs"); }), "not a number"));
}

TEST_CASE("--trace: items, steps, path names and vectors") {
    auto t = parse_traces({"syscalls,path=getpid", "steps=3..40,exceptions=PF,GP", "msr"});
    CHECK(t.trace.syscalls);
    CHECK(t.trace.path);
    CHECK(t.trace.path_filter == "getpid");
    CHECK(t.trace.steps_from == 3);
    CHECK(t.trace.steps_to == 40);
    CHECK(t.trace.exceptions);
    CHECK(t.trace.vectors == std::vector<unsigned>{14, 13});
    CHECK(t.msr);
    CHECK(parse_traces({"steps=5.."}).trace.steps_to == ~0ull);
    CHECK(parse_traces({"exceptions"}).trace.vectors == std::vector<unsigned>{6, 14, 13});
    CHECK(!parse_traces({}).trace.any());

    auto err = [](std::vector<std::string> a) { return usage_error([&] { parse_traces(a); }); };
    CHECK(has(err({"steps=99999999999999999999999..1"}), "is too large"));
    CHECK(has(err({"steps=a..b"}), "--trace steps=a..b: 'a' is not a number (FROM..TO"));
    CHECK(has(err({"steps=1..b"}), "'b' is not a number"));
    CHECK(has(err({"steps=9..2"}), "FROM is after TO"));
    CHECK(has(err({"steps=12"}), "want FROM..TO"));
    CHECK(has(err({"steps="}), "want FROM..TO"));
    CHECK(has(err({"path=getpdi"}), "did you mean getpid"));
    CHECK(has(err({"path=nosuchcall"}), "'nosuchcall' is not an x86-64 system call name"));
    CHECK(has(err({"bogus"}), "unknown item 'bogus' (syscalls, path[=NAME]"));
    CHECK(has(err({"msr=1"}), "msr takes no value"));
    CHECK(has(err({"exceptions=PF,XX"}), "'XX'"));
    CHECK(has(err({"syscalls,exceptions=PF,steps=x..1"}), "'x' is not a number"));
}

TEST_CASE("system call names: Linux's x86-64 table, for path=NAME") {
    auto names = syscall_names();
    CHECK(names.size() > 300);
    CHECK(names[0] == "read");
    CHECK(std::find(names.begin(), names.end(), "getpid") != names.end());
}

TEST_CASE("program names: read from the built-in kernel's symbols, checked with the list in the error") {
    auto names = embedded_programs(lstar::KernelImage::builtin().elf);
    CHECK(std::find(names.begin(), names.end(), "hello") != names.end());
    CHECK(std::find(names.begin(), names.end(), "door_syscall") != names.end());
    CHECK(std::find(names.begin(), names.end(), "programs") == names.end());  // user_programs is the table
    CHECK(usage_error([] { check_builtin_program("getpid"); }).empty());
    auto e = usage_error([] { check_builtin_program("helo"); });
    CHECK(has(e, "--init: 'helo' is not a program of the built-in kernel"));
    CHECK(has(e, "did you mean hello?"));
    CHECK(has(e, "door_syscall"));
}

TEST_CASE("suggestions: close names first, none for far ones") {
    std::vector<std::string> names = {"direct", "pti", "pti-pcid"};
    CHECK(closest("drect", names) == std::vector<std::string>{"direct"});
    CHECK(closest("pti-pcd", names).front() == "pti-pcid");
    CHECK(closest("sysenter-please", names).empty());
    CHECK(has(usage_error([] { check_member("x", {"a", "b"}, "--opt", "a thing"); }), "--opt: 'x' is not a thing (one of: a, b)"));
}
