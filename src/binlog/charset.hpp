#pragma once
// Column text arrives in the column's own character set; these turn it into UTF-8. Unicode sets
// and latin1 (which MySQL defines as Windows-1252) are converted here; the other MySQL character
// sets through the C library's iconv.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"  // is_valid_utf8

namespace my2pg::binlog {

// clang-format off
enum class Charset : uint8_t {
  utf8, latin1, ascii, binary, ucs2, utf16, utf16le, utf32,
  // converted with iconv
  armscii8, big5, cp1250, cp1251, cp1256, cp1257, cp850, cp852, cp866, cp932, dec8, eucjpms,
  euckr, gb2312, gbk, gb18030, geostd8, greek, hebrew, hp8, koi8r, koi8u, latin2, latin5, latin7,
  macroman, sjis, tis620, ujis,
  other,  // keybcs2, macce, swe7, or an id this build does not know
};
// clang-format on

// The character set of a MySQL/MariaDB collation id (as in TABLE_MAP charset metadata).
Charset charset_of_collation(uint32_t collation_id);
std::string_view charset_name(Charset c);  // MySQL's name, e.g. "latin2"

// Appends `text` converted to UTF-8. Returns false (appending nothing) when the bytes are not
// valid in `from` or `from` cannot be converted (binary, other): the caller reports it.
bool append_utf8(std::string_view text, Charset from, std::string& out);

// The character sets of one byte per character that iconv converts: their tables differ from
// the server's in places (KOI8-U 0x95, CP866 0xFC, MACINTOSH 0xF0...), and where a byte has no
// character iconv refuses the value while the server gives '?'.
bool single_byte(Charset c);
// From then on, `c` is converted by this table of the UTF-8 text of each of its 256 bytes (the
// source server's own conversion, which a copy of the table got); for the whole process.
void set_byte_table(Charset c, std::vector<std::string> utf8_of_byte);

}  // namespace my2pg::binlog
