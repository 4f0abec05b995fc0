#include "tour/cite.hpp"

#include <cstdlib>
#include <sstream>

namespace lstar::tour {

std::string gdt_name(const Json& setup, uint64_t selector) {
    if (setup.contains("gdt") && setup["gdt"].is_array())
        for (const auto& e : setup["gdt"])
            if ((u64(e["selector"]) & ~7ull) == (selector & ~7ull)) return e.value("name", "?");
    return "?";
}

int64_t signed_ret(const Json& e) { return int64_t(u64(e["ret"])); }

std::string step_line(const Json& s) {
    return format("{:>4}  CR3={} RSP={} GS={}  {}  {}", s.value("step", 0), text(s, "cr3"), text(s, "rsp"),
                  text(s, "gs_base"), text(s, "sym"), text(s, "insn"));
}

size_t find_step(const std::vector<Json>& steps, const std::string& prefix, size_t from) {
    for (size_t i = from; i < steps.size(); ++i)
        if (text(steps[i], "sym").rfind(prefix, 0) == 0) return i;
    return steps.size();
}

std::vector<Json> first_call_steps(const Run& r) {
    std::vector<Json> v;
    for (const auto& s : r.traces("step")) {
        if (!v.empty() && s.value("step", 0) <= v.back().value("step", 0)) break;
        v.push_back(s);
    }
    return v;
}

std::string near_sym(const std::string& sym) {
    const auto plus = sym.find("+0x");
    if (plus == std::string::npos) return sym;
    return std::strtoull(sym.c_str() + plus + 3, nullptr, 16) < 0x100000 ? sym : "";
}

std::string out_line(const Run& r, const std::string& prefix) {
    std::istringstream in(r.out);
    for (std::string l; std::getline(in, l);)
        if (l.rfind(prefix, 0) == 0) return l;
    return "";
}

}  // namespace lstar::tour

namespace lstar::tour {

Json need(const Json& j, const std::string& what) {
    if (j.is_null() || (j.is_array() && j.empty())) throw Missing(what);
    return j;
}

}  // namespace lstar::tour
