// A serial console's bytes, for lstar's stdout and for the exit log: "\r\n" becomes "\n" (a lone
// "\r" stays), and every completed line is handed over without its terminator, for one `console`
// event per line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lstar::devices {

class ConsoleLines {
public:
    static constexpr size_t kLineMax = 1024;  // a longer line is cut into several records

    // Feed one byte: what stdout gets is appended to out, finished lines to lines.
    void put(uint8_t c, std::string& out, std::vector<std::string>& lines);
    // At the end of the run: a held "\r" (to out) and the unfinished line, if any (to lines).
    void flush(std::string& out, std::vector<std::string>& lines);

private:
    std::string line_;
    bool cr_ = false;  // a "\r" waits to see whether "\n" follows
};

}  // namespace lstar::devices
