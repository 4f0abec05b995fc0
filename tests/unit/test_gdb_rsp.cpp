// The GDB remote protocol's framing, and the register layout that target.xml and 'g' share.
#include <doctest/doctest.h>

#include <regex>

#include "gdb/registers.hpp"
#include "gdb/rsp.hpp"

using namespace lstar::gdb;

TEST_CASE("packets are framed as $payload#checksum, the checksum the byte sum mod 256") {
    CHECK(rsp::checksum("") == 0);
    CHECK(rsp::frame("OK") == "$OK#9a");
    CHECK(rsp::frame("") == "$#00");
    CHECK(rsp::frame("g") == "$g#67");  // as gdb's own packet log shows it
    CHECK(rsp::frame("qSupported:multiprocess+") == "$qSupported:multiprocess+#c6");
}

TEST_CASE("the decoder yields packets, acks, nacks and Ctrl-C in any chunking") {
    rsp::Decoder d;
    auto ev = d.feed("+$g#67-\x03");
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].kind == rsp::Event::Ack);
    CHECK(ev[1].kind == rsp::Event::Packet);
    CHECK(ev[1].payload == "g");
    CHECK(ev[2].kind == rsp::Event::Nack);
    CHECK(ev[3].kind == rsp::Event::Interrupt);

    // One byte at a time, split across the checksum too.
    std::string stream = rsp::frame("m ffffffff80200000,40");
    std::vector<rsp::Event> got;
    for (char c : stream)
        if (auto e = d.feed(c)) got.push_back(*e);
    REQUIRE(got.size() == 1);
    CHECK(got[0].payload == "m ffffffff80200000,40");
}

TEST_CASE("a bad checksum is reported, not delivered, and the decoder recovers") {
    rsp::Decoder d;
    auto ev = d.feed("$g#68$g#zz$?#3f");
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].kind == rsp::Event::BadChecksum);
    CHECK(ev[1].kind == rsp::Event::BadChecksum);  // not even hex
    CHECK(ev[2].kind == rsp::Event::Packet);
    CHECK(ev[2].payload == "?");
    CHECK(d.feed("garbage between packets$c#63").size() == 1);
}

TEST_CASE("binary data escapes $ # } * as } and the byte XOR 0x20") {
    CHECK(rsp::escape_binary("a$b#c}d*e") == "a}\x04" "b}\x03" "c}]d}\x0a" "e");
    CHECK(rsp::unescape_binary(rsp::escape_binary("a$b#c}d*e")) == "a$b#c}d*e");
    std::string all;
    for (int i = 0; i < 256; ++i) all += char(i);
    CHECK(rsp::unescape_binary(rsp::escape_binary(all)) == all);
    // An escaped payload frames and decodes whole: no raw '#' inside.
    rsp::Decoder d;
    auto ev = d.feed(rsp::frame(rsp::escape_binary(all)));
    REQUIRE(ev.size() == 1);
    CHECK(rsp::unescape_binary(ev[0].payload) == all);
}

TEST_CASE("hex as packets carry it") {
    const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    CHECK(rsp::to_hex(bytes, 4) == "000fa5ff");
    CHECK(rsp::from_hex("000FA5ff") == std::vector<uint8_t>{0x00, 0x0f, 0xa5, 0xff});
    CHECK_FALSE(rsp::from_hex("abc").has_value());
    CHECK_FALSE(rsp::from_hex("zz").has_value());
    CHECK(rsp::parse_number("ffffffff80200000") == 0xffffffff80200000ull);
    CHECK(rsp::parse_number("10") == 16);
    CHECK_FALSE(rsp::parse_number("").has_value());
    CHECK_FALSE(rsp::parse_number("1ffffffff80200000").has_value());  // 17 digits
    CHECK_FALSE(rsp::parse_number("12,3").has_value());
}

TEST_CASE("target.xml and the 'g' packet describe the same registers, in the same order") {
    std::string xml = target_xml();
    CHECK(xml.find("org.gnu.gdb.i386.core") != std::string::npos);
    CHECK(xml.find("<architecture>i386:x86-64</architecture>") != std::string::npos);
    std::regex reg(R"re(<reg name="(\w+)" bitsize="(\d+)"[^>]* regnum="(\d+)")re");
    int n = 0;
    unsigned bytes = 0;
    std::vector<std::string> names;
    for (std::sregex_iterator it(xml.begin(), xml.end(), reg), end; it != end; ++it, ++n) {
        CHECK(std::stoi((*it)[3]) == n);
        CHECK(unsigned(std::stoi((*it)[2])) == register_size(n) * 8);
        bytes += register_size(n);
        names.push_back((*it)[1]);
    }
    CHECK(n == register_count());
    CHECK(g_packet_hex(Machine{}).size() == 2 * bytes);
    REQUIRE(names.size() >= 45);
    CHECK(names[0] == "rax");
    CHECK(names[16] == "rip");
    CHECK(names[17] == "eflags");
    CHECK(names[18] == "cs");
    CHECK(names[44] == "cr3");
}

TEST_CASE("registers read little-endian, and writes mark what changed") {
    Machine m;
    m.regs.rax = 39;
    m.regs.rip = 0xfffffe0000008310ull;
    m.sregs.cs.selector = 0x10;
    m.sregs.cr3 = 0x10000;
    CHECK(read_register(m, 0) == std::vector<uint8_t>{39, 0, 0, 0, 0, 0, 0, 0});
    CHECK(rsp::to_hex(read_register(m, 16).data(), 8) == "1083000000feffff");
    CHECK(read_register(m, 18) == std::vector<uint8_t>{0x10, 0, 0, 0});
    CHECK(read_register(m, 24).size() == 10);  // st0: 80 bits of zeros
    CHECK(rsp::to_hex(read_register(m, 44).data(), 8) == "0000010000000000");

    std::vector<uint8_t> v = {1, 0, 0, 0, 0, 0, 0, 0};
    CHECK(write_register(m, 3, v));  // rdx
    CHECK(m.regs.rdx == 1);
    CHECK(m.regs_dirty);
    CHECK_FALSE(m.sregs_dirty);
    CHECK(write_register(m, 44, v));  // cr3
    CHECK(m.sregs.cr3 == 1);
    CHECK(m.sregs_dirty);
    // A segment selector is read-only: the same value is accepted (a 'G' echoes it), another is not.
    CHECK(write_register(m, 18, std::vector<uint8_t>{0x10, 0, 0, 0}));
    CHECK_FALSE(write_register(m, 18, std::vector<uint8_t>{0x33, 0, 0, 0}));
    CHECK(m.sregs.cs.selector == 0x10);
    CHECK_FALSE(write_register(m, 0, std::vector<uint8_t>{1, 2}));  // wrong size

    // 'G' round-trips 'g', and is all or nothing.
    Machine copy;
    CHECK(apply_g_packet(copy, *rsp::from_hex(g_packet_hex(m))) == false);  // copy's CS differs: refused
    copy.sregs.cs.selector = 0x10;
    CHECK(apply_g_packet(copy, *rsp::from_hex(g_packet_hex(m))));
    CHECK(copy.regs.rip == m.regs.rip);
    CHECK(copy.sregs.cr3 == 1);
    CHECK_FALSE(apply_g_packet(copy, std::vector<uint8_t>(10)));
}
