// The initrd: packing a directory as cpio newc, validating a given archive, placing it in RAM, and
// the --rlimit argument. The kernel runs the same reader (shared/cpio_newc.hpp) on the result.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "boot/initrd.hpp"
#include "boot/rlimit_arg.hpp"
#include "cpio_newc.hpp"

using namespace lstar;
namespace fs = std::filesystem;

namespace {

struct TempTree {
    fs::path root;
    TempTree() {
        char t[] = "/tmp/lstar-initrd-XXXXXX";
        root = ::mkdtemp(t);
    }
    ~TempTree() { fs::remove_all(root); }
    void file(const std::string& rel, const std::string& data) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel, std::ios::binary) << data;
    }
};

struct Read {
    uint32_t mode;
    std::string data;
    uint64_t data_offset;
};

std::map<std::string, Read> walk(const std::vector<uint8_t>& a) {
    std::map<std::string, Read> m;
    uint64_t off = 0;
    cpio::Entry e;
    while (cpio::read_entry(a.data(), a.size(), off, e) == cpio::Status::Ok) {
        m[e.name] = {e.mode, std::string(reinterpret_cast<const char*>(a.data() + e.data_offset), e.filesize),
                     e.data_offset};
        off = e.next_offset;
    }
    return m;
}

}  // namespace

TEST_CASE("initrd: a packed directory reads back, file data page-aligned, and validates") {
    TempTree t;
    t.file("bin/prog", std::string(5000, 'x'));
    t.file("etc/motd", "hello\n");
    t.file("empty", "");
    fs::create_symlink("prog", t.root / "bin/link");
    auto a = pack_initrd_dir(t.root.string());
    CHECK(validate_initrd(a) == 6);  // bin, bin/link, bin/prog, empty, etc, etc/motd
    auto m = walk(a);
    REQUIRE(m.count("bin/prog"));
    CHECK(m["bin/prog"].data == std::string(5000, 'x'));
    CHECK(m["bin/prog"].data_offset % 4096 == 0);
    CHECK(m["etc/motd"].data == "hello\n");
    CHECK(m["etc/motd"].data_offset % 4096 == 0);
    CHECK((m["bin"].mode & cpio::kTypeMask) == cpio::kTypeDir);
    CHECK((m["bin/link"].mode & cpio::kTypeMask) == cpio::kTypeLnk);
    CHECK(m["bin/link"].data == "prog");
    CHECK(m["empty"].data.empty());
    CHECK(pack_initrd_dir(t.root.string()) == a);  // deterministic
}

TEST_CASE("initrd: malformed archives are refused with the offset and the reason") {
    TempTree t;
    t.file("a", "abc");
    auto a = pack_initrd_dir(t.root.string());
    auto bad = a;
    bad[0] = 'X';
    CHECK_THROWS_WITH_AS(validate_initrd(bad), doctest::Contains("offset 0: bad magic"), InitrdError);
    auto trunc = std::vector<uint8_t>(a.begin(), a.begin() + 4097);  // the data of "a" cut
    CHECK_THROWS_WITH_AS(validate_initrd(trunc), doctest::Contains("data runs past the end"), InitrdError);
    auto nohex = a;
    nohex[6 + 8 * cpio::kNamesize] = 'g';
    CHECK_THROWS_WITH_AS(validate_initrd(nohex), doctest::Contains("not hexadecimal"), InitrdError);
    auto no_trailer = std::vector<uint8_t>(a.begin(), a.begin() + 4100);
    CHECK_THROWS_AS(validate_initrd(no_trailer), InitrdError);
    CHECK_THROWS_WITH_AS(load_initrd("/nonexistent/initrd"), doctest::Contains("no such file"), InitrdError);
}

TEST_CASE("initrd: canonical names drop ./ and /") {
    auto canon = [](const char* s) {
        uint32_t len = uint32_t(std::strlen(s));
        const char* c = cpio::canonical_name(s, len);
        return std::string(c, len);
    };
    CHECK(canon("./bin") == "bin");
    CHECK(canon(".") == "");
    CHECK(canon("//ab") == "ab");
    CHECK(canon("a/b") == "a/b");
}

TEST_CASE("initrd: placed page-aligned at the top of RAM, refused when it does not fit") {
    CHECK(place_initrd(128 << 20, 0x300000, 5000) == (128 << 20) - 8192);
    CHECK_THROWS_WITH_AS(place_initrd(16 << 20, 0x300000, 12 << 20), doctest::Contains("give more with -m"),
                         InitrdError);
    CHECK_THROWS_AS(place_initrd(16 << 20, 0x300000, ~0ull), InitrdError);
}

TEST_CASE("--rlimit: prlimit's syntax to the kernel's lstar.rlimit key") {
    CHECK(rlimit_cmdline_param("NOFILE=8") == "lstar.rlimit.nofile=8:8");
    CHECK(rlimit_cmdline_param("as=64M:1G") == "lstar.rlimit.as=67108864:1073741824");
    CHECK(rlimit_cmdline_param("RLIMIT_STACK=unlimited") == "lstar.rlimit.stack=unlimited:unlimited");
    CHECK_THROWS_AS(rlimit_cmdline_param("NOFILE=8:4"), std::invalid_argument);
    CHECK_THROWS_AS(rlimit_cmdline_param("FOO=1"), std::invalid_argument);
    CHECK_THROWS_AS(rlimit_cmdline_param("NOFILE"), std::invalid_argument);
    CHECK_THROWS_AS(rlimit_cmdline_param("AS=12X"), std::invalid_argument);
    CHECK_THROWS_AS(rlimit_cmdline_param("AS=-1"), std::invalid_argument);
}
