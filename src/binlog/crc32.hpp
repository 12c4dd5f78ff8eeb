#pragma once
#include <cstdint>
#include <span>

namespace my2pg::binlog {

// CRC-32 (ISO-HDLC, the zlib polynomial) as binlog checksums use it; `crc` continues a running
// value, so a buffer may be fed in pieces. Folds 16-byte blocks with carry-less multiplication
// (PCLMULQDQ) where the CPU has it, about ten times zlib's speed.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0);

namespace detail {
// zlib's byte-wise CRC-32, which crc32() must always agree with (for tests).
uint32_t crc32_reference(std::span<const uint8_t> data, uint32_t crc = 0);
}  // namespace detail

}  // namespace my2pg::binlog
