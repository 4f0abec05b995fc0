// `lstar tour`: every stop answered from runs made now, answers that cite those runs' values and
// change with them, and docs/tour.md that regenerates unchanged but for addresses and timings.
// The whole tour runs once (about 45 s in the nested tier) and every check reads that one run.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "lstar_process.hpp"

using namespace lstar::test;
using nlohmann::json;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<json> log_of(const std::string& path) {
    std::vector<json> v;
    std::ifstream f(path);
    for (std::string l; std::getline(f, l);) v.push_back(json::parse(l));
    return v;
}

struct Tour {
    Result r;
    std::string dir;
};

// The tours' directories, removed when the test binary exits (the full tour is shared by all tests).
struct Cleanup {
    std::vector<std::string> dirs;
    ~Cleanup() {
        for (const auto& d : dirs) std::filesystem::remove_all(d);
    }
} cleanup;

Tour tour(std::vector<std::string> args, bool out = false) {
    char t[] = "/tmp/lstar-tour-test-XXXXXX";
    REQUIRE(::mkdtemp(t));
    cleanup.dirs.push_back(t);
    Tour x{{}, t};
    REQUIRE(::mkdir((x.dir + "/logs").c_str(), 0700) == 0);
    args.insert(args.begin(), "tour");
    args.insert(args.end(), {"--logs", x.dir + "/logs"});
    if (out) args.insert(args.end(), {"--out", x.dir});
    x.r = run_lstar(args, false);
    return x;
}

const Tour& full_tour() {
    static const Tour t = tour({}, true);
    return t;
}

// The text of stop N in the tour's stdout (one line), from its "== N/" line to the next stop or the summary.
std::string stop_text(const Result& r, int n) {
    const auto at = r.out.find("== " + std::to_string(n) + "/");
    if (at == std::string::npos) return "";
    auto end = r.out.find("\n== ", at + 1);
    if (end == std::string::npos) end = r.out.find("\nlstar tour:", at);
    // The terminal wraps answers: join the lines back into one text.
    return std::regex_replace(r.out.substr(at, end - at), std::regex("\n +"), " ");
}

// Addresses and timings vary from run to run and host to host; the words and the small numbers do not.
std::string normalise(std::string s) {
    for (const auto& [re, to] : std::vector<std::pair<std::regex, const char*>>{
             {std::regex("0x[0-9a-f]+"), "0x?"},
             {std::regex("[0-9]+(\\.[0-9]+)? ?(s|ns|ms|us)\\b"), "T"},
             {std::regex("[0-9]+ cycles"), "C cycles"},
             {std::regex("\\([0-9]+x\\)"), "(Rx)"},
             {std::regex("[0-9]+ VM exits"), "E VM exits"}})
        s = std::regex_replace(s, re, to);
    return s;
}

}  // namespace

TEST_CASE("tour: every stop is answered from runs made now, and the tour names the KVM it ran on") {
    const auto& t = full_tour();
    INFO(t.r.err);
    for (int n = 1; n <= 12; ++n) CHECK_MESSAGE(!stop_text(t.r, n).empty(), "stop " << n);
    if (hardware_semantics()) {  // on kvm_pvm a stop may lack a record, and must then say which
        CHECK(t.r.status == 0);
        CHECK(t.r.out.find("NOT ANSWERED") == std::string::npos);
        for (const char* p : {"path", "pt_regs", "gdt", "mappings", "doors"})
            for (const char* ext : {".svg", ".png"}) CHECK_MESSAGE(!slurp(t.dir + "/tour/" + p + ext).empty(), p << ext);
    } else {
        CHECK((t.r.status == 0) == (t.r.out.find("NOT ANSWERED: the runs lack ") == std::string::npos));
    }
    const auto setup = log_of(t.dir + "/logs/path.jsonl").front();
    CHECK(t.r.out.find("on " + setup["host_kvm"].get<std::string>()) != std::string::npos);
    if (const char* tier = std::getenv("LSTAR_TIER"); tier && std::string(tier) == "nested")
        CHECK(t.r.out.find("inside the nested AMD-V tier") != std::string::npos);
}

TEST_CASE("tour: the answers cite the values of the runs' own exit logs") {
    const auto& t = full_tour();
    const auto path = log_of(t.dir + "/logs/path.jsonl");
    const auto& setup = path.front();
    const std::string star = stop_text(t.r, 3);
    CHECK(star.find("This run's STAR is " + setup["star"].get<std::string>()) != std::string::npos);
    CHECK(star.find("syscall loaded CS=" + setup["syscall_cs"].get<std::string>()) != std::string::npos);
    std::string lstar_written;
    for (const auto& m : log_of(t.dir + "/logs/msr.jsonl"))
        if (m.value("msr", "") == "IA32_LSTAR" && m.value("op", "") == "wrmsr") lstar_written = m["value"];
    REQUIRE(!lstar_written.empty());
    CHECK(stop_text(t.r, 1).find("EDX:EAX=" + lstar_written) != std::string::npos);
    for (const auto& m : log_of(t.dir + "/logs/pti.jsonl"))
        if (m.value("type", "") == "user_mappings") {
            CHECK(stop_text(t.r, 8).find("the user CR3 " + m["user_cr3"].get<std::string>() + " maps " +
                                         std::to_string(m["bytes"].get<uint64_t>()) + " bytes") != std::string::npos);
        }
}

TEST_CASE("tour --entry pti: the answer about LSTAR follows the entry mode") {
    const auto& direct = full_tour();
    const auto pti2 = tour({"1", "--entry", "pti"});  // stop 1 only, its main run with --entry pti
    const auto lstar_of = [](const Tour& t) { return log_of(t.dir + "/logs/path.jsonl").front()["lstar"].get<std::string>(); };
    INFO(pti2.r.err);
    CHECK(pti2.r.status == 0);
    const std::string a = stop_text(direct.r, 1), b = stop_text(pti2.r, 1);
    CHECK(a.find("which is its LSTAR (" + lstar_of(direct) + ")") != std::string::npos);
    CHECK(b.find("which is its LSTAR (" + lstar_of(pti2) + ")") != std::string::npos);
    CHECK(lstar_of(direct) != lstar_of(pti2));
    CHECK(a.find("entry_SYSCALL_64_trampoline") == std::string::npos);
    CHECK(b.find("<entry_SYSCALL_64_trampoline>") != std::string::npos);
}

TEST_CASE("tour: docs/tour.md and its pictures regenerate unchanged but for addresses and timings") {
    const auto& t = full_tour();
    const std::string doc = slurp(LSTAR_SOURCE_ROOT "/docs/tour.md"), now = slurp(t.dir + "/tour.md");
    REQUIRE(!doc.empty());
    REQUIRE(!now.empty());
    const auto host = log_of(t.dir + "/logs/path.jsonl").front()["host_kvm"].get<std::string>();
    if (doc.find("on " + host) == std::string::npos) {
        // Another kind of KVM answers some stops differently (sysenter on Intel, the shims on
        // kvm_pvm): then only the questions must be the same.
        MESSAGE("docs/tour.md was generated on another KVM than " << host << ": comparing the questions only");
        std::regex q("\n## [^\n]*");
        auto questions = [&](const std::string& s) {
            std::string out;
            for (std::sregex_iterator i(s.begin(), s.end(), q), e; i != e; ++i) out += i->str();
            return out;
        };
        CHECK(questions(doc) == questions(now));
        return;
    }
    CHECK(normalise(doc) == normalise(now));
    for (const char* p : {"path", "pt_regs", "gdt", "mappings", "doors"}) {
        INFO(p);
        CHECK(normalise(slurp(std::string(LSTAR_SOURCE_ROOT "/docs/tour/") + p + ".dot")) ==
              normalise(slurp(t.dir + "/tour/" + p + ".dot")));
    }
}
