#pragma once
// The one bounds-checked reader every binlog byte goes through. Reads past the limit throw
// DecodeError naming what was being read and the offset; the limit can be set below the buffer's
// end so that a trailing checksum is never read as data. Lengths read off the wire are checked
// against what remains before anything is allocated for them.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace my2pg::binlog {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> data) : m_data(data.data()), m_limit(data.size()) {}

  size_t offset() const { return m_pos; }
  size_t remaining() const { return m_limit - m_pos; }
  bool at_end() const { return m_pos >= m_limit; }
  size_t limit() const { return m_limit; }
  // Hides the last `n` bytes (e.g. the CRC32) from every later read.
  void shrink_limit(size_t n, const char* what) {
    need(n, what);
    m_limit -= n;
  }

  // The unread bytes, without consuming them.
  std::span<const uint8_t> peek_bytes() const { return {m_data + m_pos, remaining()}; }

  uint8_t peek(const char* what) const {
    need(1, what);
    return m_data[m_pos];
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return m_data[m_pos++];
  }
  uint16_t u16(const char* what) { return static_cast<uint16_t>(le(2, what)); }
  uint32_t u24(const char* what) { return static_cast<uint32_t>(le(3, what)); }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(le(4, what)); }
  uint64_t u48(const char* what) { return le(6, what); }
  uint64_t u64(const char* what) { return le(8, what); }
  uint64_t le(size_t n, const char* what) {  // n <= 8 bytes, little-endian
    need(n, what);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(m_data[m_pos + i]) << (8 * i);
    m_pos += n;
    return v;
  }
  uint64_t be(size_t n, const char* what) {  // n <= 8 bytes, big-endian
    need(n, what);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | m_data[m_pos + i];
    m_pos += n;
    return v;
  }
  double f64(const char* what) {
    const uint64_t bits = u64(what);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  float f32(const char* what) {
    const uint32_t bits = u32(what);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  // MySQL's length-encoded integer (1, 3, 4 or 9 bytes).
  uint64_t packed(const char* what) {
    const uint8_t first = u8(what);
    if (first < 251) return first;
    if (first == 252) return le(2, what);
    if (first == 253) return le(3, what);
    if (first == 254) return le(8, what);
    fail(what, "has an invalid length-encoded integer prefix");
  }
  // A length read off the wire, checked against what remains before anyone allocates for it.
  size_t length(uint64_t n, const char* what) {
    if (n > remaining()) {
      fail(what, "claims " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
                     " remain");
    }
    return static_cast<size_t>(n);
  }
  std::span<const uint8_t> bytes(size_t n, const char* what) {
    need(n, what);
    std::span<const uint8_t> out(m_data + m_pos, n);
    m_pos += n;
    return out;
  }
  std::string_view str(size_t n, const char* what) {
    const auto b = bytes(n, what);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  // A NUL-terminated string; the NUL is consumed, not returned.
  std::string_view cstr(const char* what) {
    const void* nul = std::memchr(m_data + m_pos, 0, remaining());
    if (nul == nullptr) fail(what, "has no terminating NUL byte");
    const size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nul) - (m_data + m_pos));
    const std::string_view out = str(n, what);
    ++m_pos;
    return out;
  }
  std::string_view rest_str() { return str(remaining(), "trailing bytes"); }
  std::span<const uint8_t> rest() { return bytes(remaining(), "trailing bytes"); }
  void skip(size_t n, const char* what) {
    need(n, what);
    m_pos += n;
  }

  // For events whose layout is fixed: unread bytes mean the event is not what its type says.
  void expect_end(const char* what) const {
    if (!at_end()) fail(what, "has " + std::to_string(remaining()) + " unexpected trailing bytes");
  }

  [[noreturn]] void fail(const char* what, const std::string& problem) const {
    throw DecodeError(std::string(what) + " at offset " + std::to_string(m_pos) + " " + problem);
  }

 private:
  void need(size_t n, const char* what) const {
    if (n > m_limit - m_pos) {
      fail(what, "is truncated: needs " + std::to_string(n) + " bytes, " +
                     std::to_string(m_limit - m_pos) + " remain");
    }
  }

  const uint8_t* m_data = nullptr;
  size_t m_limit = 0;
  size_t m_pos = 0;
};

}  // namespace my2pg::binlog
