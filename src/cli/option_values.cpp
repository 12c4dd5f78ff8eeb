#include "cli/option_values.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"

namespace my2pg::cli {

std::vector<std::string> split_list(const std::optional<std::string>& list) {
  std::vector<std::string> out;
  if (!list) return out;
  size_t start = 0;
  while (start <= list->size()) {
    const size_t comma = list->find(',', start);
    const std::string item = list->substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

snapshot::ModelOptions model_options(const Options& options) {
  snapshot::ModelOptions m;
  m.target_schema = options.get("target-schema").value_or("");
  m.mapping_file = options.get("mapping").value_or("");
  m.identifier_case = options.get("identifier-case").value_or("");
  m.include = split_list(options.get("include"));
  m.exclude = split_list(options.get("exclude"));
  return m;
}

void write_report_file(const std::string& text, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  const bool written = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f == nullptr || std::fclose(f) != 0 || !written) {
    throw ConfigError("cannot write the report to " + path + ": " + std::strerror(errno));
  }
}

uint64_t parse_chunk_rows(const std::string& text) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size())
    throw ConfigError("--chunk-rows must be a number of rows (0: whole tables), not '" + text +
                      "'");
  return n;
}

// "512M", "2G", "1048576": a size in bytes, with an optional K, M or G suffix (powers of 1024).
uint64_t parse_size(const std::string& text, const char* option) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int shift = -1;
  if (unit.empty()) shift = 0;
  if (unit == "K" || unit == "k") shift = 10;
  if (unit == "M" || unit == "m") shift = 20;
  if (unit == "G" || unit == "g") shift = 30;
  if (ec != std::errc() || end == text.data() || shift < 0 || n > (UINT64_MAX >> shift)) {
    throw ConfigError(std::string(option) + " must be a size such as 512M or 2G, not '" + text +
                      "'");
  }
  return n << shift;
}

uint64_t parse_count(const std::string& text, const char* option, uint64_t low, uint64_t high) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < low || n > high) {
    throw ConfigError(std::string(option) + " must be a whole number from " + std::to_string(low) +
                      " to " + std::to_string(high) + ", not '" + text + "'");
  }
  return n;
}

double parse_seconds(const std::string& text, const char* option, double low, double high) {
  std::string_view t(text);
  if (t.size() > 1 && t.back() == 's') t.remove_suffix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || !(v >= low && v <= high)) {
    throw ConfigError(
        fmt::format("{} must be a number of seconds from {:g} to {:g} (e.g. 2 or 2s), "
                    "not '{}'",
                    option, low, high, text));
  }
  return v;
}

}  // namespace my2pg::cli
