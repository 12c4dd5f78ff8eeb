#pragma once
#include <cstdint>
#include <span>

namespace my2pg::binlog {

// CRC-32 (ISO-HDLC, the zlib polynomial) as binlog checksums use it; `crc` continues a running
// value, so a buffer may be fed in pieces.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace my2pg::binlog
