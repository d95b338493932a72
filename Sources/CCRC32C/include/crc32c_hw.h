#ifndef SLUICE_CRC32C_HW_H
#define SLUICE_CRC32C_HW_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU computes CRC-32C in hardware (x86-64 SSE4.2, or ARMv8 CRC), else 0.
int sl_crc32c_hw_available(void);

/// Continues a CRC-32C over `n` bytes: `state` is the running register (start with 0xFFFFFFFF,
/// finish by inverting). Only call when sl_crc32c_hw_available() says so.
uint32_t sl_crc32c_hw(uint32_t state, const uint8_t *p, size_t n);

#endif
