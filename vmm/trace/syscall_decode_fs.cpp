// strace 6.1's words for mount, umount2, renameat2, statfs, utimensat, poll and select, socket and
// clock_nanosleep's flags. Checked against strace on the host (tests/unit/test_syscall_decode_proc.cpp).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <vector>

#include "common/hex.hpp"
#include "linux_uapi.hpp"
#include "trace/syscall_decode.hpp"
#include "trace/syscall_decode_util.hpp"

namespace lstar::trace {

using namespace lstar::uapi;
using decode::address;
using decode::bit_names;
using decode::read_words;

namespace {

constexpr uint64_t kNotPaths = MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

// The flags without the old magic number some callers still put in the high half.
uint64_t mount_bits(uint64_t f) { return (f & MS_MGC_MSK) == MS_MGC_VAL ? f & ~MS_MGC_MSK : f; }

}  // namespace

std::string mount_flags(uint64_t f) {
    const bool magic = (f & MS_MGC_MSK) == MS_MGC_VAL;
    return bit_names(mount_bits(f),
                     {{MS_RDONLY, "MS_RDONLY"}, {MS_NOSUID, "MS_NOSUID"}, {MS_NODEV, "MS_NODEV"},
                      {MS_NOEXEC, "MS_NOEXEC"}, {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"}, {MS_REMOUNT, "MS_REMOUNT"},
                      {MS_MANDLOCK, "MS_MANDLOCK"}, {MS_DIRSYNC, "MS_DIRSYNC"}, {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
                      {MS_NOATIME, "MS_NOATIME"}, {MS_NODIRATIME, "MS_NODIRATIME"}, {MS_BIND, "MS_BIND"},
                      {MS_MOVE, "MS_MOVE"}, {MS_REC, "MS_REC"}, {MS_SILENT, "MS_SILENT"}, {MS_POSIXACL, "MS_POSIXACL"},
                      {MS_UNBINDABLE, "MS_UNBINDABLE"}, {MS_PRIVATE, "MS_PRIVATE"}, {MS_SLAVE, "MS_SLAVE"},
                      {MS_SHARED, "MS_SHARED"}, {MS_RELATIME, "MS_RELATIME"}, {MS_KERNMOUNT, "MS_KERNMOUNT"},
                      {MS_I_VERSION, "MS_I_VERSION"}, {MS_STRICTATIME, "MS_STRICTATIME"},
                      {MS_LAZYTIME, "MS_LAZYTIME"}, {MS_SUBMOUNT, "MS_SUBMOUNT"},
                      {MS_NOREMOTELOCK, "MS_NOREMOTELOCK"}, {MS_NOSEC, "MS_NOSEC"}, {MS_BORN, "MS_BORN"},
                      {MS_ACTIVE, "MS_ACTIVE"}, {MS_NOUSER, "MS_NOUSER"}},
                     magic ? "MS_MGC_VAL" : "", "MS_???");
}

bool mount_fstype_is_string(uint64_t f) { return !(mount_bits(f) & (MS_REMOUNT | kNotPaths)); }

bool mount_data_is_string(uint64_t f) { return !(mount_bits(f) & kNotPaths); }

std::string umount_flags(uint64_t f) {
    return bit_names(f & 0xffffffff, {{MNT_FORCE, "MNT_FORCE"}, {MNT_DETACH, "MNT_DETACH"}, {MNT_EXPIRE, "MNT_EXPIRE"},
                                      {UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"}},
                     "", "MNT_???");
}

std::string rename_flags(uint64_t f) {
    using namespace rename_flags;
    return bit_names(f & 0xffffffff, {{NOREPLACE, "RENAME_NOREPLACE"}, {EXCHANGE, "RENAME_EXCHANGE"},
                                      {WHITEOUT, "RENAME_WHITEOUT"}},
                     "", "RENAME_???");
}

std::string access_mode(uint64_t m) {
    constexpr uint64_t kR = 4, kW = 2, kX = 1;  // R_OK, W_OK, X_OK; F_OK is 0
    if ((m & 0xffffffff) == 0) return "F_OK";
    return bit_names(m & 0xffffffff, {{kR, "R_OK"}, {kW, "W_OK"}, {kX, "X_OK"}}, "", "?_OK");
}

std::string timer_flags(uint64_t f) {
    return bit_names(f & 0xffffffff, {{timer_flags::ABSTIME, "TIMER_ABSTIME"}}, "", "TIMER_???");
}

std::string statfs_at(const MemReader& read, uint64_t va) {
    // struct statfs (x86-64): longs, but f_fsid is two ints (at 56).
    uint64_t w[11];
    if (!va || !read_words(read, va, w, 11)) return address(va);
    static constexpr decode::Bit magics[] = {
        {0xef53, "EXT2_SUPER_MAGIC"},      {0x9fa0, "PROC_SUPER_MAGIC"},      {0x01021994, "TMPFS_MAGIC"},
        {0x62656572, "SYSFS_MAGIC"},       {0x858458f6, "RAMFS_MAGIC"},       {0x1cd1, "DEVPTS_SUPER_MAGIC"},
        {0x63677270, "CGROUP2_SUPER_MAGIC"}, {0x27e0eb, "CGROUP_SUPER_MAGIC"}, {0x64626720, "DEBUGFS_MAGIC"},
        {0x74726163, "TRACEFS_MAGIC"},     {0x73636673, "SECURITYFS_MAGIC"},  {0x73717368, "SQUASHFS_MAGIC"},
        {0x9123683e, "BTRFS_SUPER_MAGIC"}, {0x58465342, "XFS_SUPER_MAGIC"},   {0x01021997, "V9FS_MAGIC"},
        {0x794c7630, "OVERLAYFS_SUPER_MAGIC"}, {0x6969, "NFS_SUPER_MAGIC"},   {0x4d44, "MSDOS_SUPER_MAGIC"},
        {0x9660, "ISOFS_SUPER_MAGIC"},     {0x65735546, "FUSE_SUPER_MAGIC"},  {0xcafe4a11, "BPF_FS_MAGIC"},
        {0x958458f6, "HUGETLBFS_MAGIC"},   {0x19800202, "MQUEUE_MAGIC"},      {0x6165676c, "PSTOREFS_MAGIC"},
        {0x42494e4d, "BINFMTFS_MAGIC"},    {0x28cd3d45, "CRAMFS_MAGIC"},
    };
    std::string type = hex(w[0]);
    for (const auto& m : magics)
        if (m.value == w[0]) type = m.name;
    auto u = [](uint64_t v) { return std::to_string(v); };
    auto fsid = [](uint64_t v) { return v ? hex(v) : std::string("0"); };
    const std::string flags = bit_names(w[10], {{ST_RDONLY, "ST_RDONLY"}, {ST_NOSUID, "ST_NOSUID"}, {ST_NODEV, "ST_NODEV"},
                                                {ST_NOEXEC, "ST_NOEXEC"}, {ST_SYNCHRONOUS, "ST_SYNCHRONOUS"},
                                                {ST_VALID, "ST_VALID"}, {ST_MANDLOCK, "ST_MANDLOCK"},
                                                {ST_NOATIME, "ST_NOATIME"}, {ST_NODIRATIME, "ST_NODIRATIME"},
                                                {ST_RELATIME, "ST_RELATIME"}, {ST_NOSYMFOLLOW, "ST_NOSYMFOLLOW"}},
                                        "", "ST_???");
    return "{f_type=" + type + ", f_bsize=" + u(w[1]) + ", f_blocks=" + u(w[2]) + ", f_bfree=" + u(w[3]) +
           ", f_bavail=" + u(w[4]) + ", f_files=" + u(w[5]) + ", f_ffree=" + u(w[6]) + ", f_fsid={val=[" +
           fsid(w[7] & 0xffffffff) + ", " + fsid(w[7] >> 32) + "]}, f_namelen=" + u(w[8]) + ", f_frsize=" + u(w[9]) +
           ", f_flags=" + flags + "}";
}

std::string utimens_at(const MemReader& read, uint64_t va) {
    uint64_t w[4];
    if (!va || !read_words(read, va, w, 4)) return address(va);
    auto one = [](int64_t sec, int64_t nsec) -> std::string {
        if (nsec == UTIME_NOW) return "UTIME_NOW";
        if (nsec == UTIME_OMIT) return "UTIME_OMIT";
        std::string s = "{tv_sec=" + std::to_string(sec) + ", tv_nsec=" + std::to_string(nsec) + "}";
        // strace's comment: the time in ISO 8601 (in UTC here: the guest's zone is not known).
        std::tm tm{};
        const time_t t = time_t(sec);
        if (nsec < 0 || nsec >= 1000000000 || !gmtime_r(&t, &tm)) return s;
        char b[64];
        if (!std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm)) return s;
        char frac[24];
        std::snprintf(frac, sizeof frac, ".%09lld+0000", (long long)nsec);
        return s + " /* " + b + frac + " */";
    };
    return "[" + one(int64_t(w[0]), int64_t(w[1])) + ", " + one(int64_t(w[2]), int64_t(w[3])) + "]";
}

std::string timeval_at(const MemReader& read, uint64_t va) {
    uint64_t w[2];
    if (!va || !read_words(read, va, w, 2)) return address(va);
    return "{tv_sec=" + std::to_string(int64_t(w[0])) + ", tv_usec=" + std::to_string(int64_t(w[1])) + "}";
}

namespace {

constexpr uint64_t kArrayMax = 32;  // elements shown of an array, as strace -s 32

std::string poll_events(uint64_t e) {
    return bit_names(e & 0xffff, {{POLLIN, "POLLIN"}, {POLLPRI, "POLLPRI"}, {POLLOUT, "POLLOUT"}, {POLLERR, "POLLERR"},
                                  {POLLHUP, "POLLHUP"}, {POLLNVAL, "POLLNVAL"}, {POLLRDNORM, "POLLRDNORM"},
                                  {POLLRDBAND, "POLLRDBAND"}, {POLLWRNORM, "POLLWRNORM"}, {POLLWRBAND, "POLLWRBAND"},
                                  {POLLMSG, "POLLMSG"}, {POLLREMOVE, "POLLREMOVE"}, {POLLRDHUP, "POLLRDHUP"}},
                     "", "POLL???");
}

// struct pollfd: int fd, short events, short revents; one 64-bit word each.
bool read_pollfds(const MemReader& read, uint64_t va, uint64_t n, uint64_t* w) {
    return va && read_words(read, va, w, size_t(std::min(n, kArrayMax)));
}

}  // namespace

std::string pollfds_at(const MemReader& read, uint64_t va, uint64_t n) {
    uint64_t w[kArrayMax];
    if (!read_pollfds(read, va, n, w)) return address(va);
    std::string s = "[";
    for (uint64_t i = 0; i < std::min(n, kArrayMax); ++i) {
        const auto fd = int32_t(w[i]);
        s += (i ? ", {fd=" : "{fd=") + std::to_string(fd);
        s += fd < 0 ? "}" : ", events=" + poll_events(w[i] >> 32) + "}";
    }
    return s + (n > kArrayMax ? ", ...]" : "]");
}

std::string poll_note(const MemReader& read, uint64_t va, uint64_t n, int64_t ret) {
    if (ret == 0) return "Timeout";
    uint64_t w[kArrayMax];
    if (ret < 0 || !read_pollfds(read, va, n, w)) return "";
    std::string s = "[";
    int64_t shown = 0;
    for (uint64_t i = 0; i < std::min(n, kArrayMax) && shown < ret; ++i) {
        if (!(w[i] >> 48)) continue;
        s += (shown++ ? ", {fd=" : "{fd=") + std::to_string(int32_t(w[i])) + ", revents=" + poll_events(w[i] >> 48) + "}";
    }
    return s + "]";
}

namespace {

constexpr uint64_t kFdSetMax = 1024;  // FD_SETSIZE: the bits read of a set

// The fds set in the fd_set at va, at most `limit` of them; nullopt when unreadable.
std::optional<std::vector<int>> fds_in_set(const MemReader& read, uint64_t va, uint64_t nfds, int64_t limit) {
    nfds = std::min(nfds & 0xffffffff, kFdSetMax);
    uint64_t w[kFdSetMax / 64];
    const size_t words = size_t((nfds + 63) / 64);
    if (!va || (words && !read_words(read, va, w, words))) return std::nullopt;
    std::vector<int> fds;
    for (uint64_t fd = 0; fd < nfds && int64_t(fds.size()) < limit; ++fd)
        if (w[fd / 64] & (1ull << (fd % 64))) fds.push_back(int(fd));
    return fds;
}

std::string fd_list(const std::vector<int>& fds) {
    std::string s = "[";
    for (size_t i = 0; i < fds.size(); ++i) s += (i ? " " : "") + std::to_string(fds[i]);
    return s + "]";
}

}  // namespace

std::string fd_set_at(const MemReader& read, uint64_t va, uint64_t nfds) {
    auto fds = fds_in_set(read, va, nfds, int64_t(kFdSetMax));
    return fds ? fd_list(*fds) : address(va);
}

std::string select_note(const MemReader& read, const uint64_t* a, int64_t ret, bool timespec) {
    if (ret == 0) return "Timeout";
    // The sets as the call left them: the ready fds, as many as it counted.
    std::string s;
    int64_t left = ret;
    static const char* const names[] = {"in", "out", "except"};
    for (int i = 0; i < 3 && left > 0; ++i) {
        auto fds = fds_in_set(read, a[1 + i], a[0], left);
        if (!fds || fds->empty()) continue;
        s += (s.empty() ? "" : ", ") + std::string(names[i]) + " " + fd_list(*fds);
        left -= int64_t(fds->size());
    }
    if (a[4]) s += (s.empty() ? "left " : ", left ") + (timespec ? timespec_at(read, a[4]) : timeval_at(read, a[4]));
    return s;
}

std::string pselect_sigmask_at(const MemReader& read, uint64_t va) {
    uint64_t w[2];  // { const sigset_t *ss; size_t ss_len; }
    if (!va || !read_words(read, va, w, 2)) return address(va);
    return "{sigmask=" + sigset_at(read, w[0]) + ", sigsetsize=" + std::to_string(w[1]) + "}";
}

std::string socket_args(const uint64_t* a) {
    static const char* const domains[] = {
        "AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
        "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY",
        "AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA", "AF_PPPOX",
        "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC",
        "AF_ISDN", "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC", "AF_VSOCK", "AF_KCM",
        "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP"};
    static const char* const types[] = {nullptr, "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM",
                                        "SOCK_SEQPACKET", "SOCK_DCCP", nullptr, nullptr, nullptr, "SOCK_PACKET"};
    const uint64_t domain = a[0] & 0xffffffff, type = a[1] & 0xffffffff, proto = a[2] & 0xffffffff;
    std::string s = decode::enum_name(domain, domains, std::size(domains), "AF_???") + ", ";
    const uint64_t base = type & SOCK_TYPE_MASK;
    const bool named = base < std::size(types) && types[base];
    s += bit_names(named ? type & ~SOCK_TYPE_MASK : type, {{SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}},
                   named ? types[base] : "", "SOCK_???");
    s += ", ";
    if (domain == AF_INET || domain == AF_INET6) {
        static constexpr decode::Bit protos[] = {
            {0, "IPPROTO_IP"},    {1, "IPPROTO_ICMP"},     {2, "IPPROTO_IGMP"},  {6, "IPPROTO_TCP"},
            {17, "IPPROTO_UDP"},  {41, "IPPROTO_IPV6"},    {58, "IPPROTO_ICMPV6"}, {132, "IPPROTO_SCTP"},
            {136, "IPPROTO_UDPLITE"}, {255, "IPPROTO_RAW"}, {262, "IPPROTO_MPTCP"}};
        for (const auto& p : protos)
            if (p.value == proto) return s + p.name;
        return s + hex(proto) + " /* IPPROTO_??? */";
    }
    if (domain == AF_NETLINK) {
        static const char* const families[] = {
            "NETLINK_ROUTE", "NETLINK_UNUSED", "NETLINK_USERSOCK", "NETLINK_FIREWALL", "NETLINK_SOCK_DIAG",
            "NETLINK_NFLOG", "NETLINK_XFRM", "NETLINK_SELINUX", "NETLINK_ISCSI", "NETLINK_AUDIT",
            "NETLINK_FIB_LOOKUP", "NETLINK_CONNECTOR", "NETLINK_NETFILTER", "NETLINK_IP6_FW", "NETLINK_DNRTMSG",
            "NETLINK_KOBJECT_UEVENT", "NETLINK_GENERIC", nullptr, "NETLINK_SCSITRANSPORT", "NETLINK_ECRYPTFS",
            "NETLINK_RDMA", "NETLINK_CRYPTO", "NETLINK_SMC"};
        return s + decode::enum_name(proto, families, std::size(families), "NETLINK_???");
    }
    if (domain == AF_PACKET) {  // an Ethernet protocol number in network byte order
        const uint64_t eth = ((proto & 0xff) << 8) | ((proto >> 8) & 0xff);
        static constexpr decode::Bit eths[] = {{3, "ETH_P_ALL"}, {0x0800, "ETH_P_IP"}, {0x0806, "ETH_P_ARP"},
                                               {0x86dd, "ETH_P_IPV6"}};
        for (const auto& e : eths)
            if (e.value == eth && proto <= 0xffff) return s + "htons(" + e.name + ")";
    }
    return s + std::to_string(int32_t(proto));
}

}  // namespace lstar::trace
