#include "cli/trace_arg.hpp"

#include "cli/args.hpp"
#include "common/syscall_names.hpp"
#include "trace/syscall_classes.hpp"

namespace lstar::cli {

namespace {

constexpr const char* kItems = "syscalls, path[=NAME], steps=FROM..TO, exceptions[=PF,GP,...], msr";

// steps=FROM..TO (TO may be left out: to the end).
void parse_steps(const std::string& val, trace::TraceOptions& t) {
    const std::string option = "--trace steps=" + val;
    const auto dots = val.find("..");
    if (dots == std::string::npos)
        throw UsageError(option + ": want FROM..TO, e.g. steps=1..40 (step numbers from 1; TO may be left out)");
    const char* want = "FROM..TO, e.g. steps=1..40";
    t.steps_from = parse_u64(val.substr(0, dots), option, want);
    t.steps_to = val.size() > dots + 2 ? parse_u64(val.substr(dots + 2), option, want) : ~0ull;
    if (t.steps_from > t.steps_to)
        throw UsageError(option + ": FROM is after TO (" + std::string(want) + ")");
}

}  // namespace

std::vector<std::string> syscall_names() {
    std::vector<std::string> names;
    for (uint64_t nr = 0; nr < 1024; ++nr)
        if (const char* n = syscall_name(nr)) names.emplace_back(n);
    return names;
}

std::vector<bool> parse_syscall_filter(const std::vector<std::string>& exprs) {
    constexpr uint64_t kNrs = 1024;
    std::vector<bool> only(kNrs, false);
    const auto names = syscall_names();
    auto nr_of = [](std::string_view name) -> int64_t {
        for (uint64_t nr = 0; nr < kNrs; ++nr)
            if (const char* n = syscall_name(nr); n && name == n) return int64_t(nr);
        return -1;
    };
    const std::string classes = join(trace::syscall_classes());
    for (const auto& expr : exprs) {
        std::string set = expr;
        if (const auto eq = expr.find('='); eq != std::string::npos) {
            const std::string key = expr.substr(0, eq);
            if (key != "trace" && key != "t")
                throw UsageError("-e " + expr + ": lstar takes only trace=SET of strace's -e qualifiers "
                                 "(trace=openat,read or trace=%file; classes: " + classes + ")");
            set = expr.substr(eq + 1);
        }
        const bool negate = !set.empty() && set[0] == '!';
        if (negate) set.erase(0, 1);
        std::vector<bool> mine(kNrs, false);
        size_t start = 0;
        while (start <= set.size()) {
            const size_t comma = set.find(',', start);
            const std::string tok = set.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            start = comma == std::string::npos ? set.size() + 1 : comma + 1;
            if (tok == "all") {
                mine.assign(kNrs, true);
            } else if (tok == "none") {
            } else if (auto members = trace::syscalls_in_class(tok); !members.empty()) {
                for (auto m : members)
                    if (auto nr = nr_of(m); nr >= 0) mine[size_t(nr)] = true;
            } else if (auto nr = nr_of(tok); nr >= 0) {
                mine[size_t(nr)] = true;
            } else {
                const bool is_class = !tok.empty() && tok[0] == '%';
                std::string msg = "-e " + expr + ": " + (tok.empty() ? std::string("an empty name") : "'" + tok + "'") +
                                  " is not " + (is_class ? "a class of strace's" : "an x86-64 system call name");
                const auto near = closest(tok, is_class ? trace::syscall_classes() : names);
                if (!near.empty()) msg += "; did you mean " + join(near, " or ") + "?";
                throw UsageError(msg + " (names as in strace -e trace=openat,read; all, none; classes: " + classes + ")");
            }
        }
        for (size_t i = 0; i < kNrs; ++i)
            if (mine[i] != negate) only[i] = true;
    }
    return only;
}

TraceRequest parse_traces(const std::vector<std::string>& args) {
    TraceRequest r;
    auto& t = r.trace;
    bool in_vectors = false;
    std::string vectors;
    for (const auto& arg : args) {
        size_t start = 0;
        while (start <= arg.size()) {
            size_t comma = arg.find(',', start);
            std::string tok = arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            start = comma == std::string::npos ? arg.size() + 1 : comma + 1;
            const auto eq = tok.find('=');
            const std::string key = tok.substr(0, eq);
            const std::string val = eq == std::string::npos ? "" : tok.substr(eq + 1);
            const bool has_value = eq != std::string::npos;
            auto no_value = [&] {
                if (has_value) throw UsageError("--trace " + tok + ": " + key + " takes no value (" + kItems + ")");
            };
            if (key == "syscalls") {
                no_value();
                t.syscalls = true, in_vectors = false;
            } else if (key == "path") {
                if (has_value) check_member(val, syscall_names(), "--trace path", "an x86-64 system call name");
                t.path = true, t.path_filter = val, in_vectors = false;
            } else if (key == "msr") {
                no_value();
                r.msr = true, in_vectors = false;
            } else if (key == "steps") {
                parse_steps(val, t);
                t.path = true, in_vectors = false;
            } else if (key == "exceptions") {
                t.exceptions = true, in_vectors = true;
                vectors = val;
            } else if (in_vectors && !tok.empty() && !has_value) {
                vectors += "," + tok;
            } else if (!tok.empty()) {
                throw UsageError("--trace: unknown item '" + tok + "' (" + kItems + ")");
            }
        }
    }
    if (t.exceptions) {
        try {
            t.vectors = trace::parse_vectors(vectors.empty() ? "UD,PF,GP" : vectors);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--trace exceptions=" + vectors + ": " + e.what());
        }
    }
    return r;
}

}  // namespace lstar::cli
