#include "tour/pictures.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tour/cite.hpp"

namespace lstar::tour {

namespace {

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (c == '\n') { o += "\\n"; continue; }
        o += c;
    }
    return o;
}
std::string node(const std::string& id, const std::string& label, const std::string& extra = "") {
    return format("  {} [label=\"{}\"{}];\n", id, esc(label), extra.empty() ? "" : ", " + extra);
}
const char* kHead = "digraph G {\n  rankdir=LR; fontname=\"Helvetica\"; node [shape=box, fontname=\"Helvetica\", "
                    "fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];\n";

// One getpid's way in and out, as the tracer and the guest's events saw it, in cluster `c`.
std::string path_cluster(const Run& r, const std::string& c) {
    const auto steps = first_call_steps(r);
    const Json& sc = need(r.syscall_enter("getpid"), "getpid's syscall_enter event");
    const Json& ex = need(r.syscall_exit(39), "getpid's syscall_exit event");
    if (steps.empty()) throw Missing("traced steps of getpid");
    const Json& s = r.setup();
    std::string o = format("  subgraph cluster_{} {{\n  label=\"--entry {}: LSTAR = {} <{}>\"; rankdir=TB;\n", c,
                           text(s, "entry_mode"), text(s, "lstar"), text(s, "lstar_sym"));
    std::vector<std::string> ids;
    auto add = [&](const std::string& label, const std::string& extra = "") {
        ids.push_back(c + std::to_string(ids.size()));
        o += node(ids.back(), label, extra);
    };
    add(format("user mode, CPL 3\nsyscall at {}\nCS={} SS={} CR3={}\nRAX={} (getpid)", door_insn_at(sc),
               text(ex, "regs_cs"), text(ex, "regs_ss"), text(sc, "user_cr3"), sc.value("nr", -1)),
        "style=filled, fillcolor=\"#e8f0ff\"");
    add(format("LSTAR -> {} <{}>\nCPL 0, CS={} SS={} (STAR[47:32])\nRCX={} R11={}", text(steps[0], "rip"),
               text(steps[0], "sym"), text(s, "syscall_cs"), text(s, "syscall_ss"), text(sc, "user_rip"),
               text(sc, "user_rflags")));
    for (const auto& st : steps)
        if (text(st, "insn").rfind("mov cr3", 0) == 0 && text(st, "sym").find("trampoline") != std::string::npos)
            add(format("{} step {}\nmov cr3: {} -> kernel CR3\n(user CR3 maps no kernel stack)", text(st, "sym"),
                       st.value("step", 0), text(st, "cr3")),
                "style=filled, fillcolor=\"#ffe8d0\"");
    add(format("swapgs: GS base {}\nRSP {} -> kernel stack\npt_regs at {}", text(sc, "gs_base"), text(sc, "user_rsp"),
               text(sc, "pt_regs")));
    add(format("do_syscall_64(nr={}, regs={})", sc.value("nr", -1), text(sc, "pt_regs")));
    add(format("sys_call_table[{}]\n= {} <{}>\nreturned {}", sc.value("nr", -1), text(sc, "handler"),
               text(sc, "handler_sym"), signed_ret(ex)));
    for (const auto& st : steps)
        if (text(st, "insn").rfind("mov cr3", 0) == 0 && text(st, "sym").find("trampoline") == std::string::npos)
            add(format("{} step {}\nmov cr3: back to the user CR3", text(st, "sym"), st.value("step", 0)),
                "style=filled, fillcolor=\"#ffe8d0\"");
    add(format("{} at {} <{}>\nRIP <- RCX {}, RFLAGS <- R11 {}\nCS={} SS={} (STAR[63:48]+16, +8)", text(steps.back(), "insn"),
               text(steps.back(), "rip"), text(steps.back(), "sym"), text(ex, "rcx"), text(ex, "r11"), text(ex, "sysret_cs"),
               text(ex, "sysret_ss")));
    add(format("user mode, CPL {}\nRIP={} CR3={}", ex.value("return_cpl", -1), text(ex, "rcx"), text(ex, "user_cr3")),
        "style=filled, fillcolor=\"#e8f0ff\"");
    for (size_t i = 0; i + 1 < ids.size(); ++i) o += "  " + ids[i] + " -> " + ids[i + 1] + ";\n";
    return o + "  }\n";
}

std::string path_dot(Runs& runs) {
    return std::string(kHead) + "  rankdir=TB;\n" + path_cluster(runs.get("path"), "a") + path_cluster(runs.get("pti"), "b") +
           "}\n";
}

// Linux's struct pt_regs, from the top of the frame down, with the offsets entry_64.S pushes to.
struct Slot {
    const char* name;
    unsigned off;
    const char* value_key;  // a field of the syscall_enter event holding its value, or ""
};
constexpr Slot kSlots[] = {{"ss", 0xa0, "regs_ss"},   {"sp", 0x98, "regs_sp"}, {"flags", 0x90, "regs_flags"},
                           {"cs", 0x88, "regs_cs"},   {"ip", 0x80, "regs_ip"}, {"orig_ax", 0x78, ""},
                           {"di", 0x70, ""},          {"si", 0x68, ""},        {"dx", 0x60, ""},
                           {"cx", 0x58, "regs_ip"},   {"ax", 0x50, ""},        {"r8", 0x48, ""},
                           {"r9", 0x40, ""},          {"r10", 0x38, ""},       {"r11", 0x30, "regs_flags"},
                           {"bx", 0x28, ""},          {"bp", 0x20, ""},        {"r12", 0x18, ""},
                           {"r13", 0x10, ""},         {"r14", 0x08, ""},       {"r15", 0x00, ""}};

std::string pt_regs_dot(Runs& runs) {
    const Run& r = runs.get("path");
    const Json& sc = need(r.syscall_enter("getpid"), "getpid's syscall_enter event");
    const auto steps = first_call_steps(r);
    const uint64_t base = u64(sc["pt_regs"]);
    const auto& args = sc["args"];
    std::string rows;
    for (const auto& sl : kSlots) {
        std::string value = *sl.value_key ? text(sc, sl.value_key) : "";
        if (std::string(sl.name) == "orig_ax") value = std::to_string(sc.value("nr", -1)) + " (nr)";
        const char* argn[] = {"di", "si", "dx", "r10", "r8", "r9"};
        for (int i = 0; i < 6; ++i)
            if (std::string(sl.name) == argn[i]) value = str(args[i]);
        std::string pusher = "";
        for (const auto& st : steps)  // a push writes at RSP-8 (the step records RSP before it runs)
            if (text(st, "insn").rfind("push", 0) == 0 && u64(st["rsp"]) - 8 == base + sl.off) {
                pusher = format("step {}: {}", st.value("step", 0), text(st, "insn"));
                if (value.empty() && text(st, "insn").rfind("push 0x", 0) == 0) value = text(st, "insn").substr(5);
                break;
            }
        rows += format("<tr><td align=\"left\">{}</td><td align=\"left\">+{:#x} {}</td><td align=\"left\">{}</td>"
                       "<td align=\"left\">{}</td></tr>",
                       hex(base + sl.off), sl.off, sl.name, value.empty() ? "&nbsp;" : value, pusher);
    }
    return format("{}  regs [shape=plaintext, label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
                  "<tr><td colspan=\"4\"><b>pt_regs of getpid at {} (kernel stack top {} &lt;{}&gt;)</b></td></tr>"
                  "<tr><td>address</td><td>field</td><td>value</td><td>pushed by</td></tr>{}</table>>];\n}}\n",
                  kHead, text(sc, "pt_regs"), text(sc, "stack_top"), text(sc, "stack_sym"), rows);
}

std::string gdt_dot(Runs& runs) {
    const Json& s = runs.get("path").setup();
    const uint64_t star = u64(s["star"]), k = (star >> 32) & 0xffff, u = star >> 48;
    std::string rows;
    for (const auto& e : s["gdt"])
        rows += format("<tr><td port=\"s{}\" align=\"left\">{}</td><td align=\"left\">{}</td><td align=\"left\">{}</td></tr>",
                       u64(e["selector"]) >> 3, text(e, "selector"), text(e, "name"), text(e, "decoded"));
    auto port = [](uint64_t sel) { return format("gdt:s{}", sel >> 3); };
    std::string o = format(
        "{}  star [shape=plaintext, label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td colspan=\"3\">"
        "<b>IA32_STAR = {}</b></td></tr><tr><td port=\"u\">63:48 = {}</td><td port=\"k\">47:32 = {}</td>"
        "<td>31:0 (unused in 64-bit mode)</td></tr></table>>];\n"
        "  gdt [shape=plaintext, label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td colspan=\"3\">"
        "<b>GDT at {}</b></td></tr>{}</table>>];\n",
        kHead, text(s, "star"), hex(u), hex(k), text(s, "gdt_base"), rows);
    o += format("  star:k -> {} [label=\"syscall CS = {}\", color=red];\n", port(k), hex(k));
    o += format("  star:k -> {} [label=\"syscall SS = {}+8\", color=red, style=dashed];\n", port(k + 8), hex(k));
    o += format("  star:u -> {} [label=\"sysret CS = {}+16\", color=blue];\n", port(u + 16), hex(u));
    o += format("  star:u -> {} [label=\"sysret SS = {}+8\", color=blue, style=dashed];\n", port(u + 8), hex(u));
    o += format("  star:u -> {} [label=\"32-bit sysret CS = {}\", color=gray];\n", port(u), hex(u));
    return o + "}\n";
}

std::string ranges_cluster(const Json& um, const std::string& c, const std::string& title) {
    std::string o = format("  subgraph cluster_{} {{\n  label=\"{}\";\n", c, esc(title));
    std::string prev;
    size_t i = 0;
    for (const auto& r : um["ranges"]) {
        const uint64_t len = u64(r["end"]) - u64(r["start"]);
        const std::string id = c + std::to_string(i++);
        o += node(id, format("{} - {}\n{} KiB {}{}{} {}", text(r, "start"), text(r, "end"), len / 1024,
                             r.value("user", false) ? "user " : "supervisor ", r.value("writable", false) ? "rw" : "r-",
                             r.value("executable", false) ? "x" : "-", near_sym(text(r, "sym"))),
                  text(r, "start").rfind("0xfffffe", 0) == 0 ? "style=filled, fillcolor=\"#ffe8d0\"" : "");
        if (!prev.empty()) o += "  " + prev + " -> " + id + " [style=invis];\n";
        prev = id;
    }
    return o + "  }\n";
}

std::string mappings_dot(Runs& runs) {
    const auto d = runs.get("path").records("user_mappings");
    const auto p = runs.get("pti").records("user_mappings");
    const Json& dj = need(d.empty() ? Json() : d.front(), "the direct run's user_mappings");
    const Json& pj = need(p.empty() ? Json() : p.front(), "the pti run's user_mappings");
    return std::string(kHead) + "  rankdir=TB;\n" +
           ranges_cluster(dj, "k", format("kernel half of CR3 {} (--entry {}: the kernel's own map, as the kernel CR3 "
                                          "{} of the pti run)", text(dj, "user_cr3"), text(dj, "entry_mode"),
                                          text(pj, "kernel_cr3"))) +
           ranges_cluster(pj, "u", format("kernel half of the user CR3 {} (--entry pti): {} bytes",
                                          text(pj, "user_cr3"), pj.value("bytes", 0))) +
           "}\n";
}

std::string door_cluster(const Run& r, const std::string& door, const std::string& c) {
    std::string o = format("  subgraph cluster_{} {{\n  label=\"{}\";\n", c, door);
    Json e;
    for (const auto& x : r.events("syscall_enter"))
        if (x.value("door", "") == door && x.value("name", "") == "getpid") e = x;
    if (e.is_null()) {
        std::string why = "no entry on this CPU";
        for (const auto& l : r.events("log")) why = text(l, "text");
        o += node(c + "0", "user: " + door + "\n" + why.substr(0, why.find(';')), "style=filled, fillcolor=\"#ffd0d0\"");
        return o + "  }\n";
    }
    const Json ex = r.syscall_exit(e.value("nr", -1));
    o += node(c + "0", format("user: {} at {}\nnr {} ({}-bit ABI)", text(e, "user_insn"), door_insn_at(e),
                              e.value("nr", -1), e.value("abi_bits", 0)),
              "style=filled, fillcolor=\"#e8f0ff\"");
    o += node(c + "1", format("{} <{}>\nvia {}", text(e, "lstar"), text(e, "lstar_sym"), text(e, "via")));
    o += node(c + "2", format("pt_regs at {}\nip={} cs={} sp={} ss={}", text(e, "pt_regs"), text(e, "regs_ip"),
                              text(e, "regs_cs"), text(e, "regs_sp"), text(e, "regs_ss")));
    o += node(c + "3", format("{} <{}>", text(e, "handler"), text(e, "handler_sym")));
    o += node(c + "4", format("back by {}", ex.is_null() ? "?" : text(ex, "how")), "style=filled, fillcolor=\"#e8f0ff\"");
    const char* how[] = {door == "syscall" ? "IA32_LSTAR, no IDT, RCX/R11" : door == "int80" ? "IDT gate 0x80, CPU pushes frame" : "IA32_SYSENTER_EIP",
                         "entry code saves registers", "table slot", "return"};
    for (int i = 0; i < 4; ++i) o += format("  {}{} -> {}{} [label=\"{}\"];\n", c, i, c, i + 1, how[i]);
    return o + "  }\n";
}

std::string doors_dot(Runs& runs) {
    return std::string(kHead) + "  rankdir=TB;\n" + door_cluster(runs.get("door_syscall"), "syscall", "a") +
           door_cluster(runs.get("door_int80"), "int80", "b") + door_cluster(runs.get("door_sysenter"), "sysenter", "c") +
           "}\n";
}

void run_dot(const std::string& fmt_, const std::string& in, const std::string& out) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string t = "-T" + fmt_;
        ::execlp("dot", "dot", t.c_str(), "-o", out.c_str(), in.c_str(), (char*)nullptr);
        ::_exit(127);
    }
    int ws = 0;
    if (pid < 0 || ::waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        throw TourError(WIFEXITED(ws) && WEXITSTATUS(ws) == 127
                            ? "graphviz's `dot` is not installed (apt-get install graphviz); the pictures need it"
                            : "dot -T" + fmt_ + " " + in + " failed",
                        WIFEXITED(ws) && WEXITSTATUS(ws) == 127 ? 69 : 70);
}

}  // namespace

const std::vector<Picture>& all_pictures() {
    static const std::vector<Picture> p = {
        {"path", "one getpid, user -> LSTAR -> entry_SYSCALL_64 -> do_syscall_64 -> sys_call_table -> sysretq: direct and PTI", path_dot},
        {"pt_regs", "pt_regs on the kernel stack: each slot, its value for getpid, and the traced instruction that pushed it", pt_regs_dot},
        {"gdt", "the GDT and how STAR's two selector fields pick its entries", gdt_dot},
        {"mappings", "the kernel half: the kernel's CR3 against the user CR3 under PTI", mappings_dot},
        {"doors", "the three doors side by side", doors_dot},
    };
    return p;
}

void render(const Picture& p, Runs& runs, const std::string& dir) {
    const std::string base = dir + "/" + p.name;
    {
        std::ofstream f(base + ".dot");
        f << p.dot(runs);
        if (!f) throw TourError("cannot write " + base + ".dot", 73);
    }
    run_dot("svg", base + ".dot", base + ".svg");
    run_dot("png", base + ".dot", base + ".png");
}

}  // namespace lstar::tour
