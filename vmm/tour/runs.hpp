// The tour's evidence: real `lstar run` processes, each with its exit log (docs/exit-log.md) read
// back as JSON. A run is a child process of this very binary, so each has its own seccomp filter,
// signal handlers and KVM descriptors, exactly as a user's `lstar run` would.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace lstar::tour {

using Json = nlohmann::json;

// A run the tour could not make or read (status 70, internal software error, or the run's own).
struct TourError : Error {
    explicit TourError(const std::string& what, int status = 70) : Error(status, "tour", what) {}
};

struct Run {
    std::string key;                 // "path", "pti", "door_int80", ...
    std::vector<std::string> args;   // after `lstar`
    int status = -1;                 // lstar's exit status
    std::string out, err;            // the guest's output, lstar's messages
    std::vector<Json> log;           // the exit log, in order
    double seconds = 0;              // wall time of the run

    // Records of a type ("setup", "end", "user_mappings"), events ("syscall_enter"), trace kinds ("step").
    std::vector<Json> records(const std::string& type) const;
    std::vector<Json> events(const std::string& event) const;
    std::vector<Json> traces(const std::string& kind) const;
    const Json& setup() const;  // the first record; throws when the log has none
    const Json& end() const;    // the last record
    // The first syscall_enter event for system call `name`; null when there is none.
    Json syscall_enter(const std::string& name) const;
    Json syscall_exit(int nr) const;
};

// What a run asks lstar for: a key the stops name it by, and the arguments of `lstar`.
struct RunSpec {
    std::string key;
    std::vector<std::string> args;
};

// Runs `exe ARGS --exit-log TMP` (the log option goes before any `--`) and reads the log back.
Run run_lstar(const std::string& exe, const RunSpec& spec, const std::string& keep_dir);

// Reads an exit log written earlier (JSON Lines) as the run `key`.
Run read_log(const std::string& key, const std::string& path);

// The runs made so far, by key: each is made once and shared by every stop that names it.
class Runs {
public:
    Runs(std::string exe, std::map<std::string, RunSpec> specs, std::string keep_dir)
        : exe_(std::move(exe)), specs_(std::move(specs)), keep_(std::move(keep_dir)) {}
    const Run& get(const std::string& key);
    // A run made elsewhere (a saved exit log): the stops read it as if made now.
    void add(Run r) { std::string k = r.key; made_.insert_or_assign(k, std::move(r)); }
    const std::map<std::string, Run>& made() const { return made_; }

private:
    std::string exe_;
    std::map<std::string, RunSpec> specs_;
    std::string keep_;
    std::map<std::string, Run> made_;
};

// "0x..." from the log, as a number (0 when absent or malformed: a hostile log cannot throw here).
uint64_t u64(const Json& j);
// A field as text, whatever its JSON type ("" when absent).
std::string text(const Json& j, const char* key);
// Where a door instruction was: an event's user_rip is RCX, the return address, and syscall,
// int $0x80 and sysenter are all two bytes ("" when absent).
std::string door_insn_at(const Json& event);

}  // namespace lstar::tour

namespace lstar::tour {
// A JSON value as text: a string as it is, anything else dumped.
inline std::string str(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }
}  // namespace lstar::tour
