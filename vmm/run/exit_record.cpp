#include "run/exit_record.hpp"

#include "common/json.hpp"

namespace lstar {

std::string exit_record(uint64_t seq, uint64_t t_ns, const VmExit& e, std::string_view sym, std::string_view note) {
    JsonObject r;
    r.num("seq", seq).num("t_ns", t_ns).name("type", "exit").name("reason", exit_name(e.kind))
        .hex("rip", e.cpu.regs.rip).str("sym", sym).num("cpl", e.cpu.cpl());
    if (auto* io = std::get_if<exits::Io>(&e.kind)) {
        r.hex("port", io->port).name("dir", io->in ? "in" : "out").num("size", unsigned(io->size)).num("count", io->count);
        if (!io->in) r.hex("value", io->value);
    } else if (auto* m = std::get_if<exits::Mmio>(&e.kind)) {
        r.hex("gpa", m->gpa).num("len", m->len).num("write", m->write);
        if (m->write) r.hex("data", m->data);
    } else if (auto* ie = std::get_if<exits::InternalError>(&e.kind)) {
        r.num("suberror", ie->suberror);
    } else if (auto* in = std::get_if<exits::Interrupted>(&e.kind)) {
        r.num("signal", in->signal);
    }
    if (!note.empty()) r.str("note", note);
    return r.done();
}

}  // namespace lstar
