#include "binlog/charset.hpp"

#include "common/utf8.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

namespace my2pg::binlog {
namespace {

struct Range {
  uint32_t first, last;
  Charset charset;
};

// Collation ids by character set: information_schema.COLLATIONS of MariaDB 10.11, MySQL 8's
// additions (76, gb18030 248-250, the utf8mb4 0900 collations 255-323) and MariaDB 11's
// uca1400 collations (2048 + 256 x utf8mb3, utf8mb4, ucs2, utf16, utf32).
constexpr Range kRanges[] = {{1, 1, Charset::big5},           {2, 2, Charset::latin2},
                             {3, 3, Charset::dec8},           {4, 4, Charset::cp850},
                             {5, 5, Charset::latin1},         {6, 6, Charset::hp8},
                             {7, 7, Charset::koi8r},          {8, 8, Charset::latin1},
                             {9, 9, Charset::latin2},         {10, 10, Charset::other},
                             {11, 11, Charset::ascii},        {12, 12, Charset::ujis},
                             {13, 13, Charset::sjis},         {14, 14, Charset::cp1251},
                             {15, 15, Charset::latin1},       {16, 16, Charset::hebrew},
                             {18, 18, Charset::tis620},       {19, 19, Charset::euckr},
                             {20, 20, Charset::latin7},       {21, 21, Charset::latin2},
                             {22, 22, Charset::koi8u},        {23, 23, Charset::cp1251},
                             {24, 24, Charset::gb2312},       {25, 25, Charset::greek},
                             {26, 26, Charset::cp1250},       {27, 27, Charset::latin2},
                             {28, 28, Charset::gbk},          {29, 29, Charset::cp1257},
                             {30, 30, Charset::latin5},       {31, 31, Charset::latin1},
                             {32, 32, Charset::armscii8},     {33, 33, Charset::utf8},
                             {34, 34, Charset::cp1250},       {35, 35, Charset::ucs2},
                             {36, 36, Charset::cp866},        {37, 38, Charset::other},
                             {39, 39, Charset::macroman},     {40, 40, Charset::cp852},
                             {41, 42, Charset::latin7},       {43, 43, Charset::other},
                             {44, 44, Charset::cp1250},       {45, 46, Charset::utf8},
                             {47, 49, Charset::latin1},       {50, 52, Charset::cp1251},
                             {53, 53, Charset::macroman},     {54, 55, Charset::utf16},
                             {56, 56, Charset::utf16le},      {57, 57, Charset::cp1256},
                             {58, 59, Charset::cp1257},       {60, 61, Charset::utf32},
                             {62, 62, Charset::utf16le},      {63, 63, Charset::binary},
                             {64, 64, Charset::armscii8},     {65, 65, Charset::ascii},
                             {66, 66, Charset::cp1250},       {67, 67, Charset::cp1256},
                             {68, 68, Charset::cp866},        {69, 69, Charset::dec8},
                             {70, 70, Charset::greek},        {71, 71, Charset::hebrew},
                             {72, 72, Charset::hp8},          {73, 73, Charset::other},
                             {74, 74, Charset::koi8r},        {75, 75, Charset::koi8u},
                             {76, 76, Charset::utf8},         {77, 77, Charset::latin2},
                             {78, 78, Charset::latin5},       {79, 79, Charset::latin7},
                             {80, 80, Charset::cp850},        {81, 81, Charset::cp852},
                             {82, 82, Charset::other},        {83, 83, Charset::utf8},
                             {84, 84, Charset::big5},         {85, 85, Charset::euckr},
                             {86, 86, Charset::gb2312},       {87, 87, Charset::gbk},
                             {88, 88, Charset::sjis},         {89, 89, Charset::tis620},
                             {90, 90, Charset::ucs2},         {91, 91, Charset::ujis},
                             {92, 93, Charset::geostd8},      {94, 94, Charset::latin1},
                             {95, 96, Charset::cp932},        {97, 98, Charset::eucjpms},
                             {99, 99, Charset::cp1250},       {101, 124, Charset::utf16},
                             {128, 151, Charset::ucs2},       {159, 159, Charset::ucs2},
                             {160, 183, Charset::utf32},      {192, 215, Charset::utf8},
                             {223, 247, Charset::utf8},       {248, 250, Charset::gb18030},
                             {255, 323, Charset::utf8},       {576, 578, Charset::utf8},
                             {608, 610, Charset::utf8},       {640, 642, Charset::ucs2},
                             {672, 674, Charset::utf16},      {736, 738, Charset::utf32},
                             {1025, 1025, Charset::big5},     {1027, 1027, Charset::dec8},
                             {1028, 1028, Charset::cp850},    {1030, 1030, Charset::hp8},
                             {1031, 1031, Charset::koi8r},    {1032, 1032, Charset::latin1},
                             {1033, 1033, Charset::latin2},   {1034, 1034, Charset::other},
                             {1035, 1035, Charset::ascii},    {1036, 1036, Charset::ujis},
                             {1037, 1037, Charset::sjis},     {1040, 1040, Charset::hebrew},
                             {1042, 1042, Charset::tis620},   {1043, 1043, Charset::euckr},
                             {1046, 1046, Charset::koi8u},    {1048, 1048, Charset::gb2312},
                             {1049, 1049, Charset::greek},    {1050, 1050, Charset::cp1250},
                             {1052, 1052, Charset::gbk},      {1054, 1054, Charset::latin5},
                             {1056, 1056, Charset::armscii8}, {1057, 1057, Charset::utf8},
                             {1059, 1059, Charset::ucs2},     {1060, 1060, Charset::cp866},
                             {1061, 1062, Charset::other},    {1063, 1063, Charset::macroman},
                             {1064, 1064, Charset::cp852},    {1065, 1065, Charset::latin7},
                             {1067, 1067, Charset::other},    {1069, 1070, Charset::utf8},
                             {1071, 1071, Charset::latin1},   {1074, 1075, Charset::cp1251},
                             {1077, 1077, Charset::macroman}, {1078, 1079, Charset::utf16},
                             {1080, 1080, Charset::utf16le},  {1081, 1081, Charset::cp1256},
                             {1082, 1083, Charset::cp1257},   {1084, 1085, Charset::utf32},
                             {1086, 1086, Charset::utf16le},  {1088, 1088, Charset::armscii8},
                             {1089, 1089, Charset::ascii},    {1090, 1090, Charset::cp1250},
                             {1091, 1091, Charset::cp1256},   {1092, 1092, Charset::cp866},
                             {1093, 1093, Charset::dec8},     {1094, 1094, Charset::greek},
                             {1095, 1095, Charset::hebrew},   {1096, 1096, Charset::hp8},
                             {1097, 1097, Charset::other},    {1098, 1098, Charset::koi8r},
                             {1099, 1099, Charset::koi8u},    {1101, 1101, Charset::latin2},
                             {1102, 1102, Charset::latin5},   {1103, 1103, Charset::latin7},
                             {1104, 1104, Charset::cp850},    {1105, 1105, Charset::cp852},
                             {1106, 1106, Charset::other},    {1107, 1107, Charset::utf8},
                             {1108, 1108, Charset::big5},     {1109, 1109, Charset::euckr},
                             {1110, 1110, Charset::gb2312},   {1111, 1111, Charset::gbk},
                             {1112, 1112, Charset::sjis},     {1113, 1113, Charset::tis620},
                             {1114, 1114, Charset::ucs2},     {1115, 1115, Charset::ujis},
                             {1116, 1117, Charset::geostd8},  {1119, 1120, Charset::cp932},
                             {1121, 1122, Charset::eucjpms},  {1125, 1125, Charset::utf16},
                             {1147, 1147, Charset::utf16},    {1152, 1152, Charset::ucs2},
                             {1174, 1174, Charset::ucs2},     {1184, 1184, Charset::utf32},
                             {1206, 1206, Charset::utf32},    {1216, 1216, Charset::utf8},
                             {1238, 1238, Charset::utf8},     {1248, 1248, Charset::utf8},
                             {1270, 1270, Charset::utf8},     {2048, 2303, Charset::utf8},
                             {2304, 2559, Charset::utf8},     {2560, 2815, Charset::ucs2},
                             {2816, 3071, Charset::utf16},    {3072, 3327, Charset::utf32}};

// Windows-1252, which MySQL calls latin1: 0x80..0x9F map to these code points (MySQL maps the
// five undefined ones through to the C1 control of the same value, and so does this table).
constexpr std::array<uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

struct Names {
  std::string_view mysql, iconv;
};

// MySQL's name and the C library's iconv name for each Charset (iconv: empty when converted here
// or not at all).
constexpr Names kNames[] = {
    {"utf8mb4", ""},
    {"latin1", ""},
    {"ascii", ""},
    {"binary", ""},
    {"ucs2", ""},
    {"utf16", ""},
    {"utf16le", ""},
    {"utf32", ""},
    {"armscii8", "ARMSCII-8"},
    {"big5", "BIG5"},
    {"cp1250", "CP1250"},
    {"cp1251", "CP1251"},
    {"cp1256", "CP1256"},
    {"cp1257", "CP1257"},
    {"cp850", "CP850"},
    {"cp852", "CP852"},
    {"cp866", "CP866"},
    {"cp932", "CP932"},
    {"dec8", "DEC-MCS"},
    {"eucjpms", "EUC-JP-MS"},
    {"euckr", "EUC-KR"},
    {"gb2312", "EUC-CN"},
    {"gbk", "GBK"},
    {"gb18030", "GB18030"},
    {"geostd8", "GEORGIAN-PS"},
    {"greek", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},
    {"hp8", "HP-ROMAN8"},
    {"koi8r", "KOI8-R"},
    {"koi8u", "KOI8-U"},
    {"latin2", "ISO-8859-2"},
    {"latin5", "ISO-8859-9"},
    {"latin7", "ISO-8859-13"},
    {"macroman", "MACINTOSH"},
    {"sjis", "SHIFT_JIS"},
    {"tis620", "TIS-620"},
    {"ujis", "EUC-JP"},
    {"other", ""},
};
static_assert(std::size(kNames) == static_cast<size_t>(Charset::other) + 1);

bool append_wide(std::string_view s, size_t unit, bool big_endian, bool surrogates,
                 std::string& out) {
  if (s.size() % unit != 0) return false;
  const auto at = [&](size_t i) {
    uint32_t v = 0;
    for (size_t k = 0; k < unit; ++k) {
      const auto b = static_cast<unsigned char>(s[i + (big_endian ? k : unit - 1 - k)]);
      v = (v << 8) | b;
    }
    return v;
  };
  for (size_t i = 0; i < s.size(); i += unit) {
    uint32_t cp = at(i);
    if (surrogates && cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + unit >= s.size()) return false;
      const uint32_t low = at(i + unit);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += unit;
    } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    append_code_point(cp, out);
  }
  return true;
}

// One iconv descriptor per character set and thread, opened on first use.
bool append_iconv(std::string_view text, Charset from, std::string& out) {
  struct Closer {
    void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
  };
  thread_local std::array<std::unique_ptr<void, Closer>, std::size(kNames)> descriptors;
  auto& slot = descriptors[static_cast<size_t>(from)];
  if (!slot) {
    const std::string name(kNames[static_cast<size_t>(from)].iconv);
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    slot.reset(cd);
  }
  auto* cd = static_cast<iconv_t>(slot.get());
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
  const size_t start = out.size();
  out.resize(start + text.size() * 4 + 4);
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char* dst = out.data() + start;
  size_t dst_left = out.size() - start;
  if (iconv(cd, &in, &in_left, &dst, &dst_left) == static_cast<size_t>(-1) || in_left != 0) {
    out.resize(start);
    return false;
  }
  out.resize(out.size() - dst_left);
  return true;
}

// set_byte_table's tables, set at most once per run and kept (never freed: readers may be on
// other threads).
std::array<std::atomic<const std::vector<std::string>*>, std::size(kNames)> g_byte_tables{};

}  // namespace

bool single_byte(Charset c) {
  switch (c) {
    case Charset::ascii:
    case Charset::armscii8:
    case Charset::cp1250:
    case Charset::cp1251:
    case Charset::cp1256:
    case Charset::cp1257:
    case Charset::cp850:
    case Charset::cp852:
    case Charset::cp866:
    case Charset::dec8:
    case Charset::geostd8:
    case Charset::greek:
    case Charset::hebrew:
    case Charset::hp8:
    case Charset::koi8r:
    case Charset::koi8u:
    case Charset::latin2:
    case Charset::latin5:
    case Charset::latin7:
    case Charset::macroman:
    case Charset::tis620:
      return true;
    default:
      return false;
  }
}

void set_byte_table(Charset c, std::vector<std::string> utf8_of_byte) {
  if (!single_byte(c) || utf8_of_byte.size() != 256) return;
  auto table = std::make_unique<const std::vector<std::string>>(std::move(utf8_of_byte));
  const std::vector<std::string>* none = nullptr;
  // The first table stays (a second would come from the same server's same conversion).
  if (g_byte_tables[static_cast<size_t>(c)].compare_exchange_strong(none, table.get(),
                                                                    std::memory_order_acq_rel))
    table.release();  // NOLINT(bugprone-unused-return-value): kept for the process
}

Charset charset_of_collation(uint32_t id) {
  // kRanges is sorted and disjoint: the candidate is the last range starting at or before id.
  const auto* it = std::upper_bound(std::begin(kRanges), std::end(kRanges), id,
                                    [](uint32_t v, const Range& r) { return v < r.first; });
  if (it == std::begin(kRanges)) return Charset::other;
  --it;
  return id <= it->last ? it->charset : Charset::other;
}

std::string_view charset_name(Charset c) {
  return kNames[static_cast<size_t>(c)].mysql;
}

bool append_utf8(std::string_view text, Charset from, std::string& out) {
  if (const auto* table =
          g_byte_tables[static_cast<size_t>(from)].load(std::memory_order_acquire)) {
    for (const char c : text) out.append((*table)[static_cast<unsigned char>(c)]);
    return true;
  }
  switch (from) {
    case Charset::utf8:
      if (!is_valid_utf8(text)) return false;
      out.append(text);
      return true;
    case Charset::ascii:
      for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0x80) != 0) return false;
      }
      out.append(text);
      return true;
    case Charset::latin1:
      for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        append_code_point(b >= 0x80 && b <= 0x9F ? kCp1252High[b - 0x80] : b, out);
      }
      return true;
    case Charset::ucs2:
      return append_wide(text, 2, true, false, out);
    case Charset::utf16:
      return append_wide(text, 2, true, true, out);
    case Charset::utf16le:
      return append_wide(text, 2, false, true, out);
    case Charset::utf32:
      return append_wide(text, 4, true, false, out);
    case Charset::binary:
    case Charset::other:
      return false;
    default:
      return append_iconv(text, from, out);
  }
}

}  // namespace my2pg::binlog
