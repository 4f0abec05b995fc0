// Child `lstar run` processes and their exit logs.
#include "tour/runs.hpp"

#include "common/hex.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lstar::tour {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// A fresh directory for one run's files, removed by the caller.
std::string make_temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string t = std::string(base && *base ? base : "/tmp") + "/lstar-tour-XXXXXX";
    if (!::mkdtemp(t.data())) throw TourError(std::string("cannot make a temporary directory: ") + std::strerror(errno), 73);
    return t;
}

}  // namespace

uint64_t u64(const Json& j) {
    if (!j.is_string()) return j.is_number_unsigned() ? j.get<uint64_t>() : 0;
    const auto& s = j.get_ref<const std::string&>();
    return s.rfind("0x", 0) == 0 ? std::strtoull(s.c_str() + 2, nullptr, 16) : 0;
}

std::string text(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) return "";
    const auto& v = j[key];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string door_insn_at(const Json& event) {
    const uint64_t rip = u64(event.is_object() && event.contains("user_rip") ? event["user_rip"] : Json());
    return rip >= 2 ? hex(rip - 2) : "";
}

std::vector<Json> Run::records(const std::string& type) const {
    std::vector<Json> r;
    for (const auto& j : log)
        if (j.value("type", "") == type) r.push_back(j);
    return r;
}
std::vector<Json> Run::events(const std::string& event) const {
    std::vector<Json> r;
    for (const auto& j : log)
        if (j.value("type", "") == "event" && j.value("event", "") == event) r.push_back(j);
    return r;
}
std::vector<Json> Run::traces(const std::string& kind) const {
    std::vector<Json> r;
    for (const auto& j : log)
        if (j.value("type", "") == "trace" && j.value("kind", "") == kind) r.push_back(j);
    return r;
}
const Json& Run::setup() const {
    if (log.empty() || log.front().value("type", "") != "setup") throw TourError("run " + key + ": its exit log has no setup record");
    return log.front();
}
const Json& Run::end() const {
    if (log.empty() || log.back().value("type", "") != "end") throw TourError("run " + key + ": its exit log has no end record");
    return log.back();
}
Json Run::syscall_enter(const std::string& name) const {
    for (const auto& e : events("syscall_enter"))
        if (e.value("name", "") == name) return e;
    return nullptr;
}
Json Run::syscall_exit(int nr) const {
    for (const auto& e : events("syscall_exit"))
        if (e.value("nr", -1) == nr) return e;
    return nullptr;
}

namespace {
void read_lines(Run& r, const std::string& path) {
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) {
        auto j = Json::parse(line, nullptr, false);
        if (j.is_discarded()) throw TourError("run " + r.key + ": a line of its exit log is not JSON");
        r.log.push_back(std::move(j));
    }
}
}  // namespace

Run read_log(const std::string& key, const std::string& path) {
    Run r;
    r.key = key;
    read_lines(r, path);
    return r;
}

Run run_lstar(const std::string& exe, const RunSpec& spec, const std::string& keep_dir) {
    const std::string dir = make_temp_dir();
    const std::string log_path = keep_dir.empty() ? dir + "/exit.jsonl" : keep_dir + "/" + spec.key + ".jsonl";
    std::vector<std::string> argv{exe};
    bool placed = false;
    for (const auto& a : spec.args) {
        if (a == "--" && !placed) {
            argv.insert(argv.end(), {"--exit-log", log_path});
            placed = true;
        }
        argv.push_back(a);
    }
    if (!placed) argv.insert(argv.end(), {"--exit-log", log_path});
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);

    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) throw TourError(std::string("fork: ") + std::strerror(errno), 71);
    if (pid == 0) {
        const int out = ::open((dir + "/out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const int err = ::open((dir + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
        ::execv(exe.c_str(), cargv.data());
        ::_exit(127);
    }
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    Run r;
    r.key = spec.key;
    r.args = spec.args;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r.out = slurp(dir + "/out");
    r.err = slurp(dir + "/err");
    read_lines(r, log_path);
    ::unlink((dir + "/out").c_str());
    ::unlink((dir + "/err").c_str());
    ::unlink((dir + "/exit.jsonl").c_str());
    ::rmdir(dir.c_str());
    if (r.log.empty()) {
        // No log at all: lstar stopped before the VM started (no KVM, a bad option). Its own
        // message says why; the tour passes it on with lstar's status.
        std::string why = r.err.substr(0, r.err.find('\n'));
        if (why.rfind("lstar: ", 0) == 0) why = why.substr(7);
        throw TourError("run " + spec.key + " (lstar " + [&] {
            std::string s;
            for (const auto& a : spec.args) s += (s.empty() ? "" : " ") + a;
            return s;
        }() + ") made no exit log: " + why, r.status == 0 ? 70 : r.status);
    }
    return r;
}

const Run& Runs::get(const std::string& key) {
    if (auto it = made_.find(key); it != made_.end()) return it->second;
    auto spec = specs_.find(key);
    if (spec == specs_.end()) throw TourError("no run named " + key);
    return made_.emplace(key, run_lstar(exe_, spec->second, keep_)).first->second;
}

}  // namespace lstar::tour
