// Random numbers for AT_RANDOM and getrandom(2) (compare Linux's drivers/char/random.c, in
// miniature): SplitMix64 seeded from the host's getrandom(2) through BootInfo.random_seed. Not
// a cryptographic generator: it hands out unpredictable-per-boot bytes cheaply (a few ring-0
// instructions per 8 bytes).
#pragma once
#include <cstdint>

namespace lstar::kernel {

uint64_t get_random_u64();

}  // namespace lstar::kernel
