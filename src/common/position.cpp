#include "common/position.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "common/error.hpp"

namespace my2pg {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(separator, start), text.size());
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\n')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\n')) part.remove_suffix(1);
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

bool to_number(std::string_view text, uint64_t& n) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// MariaDB "domain-server-seq".
bool is_mariadb_gtid(std::string_view gtid) {
  return std::count(gtid.begin(), gtid.end(), '-') == 2 && gtid.find(':') == std::string::npos;
}

std::string advance_mariadb(const std::string& set, const std::string& gtid) {
  const std::string_view domain = std::string_view(gtid).substr(0, gtid.find('-'));
  std::string out;
  bool replaced = false;
  for (std::string_view entry : split(set, ',')) {
    if (entry.substr(0, entry.find('-')) == domain) {
      entry = gtid;
      replaced = true;
    }
    out.append(out.empty() ? "" : ",").append(entry);
  }
  if (!replaced) out.append(out.empty() ? "" : ",").append(gtid);
  return out;
}

// MySQL: "uuid[:tag]:gno". The server part is everything before the last colon.
std::string advance_mysql(const std::string& set, const std::string& gtid) {
  const size_t colon = gtid.rfind(':');
  uint64_t gno = 0;
  if (colon == std::string::npos || !to_number(std::string_view(gtid).substr(colon + 1), gno))
    return set;
  const std::string server = gtid.substr(0, colon);
  // server -> intervals [first, last]; "uuid:1-5:7:tag:1-3" holds a tag's intervals after it.
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> sets;
  std::vector<std::string> order;
  for (std::string_view entry : split(set, ',')) {
    const auto parts = split(entry, ':');
    if (parts.empty()) continue;
    std::string current(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string_view p = parts[i];
      const size_t dash = p.find('-');
      uint64_t a = 0, b = 0;
      if (to_number(p.substr(0, dash), a) &&
          (dash == std::string_view::npos ? (b = a, true) : to_number(p.substr(dash + 1), b))) {
        if (!sets.contains(current)) order.push_back(current);
        sets[current].emplace_back(a, b);
      } else {
        current = std::string(parts[0]) + ":" + std::string(p);  // a tag
      }
    }
  }
  if (!sets.contains(server)) order.push_back(server);
  auto& intervals = sets[server];
  intervals.emplace_back(gno, gno);
  std::sort(intervals.begin(), intervals.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& iv : intervals) {
    if (!merged.empty() && iv.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  intervals = merged;
  std::sort(order.begin(), order.end());
  std::string out;
  for (const auto& name : order) {
    out.append(out.empty() ? "" : ",").append(name);
    for (const auto& [a, b] : sets[name]) {
      out.append(":").append(std::to_string(a));
      if (b != a) out.append("-").append(std::to_string(b));
    }
  }
  return out;
}

}  // namespace

int compare_positions(std::string_view file_a, uint64_t pos_a, std::string_view file_b,
                      uint64_t pos_b) {
  if (file_a != file_b) {
    // Same base name: the longer sequence number is the later (after .999999 comes .1000000).
    if (file_a.size() != file_b.size()) return file_a.size() < file_b.size() ? -1 : 1;
    return file_a < file_b ? -1 : 1;
  }
  if (pos_a == pos_b) return 0;
  return pos_a < pos_b ? -1 : 1;
}

BinlogPosition parse_file_position(const std::string& text, std::string_view option) {
  const size_t colon = text.rfind(':');
  const std::string opt(option);
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError(opt + " takes FILE:POSITION, e.g. " + opt + " mariadb-bin.000002:4 (got '" +
                      text + "')");
  }
  BinlogPosition p;
  p.file = text.substr(0, colon);
  if (!to_number(std::string_view(text).substr(colon + 1), p.pos))
    throw ConfigError(opt + " position '" + text.substr(colon + 1) + "' is not a number");
  if (p.pos < 4) throw ConfigError(opt + " position must be 4 or more (binlog files start at 4)");
  return p;
}

std::string advance_gtid_set(const std::string& set, const std::string& gtid) {
  if (gtid.empty() || gtid == "ANONYMOUS") return set;
  return is_mariadb_gtid(gtid) ? advance_mariadb(set, gtid) : advance_mysql(set, gtid);
}

}  // namespace my2pg
