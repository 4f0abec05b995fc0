#include "devices/fw_cfg.hpp"

namespace lstar::devices {

namespace {
template <class T>
std::vector<uint8_t> le(T v) {
    std::vector<uint8_t> b(sizeof(T));
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = uint8_t(uint64_t(v) >> (8 * i));
    return b;
}
}  // namespace

FwCfg::FwCfg(uint64_t ram_bytes, uint16_t cpus, const std::string& cmdline) {
    items_[kSignature] = {'Q', 'E', 'M', 'U'};
    items_[kId] = le<uint32_t>(kIdTraditional);
    items_[kRamSize] = le<uint64_t>(ram_bytes);
    items_[kNbCpus] = le<uint16_t>(cpus);
    items_[kMaxCpus] = le<uint16_t>(cpus);
    std::vector<uint8_t> c(cmdline.begin(), cmdline.end());
    c.push_back(0);  // QEMU counts the NUL in CMDLINE_SIZE
    items_[kCmdlineSize] = le<uint32_t>(uint32_t(c.size()));
    items_[kCmdlineData] = std::move(c);
    items_[kFileDir] = {0, 0, 0, 0};  // big-endian count of files: none
}

void FwCfg::select(uint16_t key) {
    key_ = key;
    offset_ = 0;
}

uint8_t FwCfg::read() {
    auto it = items_.find(key_);
    if (it == items_.end() || offset_ >= it->second.size()) return 0;
    return it->second[offset_++];
}

}  // namespace lstar::devices
