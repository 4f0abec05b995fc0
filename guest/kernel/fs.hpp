// Open files (compare Linux's struct file and fdtable): the console, and read-only files and
// directories of the initramfs. A descriptor points at an open file description, which dup and
// fcntl(F_DUPFD) share: one offset, one set of status flags, as Linux.
#pragma once
#include <cstdint>

namespace lstar::kernel {

enum class FileKind : uint8_t { None, Console, Regular, Directory };

struct File {
    FileKind kind;
    uint32_t node;   // initrd_nodes index (Regular, Directory); Console: the abi::ConsoleStream writes go to
    uint64_t pos;    // Regular: byte offset; Directory: getdents64's cursor
    uint32_t flags;  // the open flags F_GETFL reports (access mode, O_APPEND, O_NONBLOCK, ...)
    uint32_t refs;   // descriptors that point here; 0: a free slot
};

struct FdEntry {
    File* file;  // nullptr: not open
    bool cloexec;
};

inline constexpr unsigned kMaxFds = 256;  // the table's size; RLIMIT_NOFILE may lower it
extern FdEntry fd_table[kMaxFds];

// The descriptor table (file.cpp).
void files_init();         // fds 0, 1, 2: the console (lstar's stdin, stdout, stderr)
void close_on_exec();      // execve: close O_CLOEXEC fds
bool fd_is_console(unsigned long fd);
File* get_file(unsigned long fd);  // nullptr for a descriptor that is not open
// A new open file at the lowest free descriptor, or -EMFILE (-ENFILE when no description is free).
long alloc_fd(FileKind kind, uint32_t node, uint32_t flags);
long close_fd(unsigned long fd);  // -EBADF when not open
long dup_to(unsigned long oldfd, unsigned long newfd, bool cloexec);   // dup2's work
long dup_from(unsigned long oldfd, unsigned long from, bool cloexec);  // F_DUPFD's work
long file_node(const File& f);     // the node index, kConsoleNode for the console
// The initramfs file at fd: its bytes, for mmap; -EBADF or -EINVAL for anything else.
long file_for_mmap(unsigned long fd, const unsigned char*& data, uint64_t& size);

// The *at() calls' and open's flags (Linux's uapi fcntl.h values).
inline constexpr long kAtFdcwd = -100;
inline constexpr unsigned long kAtSymlinkNofollow = 0x100, kAtEmptyPath = 0x1000;
inline constexpr unsigned long kOAccmode = 3, kOCreat = 0100, kOTrunc = 01000, kODirectory = 0200000,
                               kONofollow = 0400000, kOCloexec = 02000000, kOAppend = 02000,
                               kONonblock = 04000,
                               kOLargefile = 0100000;

inline constexpr unsigned kPathMax = 512;  // our PATH_MAX: longer paths get -ENAMETOOLONG

// The working directory (Linux's fs->pwd), canonical as an initrd name: "" is "/", "bin" is /bin.
extern char cwd_path[kPathMax];
extern uint32_t cwd_len;

// Resolve a user path (relative to dirfd, or AT_FDCWD = the working directory) to a canonical initrd path in
// out[kPathMax], following a final symbolic link when follow is set. Returns the node index,
// -ENOENT (with `out` filled: the path that was not found), or another negative errno.
// kConsoleNode: /dev/console, which exists whether or not the initrd has it.
inline constexpr int kConsoleNode = 1 << 20;
long resolve_user_path(long dirfd, uint64_t upath, bool follow, char* out, uint32_t& len);
long resolve_path(long dirfd, const char* path, bool follow, char* out, uint32_t& len);

inline bool is_type(uint32_t mode, uint32_t type) { return (mode & 0170000) == type; }  // S_IFMT

}  // namespace lstar::kernel
