#include "devices/console_lines.hpp"

namespace lstar::devices {

void ConsoleLines::put(uint8_t c, std::string& out, std::vector<std::string>& lines) {
    if (cr_) {
        cr_ = false;
        if (c != '\n') {
            out += '\r';
            line_ += '\r';
        }
    }
    if (c == '\r') {
        cr_ = true;
        return;
    }
    out += char(c);
    if (c == '\n') {
        lines.push_back(std::move(line_));
        line_.clear();
        return;
    }
    line_ += char(c);
    if (line_.size() >= kLineMax) {
        lines.push_back(std::move(line_));
        line_.clear();
    }
}

void ConsoleLines::flush(std::string& out, std::vector<std::string>& lines) {
    if (cr_) out += '\r', line_ += '\r', cr_ = false;
    if (!line_.empty()) lines.push_back(std::move(line_));
    line_.clear();
}

}  // namespace lstar::devices
