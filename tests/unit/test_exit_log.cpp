// Exit-log records are valid JSON whatever bytes a guest puts in them, and write errors are caught.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <string>

#include "run/exit_log.hpp"
#include "common/json.hpp"

using namespace lstar;

TEST_CASE("JsonObject encodes numbers, hex addresses, booleans and nested values") {
    std::string s = JsonObject().num("seq", 3).hex("rip", 0xffffffff80200240ull).num("ok", true).str("reason", "io")
                        .raw("args", "[1,2]").done();
    auto j = nlohmann::json::parse(s);
    CHECK(j["seq"] == 3);
    CHECK(j["rip"] == "0xffffffff80200240");
    CHECK(j["ok"] == true);
    CHECK(j["reason"] == "io");
    CHECK(j["args"][1] == 2);
    CHECK(JsonObject().done() == "{}");
}

TEST_CASE("guest strings with quotes, control bytes and non-ASCII bytes stay valid JSON") {
    std::string hostile = "a\"b\\c\n\r\t";
    hostile += '\0';
    hostile += "\x01\x7f\xff\xc3(";
    std::string s = JsonObject().str("text", hostile).done();
    auto j = nlohmann::json::parse(s);  // throws if invalid
    std::string back = j["text"];
    CHECK(back.substr(0, 9) == "a\"b\\c\n\r\t" + std::string(1, '\0'));
    CHECK(back.size() == hostile.size() + 2);  // 0x7f 0xff 0xc3 come back as U+007F U+00FF U+00C3 (2 UTF-8 bytes for the last two)
}

TEST_CASE("the exit log writes one record per line and closes cleanly") {
    std::string path = "/tmp/lstar-unit-exit-log.jsonl";
    {
        ExitLog log(path);
        CHECK(log.enabled());
        log.write(JsonObject().num("seq", 1).done());
        log.write(JsonObject().num("seq", 2).done());
        CHECK(log.close());
    }
    std::ifstream f(path);
    std::string a, b, c;
    CHECK(std::getline(f, a));
    CHECK(std::getline(f, b));
    CHECK(!std::getline(f, c));
    CHECK(nlohmann::json::parse(b)["seq"] == 2);
    std::remove(path.c_str());
}

TEST_CASE("an empty path disables the log") {
    ExitLog log("");
    CHECK(!log.enabled());
    log.write("{}");
    CHECK(log.close());
}

TEST_CASE("a full disk is reported, not ignored") {
    ExitLog log("/dev/full");
    std::string big(4096, 'x');
    for (int i = 0; i < 600 && !log.failed(); ++i) log.write(big);  // past the 1 MiB buffer
    bool closed = log.close();
    CHECK(!closed);
    CHECK(log.failed());
    CHECK(log.error().find("No space left") != std::string::npos);
}

TEST_CASE("an exit log that cannot be created names the path") {
    try {
        ExitLog log("/nonexistent-dir/log.jsonl");
        FAIL("expected an exception");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find("/nonexistent-dir/log.jsonl") != std::string::npos);
    }
}

TEST_CASE("a bounded exit log keeps the first and the last records, counts the dropped ones, and says so") {
    std::string path = "/tmp/lstar-unit-exit-log-bounded.jsonl";
    const uint64_t limit = 1 << 20;
    const int n = 50000;
    {
        ExitLog log(path, limit);
        std::string pad(80, 'x');
        for (int i = 1; i <= n; ++i) log.write(JsonObject().num("seq", i).str("type", "exit").str("pad", pad).done());
        log.write_end(JsonObject().num("seq", n).str("type", "end").done());
        CHECK(log.dropped_records() > 0);
        CHECK(log.close());
    }
    std::ifstream f(path);
    std::vector<nlohmann::json> recs;
    uint64_t bytes = 0;
    for (std::string line; std::getline(f, line);) {
        bytes += line.size() + 1;
        recs.push_back(nlohmann::json::parse(line));
    }
    std::remove(path.c_str());
    CHECK(bytes <= limit + 256);
    REQUIRE(recs.size() > 3);
    CHECK(recs.front()["seq"] == 1);  // the first records, in order
    CHECK(recs.back()["type"] == "end");
    CHECK(recs[recs.size() - 2]["seq"] == n);  // the last record before the end
    size_t d = 0;
    while (d < recs.size() && recs[d].value("type", "") != "dropped") ++d;
    REQUIRE(d < recs.size());
    const auto& dropped = recs[d];
    CHECK(dropped["first_seq"] == recs[d - 1]["seq"].get<int>() + 1);  // no gap, no overlap
    CHECK(recs[d + 1]["seq"] == dropped["last_seq"].get<int>() + 1);
    CHECK(dropped["records"] == dropped["last_seq"].get<int>() - dropped["first_seq"].get<int>() + 1);
    CHECK(recs.back()["dropped_records"] == dropped["records"]);
    CHECK(recs.size() - 2 + dropped["records"].get<size_t>() == size_t(n));  // every record kept or counted
}

TEST_CASE("an exit log under its limit drops nothing and its end record says 0") {
    std::string path = "/tmp/lstar-unit-exit-log-small.jsonl";
    {
        ExitLog log(path);
        for (int i = 1; i <= 100; ++i) log.write(JsonObject().num("seq", i).done());
        log.write_end(JsonObject().num("seq", 100).str("type", "end").done());
        CHECK(log.close());
        CHECK(log.dropped_records() == 0);
    }
    std::ifstream f(path);
    int lines = 0;
    std::string line, last;
    while (std::getline(f, line)) ++lines, last = line;
    std::remove(path.c_str());
    CHECK(lines == 101);
    CHECK(nlohmann::json::parse(last)["dropped_records"] == 0);
}
