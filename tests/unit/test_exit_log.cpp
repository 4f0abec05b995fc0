// Exit-log records are valid JSON whatever bytes a guest puts in them, and write errors are caught.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <string>

#include "run/exit_log.hpp"
#include "run/json.hpp"

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
