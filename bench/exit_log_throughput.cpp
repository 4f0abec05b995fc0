// Exit-log throughput without KVM: encode made-up port-I/O and MMIO exit records with the code a
// run uses (run/exit_record.cpp) and write them through run/exit_log.cpp to a file.
//   exit_log_throughput FILE [RECORDS]
// prints "records=N seconds=S records_per_s=R bytes=B close_seconds=C": R counts encoding and
// write(2) as a run does them; the final flush and fsync() at close are C, once per run.
// cpu_records_per_s counts the same per second of this process's CPU time (user + system): on a
// shared machine, what the encoder does with a core to itself.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "run/exit_log.hpp"
#include "run/exit_record.hpp"

static double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: exit_log_throughput FILE [RECORDS]\n");
        return 2;
    }
    const uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
    lstar::VmExit io{lstar::exits::Io{}, {}};
    auto& p = std::get<lstar::exits::Io>(io.kind);
    p.port = 0xec8, p.size = 1, p.count = 1;
    lstar::VmExit mmio{lstar::exits::Mmio{}, {}};
    auto& m = std::get<lstar::exits::Mmio>(mmio.kind);
    m.gpa = 0x40000000, m.len = 1, m.write = true;
    io.cpu.regs.rip = mmio.cpu.regs.rip = 0xffffffff80200052ull;
    io.cpu.sregs.cs.selector = mmio.cpu.sregs.cs.selector = 0x10;
    uint64_t bytes = 0;
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    double s = 0, cpu = 0;
    {
        lstar::ExitLog log(argv[1]);
        for (uint64_t i = 0; i < n; ++i) {
            // Vary the fields a little, so that no encoding is a constant.
            p.value = i & 0xff;
            m.data = i;
            std::string r = lstar::exit_record(i + 1, i * 8000, (i & 7) ? io : mmio, "_start+0x51", "");
            bytes += r.size() + 1;
            log.write(r);
        }
        s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        cpu = cpu_seconds() - c0;
        if (!log.close()) {
            std::fprintf(stderr, "%s\n", log.error().c_str());
            return 1;
        }
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("records=%llu seconds=%.6f records_per_s=%.0f cpu_records_per_s=%.0f bytes=%llu close_seconds=%.6f\n",
                (unsigned long long)n, s, double(n) / s, double(n) / cpu, (unsigned long long)bytes, total - s);
    return 0;
}
