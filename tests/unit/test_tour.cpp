// The tour's answers come from the records, not from the page: change a value in a run's exit log
// and the answer changes with it; take a record away and the stop says what is missing.
#include <doctest/doctest.h>

#include "tour/cite.hpp"
#include "tour/stop.hpp"

using namespace lstar::tour;

namespace {

const Stop& stop(const std::string& id) {
    for (const auto& s : all_stops())
        if (s.id == id) return s;
    FAIL("no stop " << id);
    throw;
}

// A "path" run as an exit log would hold it: the setup record with STAR and the GDT, the program
// entering ring 3, and getpid's way in and out.
Run path_run(const std::string& star, const std::string& kernel_cs, const std::string& user32_cs) {
    Run r;
    r.key = "path";
    Json gdt = Json::array();
    const uint64_t k = std::stoull(kernel_cs, nullptr, 16), u = std::stoull(user32_cs, nullptr, 16) & ~3ull;
    gdt.push_back({{"selector", lstar::hex(k)}, {"name", "KCS"}});
    gdt.push_back({{"selector", lstar::hex(k + 8)}, {"name", "KDS"}});
    gdt.push_back({{"selector", lstar::hex(u)}, {"name", "U32CS"}});
    gdt.push_back({{"selector", lstar::hex(u + 8)}, {"name", "UDS"}});
    gdt.push_back({{"selector", lstar::hex(u + 16)}, {"name", "UCS"}});
    r.log.push_back({{"type", "setup"}, {"star", star}, {"gdt", gdt}, {"lstar", "0xfffffe00000082e0"}});
    r.log.push_back({{"type", "event"}, {"event", "user_enter"}, {"cs", lstar::hex(u + 16 + 3)}, {"ss", lstar::hex(u + 8 + 3)}});
    r.log.push_back({{"type", "event"}, {"event", "syscall_exit"}, {"nr", 39}, {"ret", "0x1"},
                     {"sysret_cs", lstar::hex(u + 16 + 3)}, {"sysret_ss", lstar::hex(u + 8 + 3)}, {"return_cpl", 3}});
    r.log.push_back({{"type", "end"}});
    return r;
}

Runs runs_with(Run r) {
    Runs runs("/nonexistent/lstar", run_specs("direct"), "");  // nothing may be run: every run is given
    runs.add(std::move(r));
    return runs;
}

}  // namespace

TEST_CASE("tour: the STAR stop cites the run's STAR and the GDT entries it selects, whatever they are") {
    auto linux_like = runs_with(path_run("0x23001000000000", "0x10", "0x23"));
    auto other = runs_with(path_run("0x4b004000000000", "0x40", "0x4b"));
    const auto a = stop("star").answer(linux_like);
    const auto b = stop("star").answer(other);
    CHECK(a.text.find("0x23001000000000") != std::string::npos);
    CHECK(a.text.find("CS=0x10 and SS=0x18 (KDS)") != std::string::npos);
    CHECK(a.text.find("CS=0x33 (UCS)") != std::string::npos);
    CHECK(b.text.find("0x4b004000000000") != std::string::npos);
    CHECK(b.text.find("CS=0x40 and SS=0x48 (KDS)") != std::string::npos);
    CHECK(b.text.find("CS=0x5b (UCS) and SS=0x53 (UDS)") != std::string::npos);
    CHECK(a.text != b.text);
}

TEST_CASE("tour: a stop whose records are missing says so instead of answering") {
    Run r = path_run("0x23001000000000", "0x10", "0x23");
    r.log.erase(r.log.begin() + 2);  // no syscall_exit
    auto runs = runs_with(r);
    CHECK_THROWS_AS(stop("star").answer(runs), Missing);
}

TEST_CASE("tour: every stop has a question, the notes' words, runs that exist and a place to read on") {
    const auto specs = run_specs("direct");
    CHECK(all_stops().size() >= 12);
    for (const auto& s : all_stops()) {
        CHECK(!s.question.empty());
        CHECK(!s.notes.empty());
        CHECK(s.read_on.find("lstar") != std::string_view::npos);
        for (auto k : s.runs) CHECK_MESSAGE(specs.count(std::string(k)), s.id << " names no run " << k);
    }
    CHECK(run_specs("pti").at("path").args == std::vector<std::string>{"run", "--init", "getpid", "--entry", "pti",
                                                                         "--trace", "path=getpid", "--show-user-mappings"});
}
