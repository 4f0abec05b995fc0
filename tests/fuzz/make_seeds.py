#!/usr/bin/env python3
"""Write the seed corpora in tests/fuzz/corpus/<target>/ (committed; run again after an ABI change).

    tests/fuzz/make_seeds.py            # rewrite the committed seeds
    tests/fuzz/make_seeds.py --elf DIR  # also copy real ELFs (the built guest kernel and user
                                        # programs, if built) into DIR: scripts/fuzz does this at run
                                        # time, so the 150 KiB kernel is never committed

Layouts follow the targets: fuzz_guest_event.cpp (u64 gpa selector + 4 KiB RAM), fuzz_page_walk.cpp
(35-byte header + 64 KiB RAM), fuzz_elf.cpp (a whole ELF file).
"""
import argparse
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- guest events (shared/event_abi.hpp) ---------------------------------------------------------
MAGIC = 0x5645534C


def hdr(t, size):
    return struct.pack("<IHH", MAGIC, t, size)


def event_seeds():
    at = 0x100
    recs = {
        "syscall_enter": hdr(1, 136) + struct.pack("<15Q2I", 1, 1, 0x401000, 5, 0, 0, 0, 0x400020, 0x202,
                                                   0x7ffff000, 0xffffc90000003f58, 0xffffffff80210000,
                                                   0xffffffff80201000, 0xffffffff80201000, 0x1000, 0, 1),
        "syscall_exit": hdr(2, 72) + struct.pack("<6Q2HI", 1, 5, 0x400020, 0x202, 0x7ffff000, 0x1000, 0x33, 0x2B, 0),
        "exception": hdr(3, 104) + struct.pack("<9Q4I", 14, 6, 0x400010, 0x33, 0x10202, 0x7ffff000, 0x2B, 0,
                                               0x1000, 1, 0, 11, 0),
        "console_write": hdr(4, 32) + struct.pack("<3Q", 1, 0x401000, 5),
        "user_enter": hdr(5, 80) + struct.pack("<4Q2HI", 0x400000, 0x7ffff000, 0x202, 0x1000, 0x33, 0x2B, 0)
                      + b"hello".ljust(32, b"\0"),
        "log": hdr(6, 256) + struct.pack("<2I", 15, 6) + b"lstar: booted.\n".ljust(240, b"\0"),
        "shutdown": hdr(7, 48) + struct.pack("<5Q", 0, 3, 0, 3, 0),
    }
    for name, rec in recs.items():
        ram = bytearray(at) + rec
        write("fuzz_guest_event", name, struct.pack("<Q", at) + bytes(ram))
    # A record that runs past the end of RAM, and one far outside it.
    write("fuzz_guest_event", "past_end", struct.pack("<Q", 4096 - 8) + bytes(4096 - 8) + hdr(1, 136))
    write("fuzz_guest_event", "outside", struct.pack("<Q", 0xFFFFFFFFFFFFFFFE) + hdr(7, 48))


# --- page tables (shared/x86/paging.hpp) ---------------------------------------------------------
P, W, U, PS, NX = 1, 2, 4, 0x80, 1 << 63


def walk_seed(name, cr3, va, length, flags, lo, hi, tables, ram_len):
    ram = bytearray(ram_len)
    for gpa, entries in tables.items():
        for index, entry in entries.items():
            struct.pack_into("<Q", ram, gpa + 8 * index, entry)
    ram[0x800:0x800 + 14] = b"hello, world\n\0"  # page 0 holds no table in these seeds but self_map
    header = struct.pack("<QQHBQQ", cr3, va, length, flags, lo, hi)
    assert len(header) == 35
    write("fuzz_page_walk", name, header + bytes(ram))


def walk_seeds():
    # Four separate levels: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 -> pages 0..15.
    four = {
        0x1000: {0: 0x2000 | P | W | U, 511: 0x2000 | P | W},
        0x2000: {0: 0x3000 | P | W | U, 510: 0x3000 | P | W},
        0x3000: {0: 0x4000 | P | W | U, 1: 0 | P | W | PS},
        0x4000: {i: (i * 0x1000) | P | (W if i % 2 else 0) | (U if i < 12 else 0) | (NX if i == 3 else 0)
                 for i in range(16)},
    }
    walk_seed("four_levels", 0x1000, 0x800, 64, 1, 0, 1 << 48, four, 0x4080)
    walk_seed("four_levels_kernel", 0x1000 | 0x5, 0xFFFFFFFF80000000, 4096, 0, 0xFFFF800000000000,
              0xFFFFFFFFFFFFFFFF, four, 0x4080)
    # A 1 GiB page and a 2 MiB page, with PAT bits in the large-page entries.
    large = {0x1000: {0: 0x2000 | P | W}, 0x2000: {0: 0 | P | W | PS | 0x1000, 1: 0x3000 | P},
             0x3000: {0: 0 | P | PS | 0x1000}}
    walk_seed("large_pages", 0x1000, 0x800, 32, 0, 0, 1 << 31, large, 0x3008)
    # One page that is its own PML4, PDPT, PD and PT (a loop mapped_ranges must bound).
    walk_seed("self_map", 0, 0, 4096, 0, 0, 1 << 47, {0: {0: P | W | U, 1: 0x1000 | P}}, 0x1000)


# --- ELF ----------------------------------------------------------------------------------------
def elf_seed():
    """A small ET_EXEC with a text and a data segment, a PT_NOTE, .symtab and .strtab."""
    text = bytes([0xF4, 0xEB, 0xFD]).ljust(16, b"\x90")  # hlt; jmp .-1
    data = b"lstar".ljust(16, b"\0")
    note = struct.pack("<III", 6, 4, 0x12) + b"lstar\0\0\0" + struct.pack("<I", 1)
    strtab = b"\0_start\0counter\0"
    syms = bytes(24)  # null symbol
    syms += struct.pack("<IBBHQQ", 1, 0x12, 0, 1, 0xFFFFFFFF80200000, 16)   # _start: GLOBAL FUNC
    syms += struct.pack("<IBBHQQ", 8, 0x11, 0, 2, 0xFFFFFFFF80201000, 8)    # counter: GLOBAL OBJECT
    shstrtab = b"\0.text\0.data\0.symtab\0.strtab\0.shstrtab\0"

    ehsize, phsize, shsize = 64, 56, 64
    phnum, shnum = 3, 6
    off = ehsize + phnum * phsize
    layout = {}
    blob = bytearray()
    for name, content, align in [("text", text, 16), ("data", data, 16), ("note", note, 4),
                                 ("symtab", syms, 8), ("strtab", strtab, 1), ("shstrtab", shstrtab, 1)]:
        while (off + len(blob)) % align:
            blob.append(0)
        layout[name] = off + len(blob)
        blob += content
    while (off + len(blob)) % 8:
        blob.append(0)
    shoff = off + len(blob)

    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0xFFFFFFFF80200000, ehsize, shoff, 0, ehsize, phsize, phnum,
                      shsize, shnum, 5)
    ph = struct.pack("<IIQQQQQQ", 1, 5, layout["text"], 0xFFFFFFFF80200000, 0x200000, len(text), len(text), 0x1000)
    ph += struct.pack("<IIQQQQQQ", 1, 6, layout["data"], 0xFFFFFFFF80201000, 0x201000, len(data), 0x100, 0x1000)
    ph += struct.pack("<IIQQQQQQ", 4, 4, layout["note"], 0, 0, len(note), len(note), 4)

    def sh(name, typ, flags, addr, offset, size, link, info, align, entsize):
        return struct.pack("<IIQQQQIIQQ", name, typ, flags, addr, offset, size, link, info, align, entsize)
    shs = bytes(64)
    shs += sh(1, 1, 6, 0xFFFFFFFF80200000, layout["text"], len(text), 0, 0, 16, 0)
    shs += sh(7, 1, 3, 0xFFFFFFFF80201000, layout["data"], len(data), 0, 0, 16, 0)
    shs += sh(13, 2, 0, 0, layout["symtab"], len(syms), 4, 1, 8, 24)
    shs += sh(21, 3, 0, 0, layout["strtab"], len(strtab), 0, 0, 1, 0)
    shs += sh(29, 3, 0, 0, layout["shstrtab"], len(shstrtab), 0, 0, 1, 0)
    image = eh + ph + bytes(blob) + shs
    write("fuzz_elf", "small_kernel", image)
    # The same image stripped of its section headers, and cut short in the program headers.
    stripped = bytearray(image[:shoff])
    struct.pack_into("<HHH", stripped, 0x3A, 64, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    struct.pack_into("<Q", stripped, 0x28, 0)            # e_shoff
    write("fuzz_elf", "small_kernel_stripped", bytes(stripped))
    write("fuzz_elf", "truncated_phdrs", image[:ehsize + phsize + 20])


# --- boot images (shared/multiboot.hpp, shared/pvh.hpp) ------------------------------------------
MB_MAGIC = 0x1BADB002


def mb_header(flags, fields=()):
    return struct.pack("<3I", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF) + struct.pack(f"<{len(fields)}I", *fields)


def boot_image_seeds():
    # A flat multiboot image by the header's address fields: header at 0x100010, loaded at 1 MiB.
    flat = bytearray(0x200)
    flat[0x10:0x10 + 32] = mb_header(0x10003, (0x100010, 0x100000, 0x100200, 0x101000, 0x100040))
    write("fuzz_boot_image", "multiboot_flat", bytes(flat))
    write("fuzz_boot_image", "multiboot_header_only", b"\0" * 0x40 + mb_header(0x3))
    bad = bytearray(b"\0" * 0x40 + mb_header(0x3))
    bad[0x48] ^= 1  # checksum off by one
    write("fuzz_boot_image", "multiboot_bad_checksum", bytes(bad))
    write("fuzz_boot_image", "multiboot_unknown_flag", mb_header(0x10))
    # The committed foreign test kernels, when built (ELF32 multiboot, ELF32 PVH, ELF64 multiboot).
    for n in ["mb_hello.elf", "pvh_hello.elf", "mb_hello64.elf"]:
        for build in ["build", "build-i6"]:
            src = os.path.join(ROOT, build, "tests", "guests", n)
            if os.path.isfile(src):
                with open(src, "rb") as f:
                    write("fuzz_boot_image", n.replace(".", "_"), f.read())
                break


def copy_real_elves(dest):
    os.makedirs(dest, exist_ok=True)
    guest = os.path.join(ROOT, "build", "guest")
    names = ["kernel.elf", "hello", "getpid", "nosys", "ud2", "pagefault", "gp", "spin"]
    copied = 0
    for n in names:
        src = os.path.join(guest, n)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(dest, "real_" + n.replace(".", "_")))
            copied += 1
    return copied


# --- cpio newc (shared/cpio_newc.hpp) ------------------------------------------------------------
def newc_entry(offset, name, mode, data=b"", align=4, magic=b"070701", ino=1):
    namesize = len(name) + 1
    data_at = (offset + 110 + namesize + align - 1) // align * align
    namesize = data_at - offset - 110
    fields = [ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data), 0, 0, 0, 0, namesize, 0]
    h = magic + b"".join(b"%08X" % f for f in fields)
    e = h + name.ljust(namesize, b"\0") + data
    return e + b"\0" * (-len(e) % 4)


def newc_archive(entries):
    out = b""
    for name, mode, data, align in entries:
        out += newc_entry(len(out), name, mode, data, align)
    return out + newc_entry(len(out), b"TRAILER!!!", 0)


def cpio_seeds():
    files = [(b"bin", 0o040755, b"", 4), (b"bin/hello", 0o100755, b"\x7fELF" + b"x" * 60, 4096),
             (b"etc/motd", 0o100644, b"hello from the initrd\n", 4096), (b"bin/sh", 0o120777, b"hello", 4)]
    packed = newc_archive(files)
    write("fuzz_cpio", "packed_aligned", packed)
    write("fuzz_cpio", "find_dot", newc_archive([(b".", 0o040755, b"", 4), (b"./a", 0o100644, b"abc", 4)]))
    write("fuzz_cpio", "truncated", packed[:200])
    write("fuzz_cpio", "trailer_only", newc_entry(0, b"TRAILER!!!", 0))
    write("fuzz_cpio", "crc_magic", newc_entry(0, b"x", 0o100644, b"1234", 4, b"070702") + newc_entry(116, b"TRAILER!!!", 0))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elf", metavar="DIR", help="copy the built guest ELFs (build/guest) into DIR")
    args = ap.parse_args()
    if args.elf:
        print(f"make_seeds: {copy_real_elves(args.elf)} real ELF seeds from build/guest")
    else:
        event_seeds()
        walk_seeds()
        elf_seed()
        boot_image_seeds()
        cpio_seeds()
