#include "shutdown_registers.hpp"

#include <doctest/doctest.h>

namespace lstar::test {

void check_shutdown_registers(const Result& r) {
    auto faults = records(r, "fault");
    REQUIRE(faults.size() == 1);
    const auto& f = faults[0];
    const auto& end = r.log.back();
    CAPTURE(kvm_kind());
    // lstar names the same kind in its setup record (the report's reason names it too).
    CHECK(r.log.front().value("host_kvm", "").rfind(kvm_kind(), 0) == 0);
    // The end record names the same registers as the fault record.
    CHECK(end["registers"] == f["registers"]);
    CHECK(end["registers_seq"] == f["registers_seq"]);
    CHECK(end["kvm_reset"] == f["kvm_reset"]);
    auto exit_at = [&](uint64_t seq) {
        for (auto& e : records(r, "exit"))
            if (e["seq"] == seq) return e;
        return nlohmann::json();
    };
    auto shutdown = exit_at(end["exits"].get<uint64_t>());
    REQUIRE(shutdown.is_object());
    CHECK(shutdown["reason"] == "shutdown");
    if (!resets_on_shutdown()) {
        // kvm_intel, kvm_pvm: the registers KVM returned with the shutdown are the fault's.
        CHECK(f["registers"] == "at_exit");
        CHECK(f["kvm_reset"] == false);
        CHECK(f["registers_seq"] == shutdown["seq"]);
        CHECK(f["rip"] == shutdown["rip"]);
        CHECK(r.err.find("resets the vCPU") == std::string::npos);
        return;
    }
    // kvm_amd: KVM returned its reset state; the report shows the last state lstar saw instead.
    CHECK(f["kvm_reset"] == true);
    CHECK(f["reset_rip"] == "0xfff0");
    CHECK(f["reset_cs"] == "0xf000");
    CHECK(shutdown["rip"] == "0xfff0");  // the exit record keeps what KVM returned
    CHECK(f["rip"] != "0xfff0");
    CHECK(f["registers_note"].get<std::string>().find("kvm_amd resets the vCPU on SHUTDOWN") != std::string::npos);
    CHECK(r.err.find(f["registers_note"].get<std::string>()) != std::string::npos);
    uint64_t seq = f["registers_seq"].get<uint64_t>();
    if (seq == 0) {
        // No exit before the shutdown: the registers lstar loaded at boot.
        CHECK(f["registers"] == "boot");
        CHECK(r.err.find("registers lstar loaded at boot") != std::string::npos);
        CHECK(shutdown["seq"] == 1);
        CHECK(hex(f["rip"]) == hex(records(r, "setup")[0]["entry"]));
    } else {
        CHECK(f["registers"] == "last_exit");
        CHECK(r.err.find("registers at the last exit before the shutdown (exit #" + std::to_string(seq)) !=
              std::string::npos);
        CHECK(seq + 1 == shutdown["seq"].get<uint64_t>());  // the exit just before it
        auto last = exit_at(seq);
        REQUIRE(last.is_object());
        CHECK(f["rip"] == last["rip"]);
        CHECK(f["cpl"] == last["cpl"]);
    }
}

}  // namespace lstar::test
