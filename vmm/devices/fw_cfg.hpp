// QEMU's firmware configuration device, the legacy I/O interface (docs/specs/fw_cfg.rst in QEMU):
// a 16-bit selector written to 0x510, then the item's bytes read one at a time from 0x511. lstar
// offers the items a small kernel asks for; every other key reads as zeros, as do bytes past an
// item's end. No DMA interface (the ID item says so), no file directory entries.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lstar::devices {

class FwCfg {
public:
    static constexpr uint16_t kSelectorPort = 0x510, kDataPort = 0x511;
    // Keys (FW_CFG_* in QEMU's include/standard-headers/linux/qemu_fw_cfg.h).
    static constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNbCpus = 0x05,
                              kMaxCpus = 0x0f, kCmdlineSize = 0x14, kCmdlineData = 0x15, kFileDir = 0x19;
    static constexpr uint32_t kIdTraditional = 1;  // bit 0: the port interface; bit 1 (DMA) clear

    // The items: "QEMU", ID, RAM size, CPU count, command line (with its NUL), an empty file dir.
    FwCfg(uint64_t ram_bytes, uint16_t cpus, const std::string& cmdline);

    void select(uint16_t key);
    uint8_t read();
    uint16_t selected() const { return key_; }

private:
    std::map<uint16_t, std::vector<uint8_t>> items_;
    uint16_t key_ = 0;
    uint32_t offset_ = 0;
};

}  // namespace lstar::devices
