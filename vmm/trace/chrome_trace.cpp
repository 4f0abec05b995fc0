#include "trace/chrome_trace.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/json.hpp"

namespace lstar::trace {

namespace {
constexpr int kUserTid = 1, kKernelTid = 2, kExitTid = 3;

std::string us(uint64_t ns) {  // the format's timestamps are microseconds (fractions allowed)
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", double(ns) / 1000.0);
    return b;
}

std::string slice(int tid, const std::string& name, uint64_t ts, uint64_t dur, const char* cat) {
    return JsonObject().str("name", name).str("cat", cat).str("ph", "X").raw("ts", us(ts)).raw("dur", us(dur))
        .num("pid", 1).num("tid", tid).done();
}
}  // namespace

void ChromeTrace::add(std::string json) {
    if (events_.size() >= kMaxEvents) {
        ++dropped_;
        return;
    }
    events_.push_back(std::move(json));
}

void ChromeTrace::syscall_edge(uint64_t ts, const std::string& name, bool enter) {
    if (enter) {
        if (ts > user_since_) add(slice(kUserTid, "user", user_since_, ts - user_since_, "user"));
        in_kernel_ = true;
        kernel_since_ = ts;
        kernel_name_ = name;
    } else if (in_kernel_) {
        add(slice(kKernelTid, kernel_name_, kernel_since_, ts - kernel_since_, "syscall"));
        in_kernel_ = false;
        user_since_ = ts;
    }
}

void ChromeTrace::exception(uint64_t ts, const std::string& name) {
    add(JsonObject().str("name", name).str("cat", "exception").str("ph", "i").str("s", "p").raw("ts", us(ts))
            .num("pid", 1).num("tid", kKernelTid).done());
}

void ChromeTrace::vm_exit(uint64_t ts, uint64_t dur, std::string_view reason) {
    add(slice(kExitTid, std::string(reason), ts, dur, "vm_exit"));
}

ChromeTrace::~ChromeTrace() {
    if (f_) std::fclose(f_);
}

void ChromeTrace::open(const std::string& path) {
    path_ = path;
    f_ = std::fopen(path.c_str(), "we");
    if (!f_) throw IoError("cannot create " + path + ": " + std::strerror(errno));
}

int ChromeTrace::fd() const { return f_ ? fileno(f_) : -1; }

void ChromeTrace::write(uint64_t end_ns) {
    if (!f_) throw IoError("no trace file open");
    if (in_kernel_) syscall_edge(end_ns, kernel_name_, false);
    else if (end_ns > user_since_ && user_since_ > 0) add(slice(kUserTid, "user", user_since_, end_ns - user_since_, "user"));
    auto name_thread = [](int tid, const char* name) {
        return JsonObject().str("name", "thread_name").str("ph", "M").num("pid", 1).num("tid", tid)
            .raw("args", JsonObject().str("name", name).done()).done();
    };
    std::string head = "{\"displayTimeUnit\":\"ns\",\"otherData\":" +
                       JsonObject().str("producer", "lstar").num("dropped_events", dropped_).str("breakpoints", breakpoints_).done() +
                       ",\"traceEvents\":[\n" + name_thread(kUserTid, "guest user mode") + ",\n" +
                       name_thread(kKernelTid, "guest kernel mode") + ",\n" + name_thread(kExitTid, "VM exits");
    bool ok = std::fputs(head.c_str(), f_) >= 0;
    for (const auto& e : events_) ok = ok && std::fputs(",\n", f_) >= 0 && std::fputs(e.c_str(), f_) >= 0;
    ok = ok && std::fputs("\n]}\n", f_) >= 0;
    int err = errno;
    ok = (std::fclose(f_) == 0) && ok;
    if (!ok) err = errno ? errno : err;
    f_ = nullptr;
    if (!ok) throw IoError("cannot write " + path_ + ": " + std::strerror(err));
}

}  // namespace lstar::trace
