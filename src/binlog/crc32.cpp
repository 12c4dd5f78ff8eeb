#include "binlog/crc32.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MY2PG_CRC_CLMUL 1
#endif

namespace my2pg::binlog {
namespace {

// zlib's CRC-32: the reference, and the path for short inputs and CPUs without carry-less
// multiplication.
uint32_t crc32_zlib(std::span<const uint8_t> data, uint32_t crc) {
  uLong c = crc;
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1U << 30);
    c = ::crc32(c, data.data(), static_cast<uInt>(n));
    data = data.subspan(n);
  }
  return static_cast<uint32_t>(c);
}

#ifdef MY2PG_CRC_CLMUL

// Folding with carry-less multiplication. In the reflected bit order of this CRC, a 16-byte
// block read as a little-endian 128-bit integer with bits v0..v127 is the polynomial
// sum(v_i x^(127-i)): its low half L stands for x^64 L~(x), its high half H for H~(x), where ~
// reads 64 bits reflected. A 33-bit constant k0..k32 stands for K~(x) = sum(k_j x^(32-j)), and
// clmul(L, K) read as a block is x^32 L~(x) K~(x). Moving a block D bits further along the
// message multiplies it by x^D, so it becomes clmul(L, x^(D+32) mod P) ^ clmul(H, x^(D-32) mod P),
// congruent modulo P and at most 96 bits wide; adding the next block keeps the message's
// residue. The last block's residue is then finished byte by byte from a zero register.

constexpr uint64_t kPoly = 0x104C11DB7;  // x^32 + ..., the CRC-32 generator, normal bit order

// x^n mod P, normal bit order (bit i = coefficient of x^i).
constexpr uint32_t x_pow_mod(unsigned n) {
  uint64_t r = 1;
  for (unsigned i = 0; i < n; ++i) {
    r <<= 1;
    if ((r & (uint64_t{1} << 32)) != 0) r ^= kPoly;
  }
  return static_cast<uint32_t>(r);
}

// The 33-bit reflected form of a remainder of degree < 32: coefficient of x^(32-j) in bit j.
constexpr uint64_t reflected33(uint32_t r) {
  uint64_t out = 0;
  for (unsigned i = 0; i < 32; ++i)
    if ((r >> i) & 1U) out |= uint64_t{1} << (32 - i);
  return out;
}

struct FoldConstants {
  uint64_t low, high;  // multiply the low half by `low`, the high half by `high`
};
constexpr FoldConstants fold_by(unsigned bits) {
  return {reflected33(x_pow_mod(bits + 32)), reflected33(x_pow_mod(bits - 32))};
}
constexpr FoldConstants kFold512 = fold_by(512), kFold384 = fold_by(384), kFold256 = fold_by(256),
                        kFold128 = fold_by(128);

__attribute__((target("pclmul,sse2"))) inline __m128i fold(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}
__attribute__((target("pclmul,sse2"))) inline __m128i constants(FoldConstants c) {
  return _mm_set_epi64x(static_cast<long long>(c.high), static_cast<long long>(c.low));
}
__attribute__((target("sse2"))) inline __m128i load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// One byte at a time: for the few bytes around the folded blocks.
constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? (c >> 1) ^ 0xEDB88320U : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = make_table();
inline uint32_t bytewise(const uint8_t* p, size_t n, uint32_t reg) {
  for (size_t i = 0; i < n; ++i) reg = kTable[(reg ^ p[i]) & 0xFFU] ^ (reg >> 8);
  return reg;
}

// `blocks` >= 1 blocks of 16 bytes; takes and returns the register (not inverted).
__attribute__((target("pclmul,sse2"))) uint32_t fold_blocks(const uint8_t* p, size_t blocks,
                                                            uint32_t reg) {
  // A starting register equals a zero register with the first four bytes XORed by it.
  __m128i x = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(reg)));
  p += 16;
  --blocks;
  if (blocks >= 3) {
    __m128i a0 = x, a1 = load(p), a2 = load(p + 16), a3 = load(p + 32);
    p += 48;
    blocks -= 3;
    const __m128i k512 = constants(kFold512);
    for (; blocks >= 4; blocks -= 4, p += 64) {
      a0 = _mm_xor_si128(fold(a0, k512), load(p));
      a1 = _mm_xor_si128(fold(a1, k512), load(p + 16));
      a2 = _mm_xor_si128(fold(a2, k512), load(p + 32));
      a3 = _mm_xor_si128(fold(a3, k512), load(p + 48));
    }
    x = _mm_xor_si128(_mm_xor_si128(fold(a0, constants(kFold384)), fold(a1, constants(kFold256))),
                      _mm_xor_si128(fold(a2, constants(kFold128)), a3));
  }
  const __m128i k128 = constants(kFold128);
  for (; blocks > 0; --blocks, p += 16) x = _mm_xor_si128(fold(x, k128), load(p));
  alignas(16) uint8_t last[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(last), x);
  return bytewise(last, 16, 0);  // the residue, reduced from a zero register
}

bool cpu_has_clmul() {
  static const bool yes = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
  return yes;
}

#endif

}  // namespace

uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) {
#ifdef MY2PG_CRC_CLMUL
  if (cpu_has_clmul()) {
    // The bytes before a whole number of blocks go one by one, then the blocks are folded.
    const size_t head = data.size() % 16, blocks = data.size() / 16;
    uint32_t reg = bytewise(data.data(), head, ~crc);
    if (blocks > 0) reg = fold_blocks(data.data() + head, blocks, reg);
    return ~reg;
  }
#endif
  return crc32_zlib(data, crc);
}

namespace detail {
uint32_t crc32_reference(std::span<const uint8_t> data, uint32_t crc) {
  return crc32_zlib(data, crc);
}
}  // namespace detail

}  // namespace my2pg::binlog
