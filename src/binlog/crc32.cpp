#include "binlog/crc32.hpp"

#include <zlib.h>

#include <algorithm>

namespace my2pg::binlog {

// zlib's CRC-32 is the binlog's polynomial and faster than a table-driven loop of our own.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) {
  uLong c = crc;
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1U << 30);
    c = ::crc32(c, data.data(), static_cast<uInt>(n));
    data = data.subspan(n);
  }
  return static_cast<uint32_t>(c);
}

}  // namespace my2pg::binlog
