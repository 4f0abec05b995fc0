// printk: kernel log lines, one abi::LogEvent per line (always sent: the log is output, not a
// report). A small formatter: %s %c %d %u %x %p %%, the l/ll/z modifiers, a width with 0 padding.
#pragma once

namespace lstar::kernel {

inline constexpr unsigned kLogEmerg = 0, kLogErr = 3, kLogWarning = 4, kLogInfo = 6;

__attribute__((format(printf, 2, 3))) void printk(unsigned level, const char* fmt, ...);

#define pr_emerg(...) ::lstar::kernel::printk(::lstar::kernel::kLogEmerg, __VA_ARGS__)
#define pr_err(...) ::lstar::kernel::printk(::lstar::kernel::kLogErr, __VA_ARGS__)
#define pr_info(...) ::lstar::kernel::printk(::lstar::kernel::kLogInfo, __VA_ARGS__)

}  // namespace lstar::kernel
