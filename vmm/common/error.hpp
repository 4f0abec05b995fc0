// One way to fail: every error the monitor reports is an Error that carries lstar's exit status
// (common/exit_status.hpp, docs/exit-status.md) and the words that introduce it on stderr
// ("bad kernel image: ..."). Each layer throws its own kind; run_vm() (run/session.cpp) turns them
// into the process's status. Failures that are an ordinary answer are std::optional, not exceptions.
#pragma once
#include <stdexcept>
#include <string>

#include "common/exit_status.hpp"

namespace lstar {

class Error : public std::runtime_error {
public:
    Error(int status, std::string context, const std::string& what)
        : std::runtime_error(what), status_(status), context_(std::move(context)) {}
    int status() const { return status_; }
    // "bad kernel image: not an ELF file", or the message alone when there is no context.
    std::string message() const { return context_.empty() ? what() : context_ + ": " + what(); }

private:
    int status_;
    std::string context_;
};

// The command line asks for something impossible (exit status 64).
struct UsageError : Error {
    explicit UsageError(const std::string& what) : Error(status::kUsage, "", what) {}
};

// The kernel image (or a module, or the initrd) cannot be booted (65).
struct BadImage : Error {
    explicit BadImage(const std::string& what, std::string context = "bad kernel image")
        : Error(status::kBadImage, std::move(context), what) {}
};

// A file lstar writes (the exit log, the timeline) cannot be created or written (74).
struct IoError : Error {
    explicit IoError(const std::string& what) : Error(status::kIoError, "", what) {}
};

}  // namespace lstar
