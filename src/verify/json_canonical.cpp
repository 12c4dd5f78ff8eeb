#include "verify/json_canonical.hpp"

#include "common/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace my2pg::verify {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Decimal exponents in this range print in plain notation; every MySQL DECIMAL (65 digits, 38
// after the point) and every PostgreSQL numeric a person writes falls inside.
constexpr int64_t kPlainLow = -40;
constexpr int64_t kPlainHigh = 80;
constexpr int64_t kMaxExponent = 1'000'000'000;
constexpr int kMaxDepth = 1000;

// `decoded` as a JSON string: quote and backslash escaped, control characters as \u00XX.
void append_json_string(std::string_view decoded, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : decoded) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// A recursive-descent reader that writes the canonical form as it goes.
class JsonCanon {
 public:
  explicit JsonCanon(std::string_view text) : m_text(text) {}

  bool run(std::string& out) {
    skip_space();
    if (!value(out, 0)) return false;
    skip_space();
    return m_at == m_text.size();
  }

 private:
  bool at_end() const { return m_at >= m_text.size(); }
  char peek() const { return m_text[m_at]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++m_at;
  }

  bool expect(char c) {
    skip_space();
    if (at_end() || peek() != c) return false;
    ++m_at;
    return true;
  }

  bool value(std::string& out, int depth) {
    if (at_end()) return false;
    switch (peek()) {
      case '{':
        return depth < kMaxDepth && object(out, depth + 1);
      case '[':
        return depth < kMaxDepth && array(out, depth + 1);
      case '"': {
        std::string decoded;
        if (!string(decoded)) return false;
        append_json_string(decoded, out);
        return true;
      }
      case 't':
        return literal("true", out);
      case 'f':
        return literal("false", out);
      case 'n':
        return literal("null", out);
      default:
        return number(out);
    }
  }

  bool literal(std::string_view word, std::string& out) {
    if (m_text.substr(m_at, word.size()) != word) return false;
    m_at += word.size();
    out.append(word);
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(std::string& out) {
    const size_t start = m_at;
    if (!at_end() && peek() == '-') ++m_at;
    if (at_end() || !is_digit(peek())) return false;
    if (peek() == '0') {
      ++m_at;
    } else {
      while (!at_end() && is_digit(peek())) ++m_at;
    }
    if (!at_end() && peek() == '.') {
      ++m_at;
      if (at_end() || !is_digit(peek())) return false;
      while (!at_end() && is_digit(peek())) ++m_at;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++m_at;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++m_at;
      if (at_end() || !is_digit(peek())) return false;
      while (!at_end() && is_digit(peek())) ++m_at;
    }
    return canonical_decimal(m_text.substr(start, m_at - start), out);
  }

  bool hex4(uint32_t& cp) {
    if (m_text.size() - m_at < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = m_text[m_at++];
      uint32_t digit = 0;
      if (is_digit(c)) {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      cp = cp << 4 | digit;
    }
    return true;
  }

  // After "\u": one code point, a surrogate pair taken together (a lone surrogate is invalid,
  // as PostgreSQL's JSON input says).
  bool unicode_escape(std::string& decoded) {
    uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (m_text.substr(m_at, 2) != "\\u") return false;
      m_at += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_code_point(cp, decoded);
    return true;
  }

  bool string(std::string& decoded) {
    ++m_at;  // the opening quote
    while (!at_end()) {
      const char c = m_text[m_at++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        decoded.push_back(c);
        continue;
      }
      if (at_end()) return false;
      switch (m_text[m_at++]) {
        case '"':
          decoded.push_back('"');
          break;
        case '\\':
          decoded.push_back('\\');
          break;
        case '/':
          decoded.push_back('/');
          break;
        case 'b':
          decoded.push_back('\b');
          break;
        case 'f':
          decoded.push_back('\f');
          break;
        case 'n':
          decoded.push_back('\n');
          break;
        case 'r':
          decoded.push_back('\r');
          break;
        case 't':
          decoded.push_back('\t');
          break;
        case 'u':
          if (!unicode_escape(decoded)) return false;
          break;
        default:
          return false;
      }
    }
    return false;
  }

  bool array(std::string& out, int depth) {
    ++m_at;
    out.push_back('[');
    skip_space();
    if (!at_end() && peek() == ']') {
      ++m_at;
      out.push_back(']');
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first) out.push_back(',');
      skip_space();
      if (!value(out, depth)) return false;
      skip_space();
      if (at_end()) return false;
      const char c = m_text[m_at++];
      if (c == ']') break;
      if (c != ',') return false;
    }
    out.push_back(']');
    return true;
  }

  bool object(std::string& out, int depth) {
    ++m_at;
    std::vector<std::pair<std::string, std::string>> members;
    skip_space();
    if (!at_end() && peek() == '}') {
      ++m_at;
    } else {
      for (;;) {
        skip_space();
        if (at_end() || peek() != '"') return false;
        auto& member = members.emplace_back();
        if (!string(member.first) || !expect(':')) return false;
        skip_space();
        if (!value(member.second, depth)) return false;
        skip_space();
        if (at_end()) return false;
        const char c = m_text[m_at++];
        if (c == '}') break;
        if (c != ',') return false;
      }
    }
    // Stable: among equal keys the last one written stays last, and is the one kept.
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < members.size(); ++i) {
      if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
      if (!first) out.push_back(',');
      first = false;
      append_json_string(members[i].first, out);
      out.push_back(':');
      out.append(members[i].second);
    }
    out.push_back('}');
    return true;
  }

  std::string_view m_text;
  size_t m_at = 0;
};

}  // namespace

bool canonical_decimal(std::string_view text, std::string& out) {
  const size_t n = text.size();
  size_t i = 0;
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const size_t int_begin = i;
  while (i < n && is_digit(text[i])) ++i;
  const size_t int_digits = i - int_begin;
  size_t frac_begin = i, frac_digits = 0;
  if (i < n && text[i] == '.') {
    frac_begin = ++i;
    while (i < n && is_digit(text[i])) ++i;
    frac_digits = i - frac_begin;
  }
  if (int_digits + frac_digits == 0) return false;
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    const size_t start = i;
    for (; i < n && is_digit(text[i]); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > kMaxExponent) return false;
    }
    if (i == start) return false;
    if (exponent_negative) exponent = -exponent;
  }
  if (i != n) return false;

  // The digits before and after the point, read as one run.
  const size_t total = int_digits + frac_digits;
  const auto digit = [&](size_t k) {
    return k < int_digits ? text[int_begin + k] : text[frac_begin + k - int_digits];
  };
  size_t first = 0;
  while (first < total && digit(first) == '0') ++first;
  if (first == total) {
    out.push_back('0');
    return true;
  }
  size_t last = total - 1;
  while (digit(last) == '0') --last;
  const size_t len = last - first + 1;
  // value = 0.<digits first..last> * 10^point
  const int64_t point = static_cast<int64_t>(int_digits) - static_cast<int64_t>(first) + exponent;
  const auto append_digits = [&](size_t from, size_t to) {
    for (size_t k = first + from; k < first + to; ++k) out.push_back(digit(k));
  };
  if (negative) out.push_back('-');
  if (point < kPlainLow || point > kPlainHigh) {
    append_digits(0, 1);
    if (len > 1) {
      out.push_back('.');
      append_digits(1, len);
    }
    const int64_t e = point - 1;
    out.append(e < 0 ? "e-" : "e+").append(std::to_string(e < 0 ? -e : e));
  } else if (point <= 0) {
    out.append("0.").append(static_cast<size_t>(-point), '0');
    append_digits(0, len);
  } else if (static_cast<size_t>(point) < len) {
    append_digits(0, static_cast<size_t>(point));
    out.push_back('.');
    append_digits(static_cast<size_t>(point), len);
  } else {
    append_digits(0, len);
    out.append(static_cast<size_t>(point) - len, '0');
  }
  return true;
}

bool canonical_json(std::string_view text, std::string& out) {
  const size_t rollback = out.size();
  if (JsonCanon(text).run(out)) return true;
  out.resize(rollback);
  return false;
}

}  // namespace my2pg::verify
