// The run loop's seccomp filter (docs/seccomp.md): a forbidden call is refused and ends the run
// cleanly; everything lstar does in a normal run (tracing, timelines, the exit log) still works.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "lstar_process.hpp"

using namespace lstar::test;

namespace {
// LSTAR_TEST_SECCOMP_VIOLATION makes the run loop call socket() once the filter is installed.
Result run_with_violation(std::vector<std::string> args) {
    ::setenv("LSTAR_TEST_SECCOMP_VIOLATION", "1", 1);
    auto r = run_lstar(std::move(args));
    ::unsetenv("LSTAR_TEST_SECCOMP_VIOLATION");
    return r;
}
}  // namespace

TEST_CASE("seccomp: a forbidden system call from the run loop is refused, named, and ends the run (status 116)") {
    auto r = run_with_violation({"run"});
    CHECK(r.status == 116);
    CHECK(r.err.find("seccomp: refused system call socket (41)") != std::string::npos);
    CHECK(r.err.find("returned -1 (Operation not permitted)") != std::string::npos);  // refused, not made
    CHECK(r.out.empty());  // the guest never ran
    check_complete_log(r, "seccomp_violation");
    CHECK(r.log.back()["seccomp"] == true);
    CHECK(r.log.back()["note"].get<std::string>().find("socket (41)") != std::string::npos);
}

TEST_CASE("seccomp: with --no-seccomp the same call is made and the run goes on") {
    auto r = run_with_violation({"run", "--no-seccomp"});
    CHECK(r.status == 0);
    CHECK(r.err.find("(allowed)") != std::string::npos);
    CHECK(r.err.find("seccomp      off (--no-seccomp)") != std::string::npos);
    check_complete_log(r, "guest_exit");
    CHECK(r.log.back()["seccomp"] == false);
}

TEST_CASE("seccomp: -v says the filter is installed; tracing, a timeline and the exit log work under it") {
    const char* path = "/tmp/lstar-test-seccomp-trace.json";
    auto r = run_lstar({"-v", "run", "--trace", "syscalls,path=getpid", "--trace-out", path, "--init", "getpid"});
    CHECK(r.status == 0);
    CHECK(r.err.find("seccomp: filter installed on every thread") != std::string::npos);
    CHECK(r.err.find("refused") == std::string::npos);
    CHECK(r.err.find("getpid() = 1") != std::string::npos);
    CHECK(r.err.find("sysretq") != std::string::npos);
    check_complete_log(r, "guest_exit");
    CHECK(r.log.back()["seccomp"] == true);
    CHECK(r.log.back()["seccomp_allowed"].get<int>() > 10);
    std::ifstream f(path);
    auto doc = nlohmann::json::parse(f, nullptr, false);
    CHECK(!doc.is_discarded());
    CHECK(doc["traceEvents"].size() > 3);
    std::remove(path);
}

TEST_CASE("--trace-out to a file that cannot be created: status 74 before anything runs") {
    auto r = run_lstar({"-q", "run", "--trace-out", "/nonexistent-dir/t.json"}, false);
    CHECK(r.status == 74);
    CHECK(r.err.find("/nonexistent-dir/t.json") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("seccomp: --timings reads the process's memory figures under the filter") {
    auto r = run_lstar({"-q", "run", "--timings"}, false);
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find("refused system call") == std::string::npos);
    CHECK(r.err.find("lstar timings: image") != std::string::npos);
    CHECK(r.err.find("peak RSS -1") == std::string::npos);
    CHECK(r.err.find("guest RAM touched 0 KiB") == std::string::npos);
}
