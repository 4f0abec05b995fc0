// libFuzzer target: the command line's value conversions (vmm/cli/args.cpp). The input is one
// option value; each conversion either returns a value in its documented range or throws
// UsageError (whose text names the option): any other exception, a crash or a sanitizer report is
// a bug, as is a value outside the range.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/args.hpp"

using namespace lstar::cli;

namespace {
template <class F>
void only_usage_errors(F f) {
    try {
        f();
    } catch (const UsageError& e) {
        if (std::string(e.what()).empty()) abort();
    }  // anything else escapes and libFuzzer reports it
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    only_usage_errors([&] {
        uint64_t mib = parse_mib(text, "-m", 16, 1 << 16);
        if (mib < 16 || mib > (1 << 16)) abort();
    });
    only_usage_errors([&] {
        double s = parse_seconds(text, "--timeout");
        if (!(s > 0) || s > kMaxSeconds) abort();
    });
    only_usage_errors([&] { (void)parse_u64(text, "--smp", "CPUs"); });
    only_usage_errors([&] { check_member(text, {"direct", "pti", "pti-pcid"}, "--entry", "an entry mode"); });
    return 0;
}
