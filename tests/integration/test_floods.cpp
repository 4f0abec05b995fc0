// Floods: a guest that makes VM exits and console output as fast as it can. Every console byte
// reaches stdout; the exit log stays within --exit-log-limit, keeps the first and the last records
// and counts what it dropped.
#include <doctest/doctest.h>

#include "lstar_process.hpp"

using namespace lstar::test;

TEST_CASE("a flood of port writes and console output: all output kept, the exit log bounded, drops counted") {
    auto r = run_lstar({"run", build_dir() + "/tests/guests/flood.elf", "--exit-log-limit", "1"});
    CHECK(r.status == 0);
    CHECK(r.out.size() == 1000 * 16);  // every console byte, in order
    CHECK(r.out.substr(0, 16) == "flood: 16 bytes\n");
    check_complete_log(r, "guest_exit");
    auto dropped = records(r, "dropped");
    REQUIRE(dropped.size() == 1);
    const auto& d = dropped[0];
    CHECK(d["records"].get<uint64_t>() > 1000);
    CHECK(d["limit"] == 1 << 20);
    // The first records: the setup record, then exits 1, 2, 3, ... in order.
    auto exits = records(r, "exit");
    REQUIRE(exits.size() > 100);
    CHECK(exits.front()["seq"] == 1);
    CHECK(exits.front()["port"] == "0x61");
    CHECK(exits.front()["note"].get<std::string>().find("unhandled OUT") != std::string::npos);
    // A round is 16 OUTs to 0x61, then the 16-byte line in as many console exits as this KVM takes
    // for a rep outsb (one per byte, or one for all): read it off the first round, check it holds
    // for every round kept at the head, and count the whole run from it.
    uint64_t per_round = 0, line_bytes = 0;
    for (size_t i = 16; i < exits.size() && exits[i]["port"] == "0xe9"; ++i) {
        line_bytes += exits[i]["count"].get<uint64_t>();
        ++per_round;
    }
    CHECK(line_bytes == 16);
    REQUIRE(per_round >= 1);
    per_round += 16;
    const uint64_t total = 1000 * per_round + 1;  // and the OUT to the exit port
    for (size_t i = 0; i + per_round <= exits.size() && exits[i + per_round - 1]["seq"] == i + per_round; i += per_round) {
        CAPTURE(i);
        for (size_t k = 0; k < 16; ++k) CHECK(exits[i + k]["port"] == "0x61");
        for (size_t k = 16; k < per_round; ++k) CHECK(exits[i + k]["port"] == "0xe9");
    }
    const auto& end = r.log.back();
    CHECK(end["dropped_records"] == d["records"]);
    CHECK(end["exits"] == total);
    // The last records: up to the OUT to the exit port that ended the run.
    CHECK(exits.back()["seq"] == total);
    CHECK(exits.back()["port"] == "0xec4");
    // Kept plus dropped is every exit, with no gap and no overlap around the dropped record.
    CHECK(exits.size() + d["records"].get<uint64_t>() == total);
    uint64_t bytes = 0;
    for (auto& j : r.log) bytes += j.dump().size() + 1;
    CHECK(bytes <= (1u << 20) + 4096);
    CHECK(r.err.find("records (") != std::string::npos);
    CHECK(r.err.find("dropped in the middle") != std::string::npos);
}
