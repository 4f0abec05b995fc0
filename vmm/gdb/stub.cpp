// The GDB remote stub: the connection, the packets of a stopped target, breakpoints and resumes.
// Packet names and replies follow the GDB manual, appendix "Remote Protocol" ("Packets", "Stop
// Reply Packets", "General Query Packets", "Target Description Format").
//
// On this project's hosts (kvm_pvm, a software KVM) hardware breakpoints and single steps only
// give KVM_EXIT_DEBUG for ring-0 code: a breakpoint on a user address never fires and a `stepi` in
// ring 3 delivers #DB to the guest's IDT instead. The kernel (entry_SYSCALL_64 onwards) is fine, at
// about 9 µs a step; but a step over `swapgs` also runs the instruction after it (the emulator's
// doing: --trace path sees the same, docs/tracing.md).
//
// Where DR breakpoints do not fire at all (the nested AMD-V tier), gdb's breakpoints become hlt
// bytes in guest memory (trace/bp_probe.hpp; the run loop puts RIP back on them): written when the
// guest resumes, taken out whenever it stops, as gdb itself does with ptrace, so gdb reads the
// guest's own bytes.
#include "gdb/stub.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "gdb/connection.hpp"
#include "memory/instruction_fetch.hpp"
#include "gdb/interrupt_watcher.hpp"
#include "gdb/registers.hpp"
#include "gdb/rsp.hpp"
#include "gdb/target.hpp"
#include "cpu/debug_regs.hpp"
#include "trace/code_patches.hpp"

namespace lstar::gdb {

namespace {

constexpr const char* kThread = "01";  // one vCPU, one thread
constexpr size_t kPacketSize = 0x4000;  // what qSupported announces (hex in the reply)

struct Breakpoint {
    bool used = false;
    uint64_t addr = 0;
};
constexpr size_t kPatchSlots = 64;  // software breakpoints at most (hardware: the four DRs)

// "ADDR,LEN" (and the rest after ':' for M/X).
bool parse_addr_len(std::string_view s, uint64_t* addr, uint64_t* len, std::string_view* rest = nullptr) {
    auto comma = s.find(',');
    if (comma == std::string_view::npos) return false;
    auto colon = s.find(':', comma);
    auto a = rsp::parse_number(s.substr(0, comma));
    auto l = rsp::parse_number(s.substr(comma + 1, colon == std::string_view::npos ? colon : colon - comma - 1));
    if (!a || !l) return false;
    *addr = *a;
    *len = *l;
    if (rest) {
        if (colon == std::string_view::npos) return false;
        *rest = s.substr(colon + 1);
    }
    return true;
}

kvm_guest_debug no_debug() { return kvm_guest_debug{}; }

}  // namespace

struct Stub::Impl {
    Connection conn;
    std::unique_ptr<InterruptWatcher> watcher;  // while connected
    bool detached = false;
    trace::BpChoice bpk;
    std::vector<Breakpoint> bps;  // kDebugSlots or kPatchSlots of them
    GuestMemory* mem = nullptr;               // the guest's, from the first stop on
    std::vector<ElfSegment> segments;         // the kernel image's (trace::image_gpa)
    std::optional<trace::CodePatches> patches;  // hlt bytes, in guest memory only while the guest runs
    bool stepping_over = false;  // an internal step off a breakpoint (see resume_continue)
    std::string last_stop = "S05";

    Impl(const std::string& hostport, trace::BpChoice k)
        : conn(hostport), bpk(std::move(k)), bps(software() ? kPatchSlots : x86::kDebugSlots) {}
    bool software() const { return bpk.kind == trace::BpKind::Software; }
    ~Impl() { watcher.reset(); }  // joined before the socket it watches closes

    void close_conn() {
        watcher.reset();
        conn.close();
    }
    Resume gone() {  // gdb went away with the guest stopped: end the run
        close_conn();
        return Resume{no_debug(), true};
    }

    // Resumes.
    kvm_guest_debug armed(const Machine& m);
    kvm_guest_debug single_step() const;
    kvm_guest_debug resume_continue(const Machine& m);

    // One packet of a stopped target: a reply, or (set *resume) how to go on.
    std::string handle(const std::string& pkt, Machine& m, kvm::Vcpu& vcpu, GuestMemory& mem,
                       std::optional<Resume>* resume);
    std::string handle_query(const std::string& pkt);
    std::string handle_breakpoint(const std::string& pkt, const Machine& m, const GuestMemory& mem);
    std::optional<Resume> handle_vcont(const std::string& pkt, Machine& m);
};

// The breakpoints for running on: DR0-DR3, or hlt bytes at the guest-physical addresses the
// page tables at the current CR3 give (an address unmapped now gets none: said on stderr).
kvm_guest_debug Stub::Impl::armed(const Machine& m) {
    kvm_guest_debug d = no_debug();
    bool any = false;
    for (unsigned i = 0; i < bps.size(); ++i) {
        if (!bps[i].used) continue;
        any = true;
        if (software()) {
            auto gpa = guest_physical(*mem, m, bps[i].addr);
            if (!gpa) gpa = trace::image_gpa(segments, bps[i].addr);  // not mapped yet: where the loader put it
            if (!gpa || !patches->insert(bps[i].addr, *gpa))
                spdlog::warn("gdb: no breakpoint at {:#x}: not mapped at CR3 {:#x}", bps[i].addr, m.sregs.cr3);
            continue;
        }
        d.arch.debugreg[i] = bps[i].addr;
        d.arch.debugreg[7] = x86::dr7_enable(d.arch.debugreg[7], i);
    }
    if (any && !software()) d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;  // a hlt exits by itself
    return d;
}

// Breakpoints disarmed: a step from a breakpoint address would otherwise report the breakpoint.
kvm_guest_debug Stub::Impl::single_step() const {
    kvm_guest_debug d = no_debug();
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    return d;
}

// This host's quirk (kvm_pvm, measured): a hardware breakpoint fires again when the vCPU resumes at
// its address, RF or not. So a continue from a stop at an armed breakpoint first takes one step
// with breakpoints disarmed; on_stop(Step) then re-arms and continues without telling gdb. (gdb
// itself steps over its breakpoints before a continue; other clients, and `c` after `jump`, do not.)
kvm_guest_debug Stub::Impl::resume_continue(const Machine& m) {
    for (auto& bp : bps)
        if (bp.used && bp.addr == m.regs.rip) {
            stepping_over = true;
            return single_step();
        }
    return armed(m);
}

std::string Stub::Impl::handle_query(const std::string& pkt) {
    if (pkt.starts_with("qSupported"))
        // swbreak/hwbreak: we say why we stopped, so gdb never backs RIP up over a breakpoint byte (RIP is on it).
        return "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+";
    if (pkt == "qAttached") return "1";  // attached to a running machine: `quit` detaches, not kills
    if (pkt == "qC") return std::string("QC") + kThread;
    if (pkt == "qfThreadInfo") return std::string("m") + kThread;
    if (pkt == "qsThreadInfo") return "l";
    if (pkt.starts_with("qXfer:features:read:")) {
        // qXfer:features:read:ANNEX:OFFSET,LENGTH → m<more> or l<last>, binary-escaped.
        std::string_view rest = std::string_view(pkt).substr(std::strlen("qXfer:features:read:"));
        auto colon = rest.find(':');
        uint64_t off = 0, len = 0;
        if (colon == std::string_view::npos || !parse_addr_len(rest.substr(colon + 1), &off, &len)) return "E00";
        if (rest.substr(0, colon) != "target.xml") return "E00";
        static const std::string xml = target_xml();
        if (off >= xml.size()) return "l";
        std::string chunk = xml.substr(off, len);
        return (off + chunk.size() < xml.size() ? "m" : "l") + rsp::escape_binary(chunk);
    }
    return "";
}

std::string Stub::Impl::handle_breakpoint(const std::string& pkt, const Machine& m, const GuestMemory& mem) {
    // Z0/Z1,ADDR,KIND: both become the kind this KVM supports: DR0-3 where they fire (on kvm_pvm
    // a ring-0 int3 ends KVM_RUN with an emulation failure), hlt bytes where they do not.
    if (pkt.size() < 3 || (pkt[1] != '0' && pkt[1] != '1') || pkt[2] != ',') return "";
    std::string_view args = std::string_view(pkt).substr(3);
    auto comma = args.find(',');
    auto addr = rsp::parse_number(args.substr(0, comma));
    if (!addr) return "E22";
    Breakpoint* hit = nullptr;
    for (auto& bp : bps)
        if (bp.used && bp.addr == *addr) hit = &bp;
    if (pkt[0] == 'z') {
        if (hit) *hit = Breakpoint{};
        return "OK";
    }
    if (hit) return "OK";
    if (bpk.kind == trace::BpKind::None) return "E95";  // EOPNOTSUPP: nothing stops the guest here (bp_probe.hpp)
    if (software() && !guest_physical(mem, m, *addr) && !trace::image_gpa(segments, *addr))
        return "E14";  // EFAULT: no byte for the patch
    if (software() && bpk.patch.len > 1) {
        // A two-byte `out` over a one-byte instruction would cover the next one too.
        auto i = guest_instruction(mem, m.sregs.cr0, m.sregs.cr3, *addr);
        if (i && i->length < bpk.patch.len) return "E22";  // EINVAL
    }
    for (auto& bp : bps)
        if (!bp.used) {
            bp = Breakpoint{true, *addr};
            return "OK";
        }
    return "E28";  // ENOSPC: four debug registers (or kPatchSlots)
}

std::optional<Resume> Stub::Impl::handle_vcont(const std::string& pkt, Machine& m) {
    // vCont;ACTION[:THREAD][;ACTION...]: one thread, so the first action is the one.
    std::string_view a = std::string_view(pkt).substr(6);
    char op = a.empty() ? 0 : a[0];
    if (op == 'c' || op == 'C') return Resume{resume_continue(m)};
    if (op == 's' || op == 'S') return Resume{single_step()};
    return std::nullopt;
}

std::string Stub::Impl::handle(const std::string& pkt, Machine& m, kvm::Vcpu& vcpu, GuestMemory& mem,
                               std::optional<Resume>* resume) {
    if (pkt.empty()) return "";
    std::string_view args = std::string_view(pkt).substr(1);
    switch (pkt[0]) {
    case '?': return last_stop;
    case 'g': return g_packet_hex(m);
    case 'G': {
        auto bytes = rsp::from_hex(args);
        if (!bytes || !apply_g_packet(m, *bytes)) return "E22";
        store(vcpu, m);
        return "OK";
    }
    case 'p': {
        auto n = rsp::parse_number(args);
        if (!n || *n >= uint64_t(register_count())) return "E22";
        auto b = read_register(m, int(*n));
        return rsp::to_hex(b.data(), b.size());
    }
    case 'P': {
        auto eq = args.find('=');
        auto n = rsp::parse_number(args.substr(0, eq));
        auto bytes = eq == std::string_view::npos ? std::nullopt : rsp::from_hex(args.substr(eq + 1));
        if (!n || !bytes || *n >= uint64_t(register_count()) || !write_register(m, int(*n), *bytes)) return "E22";
        store(vcpu, m);
        return "OK";
    }
    case 'm': {
        uint64_t addr, len;
        if (!parse_addr_len(args, &addr, &len)) return "E22";
        return read_memory(mem, m, addr, std::min<uint64_t>(len, (kPacketSize - 8) / 2));
    }
    case 'M':
    case 'X': {
        uint64_t addr, len;
        std::string_view data;
        if (!parse_addr_len(args, &addr, &len, &data)) return "E22";
        std::vector<uint8_t> bytes;
        if (pkt[0] == 'M') {
            auto b = rsp::from_hex(data);
            if (!b) return "E22";
            bytes = std::move(*b);
        } else {
            auto raw = rsp::unescape_binary(data);
            bytes.assign(raw.begin(), raw.end());
        }
        if (bytes.size() != len) return "E22";
        return write_memory(mem, m, addr, bytes) ? "OK" : "E14";
    }
    case 'Z':
    case 'z': return handle_breakpoint(pkt, m, mem);
    case 'c':
    case 's': {
        if (!args.empty()) {  // "c ADDR": resume at ADDR
            auto a = rsp::parse_number(args);
            if (!a) return "E22";
            m.regs.rip = *a;
            m.regs_dirty = true;
            store(vcpu, m);
        }
        *resume = Resume{pkt[0] == 'c' ? resume_continue(m) : single_step()};
        return "";
    }
    case 'v':
        if (pkt == "vCont?") return "vCont;c;C;s;S";
        if (pkt.starts_with("vCont;")) {
            *resume = handle_vcont(pkt, m);
            return *resume ? "" : "E22";
        }
        return "";
    case 'H': return "OK";  // Hg/Hc: there is only thread 1
    case 'T': return "OK";  // thread 1 is alive
    case 'q': return handle_query(pkt);
    case 'D':
        conn.send_packet("OK");
        close_conn();
        detached = true;
        *resume = Resume{no_debug()};  // breakpoints off: nobody is listening for them
        return "";
    case 'k': *resume = Resume{no_debug(), true}; return "";
    }
    return "";  // unsupported: gdb falls back or says so
}

Stub::Stub(const std::string& hostport, trace::BpChoice bps, std::vector<ElfSegment> segments)
    : impl_(std::make_unique<Impl>(hostport, std::move(bps))) {
    impl_->segments = std::move(segments);
    const auto& k = impl_->bpk;
    if (k.kind == trace::BpKind::None) spdlog::warn("gdb: breakpoints will not stop the guest on this KVM: {}", k.why);
    else spdlog::info("gdb: breakpoints are {} ({})", trace::bp_text(k), k.why);
}
Stub::~Stub() = default;

std::string Stub::address() const { return impl_->conn.address(); }

void Stub::wait_for_attach() {
    impl_->conn.accept_one();
    impl_->watcher = std::make_unique<InterruptWatcher>(impl_->conn.fd());
}

Resume Stub::on_stop(StopCause cause, kvm::Vcpu& vcpu, GuestMemory& mem) {
    auto& s = *impl_;
    // Our hlt bytes out of guest memory while stopped: gdb reads the guest's bytes, and a resume
    // writes them again (armed).
    if (!s.patches) s.mem = &mem, s.patches.emplace(mem, s.bpk.patch);
    s.patches->remove_all();
    if (s.detached || !s.conn.is_open()) return Resume{no_debug()};
    if (s.watcher->peer_gone()) {
        // gdb went away while the guest ran (the watcher stopped it to find out): carry on without
        // gdb, as after 'D'. With the guest stopped at a breakpoint it would be a kill instead.
        spdlog::warn("gdb on {} went away while the guest ran: continuing without it", s.conn.address());
        s.close_conn();
        s.detached = true;
        return Resume{no_debug()};
    }
    // A Ctrl-C that raced with another stop: this stop answers it, and the immediate_exit the
    // watcher left behind must not end the next KVM_RUN as an unexplained interruption.
    bool ctrl_c = s.watcher->interrupted();
    s.watcher->clear();
    if (ctrl_c && cause != StopCause::Interrupt) vcpu.run_page().immediate_exit = 0;
    Machine m = load(vcpu);
    if (s.stepping_over) {
        s.stepping_over = false;
        // The internal step off a breakpoint is not gdb's business, unless gdb asked to stop.
        if (cause == StopCause::Step && !ctrl_c) return Resume{s.armed(m)};
        if (cause == StopCause::Step) cause = StopCause::Interrupt;
    }
    // T05 = SIGTRAP (breakpoint, step, the first stop), T02 = SIGINT (Ctrl-C).
    std::string reason = cause != StopCause::Breakpoint ? "" : s.software() ? "swbreak:;" : "hwbreak:;";
    s.last_stop = std::string(cause == StopCause::Interrupt ? "T02" : "T05") + reason + "thread:" + kThread + ";";
    if (cause != StopCause::Start && !s.conn.send_packet(s.last_stop)) return s.gone();
    for (;;) {
        auto pkt = s.conn.next_packet();
        if (!pkt) return s.gone();
        std::optional<Resume> resume;
        std::string reply = s.handle(*pkt, m, vcpu, mem, &resume);
        if (resume) {
            if (resume->kill) s.close_conn();
            return *resume;
        }
        if (!s.conn.send_packet(reply)) return s.gone();
    }
}

std::optional<uint64_t> Stub::software_hit(const VmExit& e) const {
    if (!impl_->software() || !impl_->patches) return std::nullopt;
    return impl_->patches->hit(e);
}

bool Stub::interrupt_requested() const {
    auto& w = impl_->watcher;
    return w && (w->interrupted() || w->peer_gone());
}

void Stub::start_watching(kvm::Vcpu& vcpu) {
    if (impl_->watcher) impl_->watcher->start(vcpu);
}

void Stub::stop_watching() {
    if (impl_->watcher) impl_->watcher->stop();
}

std::vector<int> Stub::descriptors() const {
    std::vector<int> fds;
    if (impl_->conn.fd() >= 0) fds.push_back(impl_->conn.fd());
    if (impl_->watcher) fds.push_back(impl_->watcher->wake_fd());
    return fds;
}

void Stub::on_exit(int status) {
    auto& s = *impl_;
    if (!s.conn.is_open()) return;
    char w[8];
    std::snprintf(w, sizeof w, "W%02x", unsigned(status) & 0xff);
    s.watcher.reset();  // the socket is ours alone again
    std::string framed = rsp::frame(w);
    if (s.conn.send_raw(framed)) {
        // Wait a little for gdb's '+': closing with it unread would reset the connection and could
        // lose the W on the way.
        pollfd p{s.conn.fd(), POLLIN, 0};
        if (::poll(&p, 1, 1000) > 0) {
            char buf[64];
            (void)!::recv(s.conn.fd(), buf, sizeof buf, MSG_DONTWAIT);
        }
    }
    s.close_conn();
}

}  // namespace lstar::gdb
