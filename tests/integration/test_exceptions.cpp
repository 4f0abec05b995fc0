// Exceptions raised in ring 3 reach the kernel through the IDT with the right vector, error code and RIP.
#include <doctest/doctest.h>

#include "lstar_process.hpp"

using namespace lstar::test;

static nlohmann::json only_exception(const Result& r) {
    auto ex = events(r, "exception");
    REQUIRE(ex.size() == 1);
    return ex[0];
}

TEST_CASE("ud2 in ring 3: #UD, no error code, RIP at the ud2, program killed by SIGILL") {
    auto r = run_lstar({"-q", "run", "--init", "ud2"});
    CHECK(r.log_error == "");
    auto e = only_exception(r);
    CHECK(e["vector"] == 6);
    CHECK(e["mnemonic"] == "#UD");
    CHECK(e["has_error_code"] == false);
    CHECK(e["from_cpl"] == 3);
    CHECK(e["insn"] == "ud2");
    CHECK(e["signal"] == 4);
    CHECK(r.status == 128 + 4);
    CHECK(r.log.back()["type"] == "end");
}

TEST_CASE("a read of an unmapped user address: #PF with U, not P, not W; CR2 is the address") {
    auto r = run_lstar({"-q", "run", "--init", "pagefault"});
    auto e = only_exception(r);
    CHECK(e["vector"] == 14);
    CHECK(e["has_error_code"] == true);
    CHECK(e["error_code"] == "0x4");  // U=1 W=0 P=0
    CHECK(e["cr2"] == "0xdead000");
    CHECK(e["from_cpl"] == 3);
    CHECK(e["signal"] == 11);
    CHECK(r.status == 128 + 11);
}

TEST_CASE("hlt in ring 3: #GP(0), RIP at the hlt") {
    auto r = run_lstar({"-q", "run", "--init", "gp"});
    auto e = only_exception(r);
    CHECK(e["vector"] == 13);
    CHECK(e["error_code"] == "0x0");
    CHECK(e["insn"] == "hlt");
    CHECK(e["from_cpl"] == 3);
    CHECK(r.status == 128 + 11);
}
