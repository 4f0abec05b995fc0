// printk (compare Linux's kernel/printk/ and lib/vsprintf.c, much reduced). Text collects in the
// LogEvent record itself; each '\n' (or a full record) sends it.
#include "printk.hpp"

#include <cstdarg>

#include "events.hpp"

namespace lstar::kernel {

namespace {

struct LineWriter {
    unsigned level;
    abi::LogEvent* ev = nullptr;

    void flush() {
        if (!ev) return;
        if (lstar_monitor) {
            event_send();
        } else {  // on COM1, with the level as the raw kernel log writes it ("<6>..."), so that
                  // a reader can tell kernel lines from the program's output
            char prefix[3] = {'<', char('0' + level), '>'};
            serial_write(prefix, 3);
            serial_write(ev->text, ev->len);
            serial_write("\n", 1);
        }
        ev = nullptr;
    }
    void put(char c) {
        if (c == '\n') {
            // An empty line is still a line.
            if (!ev) start();
            flush();
            return;
        }
        if (!ev) start();
        ev->text[ev->len++] = c;
        if (ev->len == abi::kLogMax - 1) flush();  // keep a NUL at the end
    }
    void start() {
        ev = event_prepare<abi::LogEvent>(abi::EventType::Log);
        ev->level = level;
    }
};

void put_number(LineWriter& w, unsigned long long v, unsigned base, bool negative, unsigned width, char pad) {
    char tmp[24];
    unsigned n = 0;
    do {
        unsigned d = unsigned(v % base);
        tmp[n++] = char(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (negative) tmp[n++] = '-';
    while (width > n) w.put(pad), width--;
    while (n) w.put(tmp[--n]);
}

}  // namespace

void printk(unsigned level, const char* fmt, ...) {
    LineWriter w{level};
    va_list ap;
    va_start(ap, fmt);
    for (const char* p = fmt; *p; p++) {
        if (*p != '%') {
            w.put(*p);
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0, longs = 0;
        if (*p == '0') pad = '0', p++;
        while (*p >= '0' && *p <= '9') width = width * 10 + unsigned(*p++ - '0');
        while (*p == 'l' || *p == 'z') longs++, p++;
        switch (*p) {
        case 's': {
            const char* s = va_arg(ap, const char*);
            for (s = s ? s : "(null)"; *s; s++) w.put(*s);
            break;
        }
        case 'c':
            w.put(char(va_arg(ap, int)));
            break;
        case 'd': {
            long long v = longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(w, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_number(w, v, *p == 'x' ? 16 : 10, false, width, pad);
            break;
        }
        case 'p':  // as Linux's %px: the raw address, 16 hex digits
            put_number(w, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), 16, false, 16, '0');
            break;
        case '%':
            w.put('%');
            break;
        case '\0':
            p--;  // a lone '%' at the end
            break;
        default:
            w.put('%');
            w.put(*p);
        }
    }
    va_end(ap);
    w.flush();
}

}  // namespace lstar::kernel
