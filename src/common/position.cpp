#include "common/position.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
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

using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;

// A MySQL GTID set as server (uuid, or "uuid:tag") -> sorted, merged intervals [first, last],
// with the servers in the order met. "uuid:1-5:7:tag:1-3" holds a tag's intervals after it.
struct MysqlSet {
  std::map<std::string, Intervals> sets;
  std::vector<std::string> order;
};

void merge(Intervals& intervals) {
  std::sort(intervals.begin(), intervals.end());
  Intervals merged;
  for (const auto& iv : intervals) {
    if (!merged.empty() && iv.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  intervals = std::move(merged);
}

MysqlSet parse_mysql_set(const std::string& set) {
  MysqlSet out;
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
        if (!out.sets.contains(current)) out.order.push_back(current);
        out.sets[current].emplace_back(a, b);
      } else {
        current = std::string(parts[0]) + ":" + std::string(p);  // a tag
      }
    }
  }
  for (auto& [name, intervals] : out.sets) merge(intervals);
  return out;
}

// MySQL: "uuid[:tag]:gno". The server part is everything before the last colon.
std::string advance_mysql(const std::string& set, const std::string& gtid) {
  const size_t colon = gtid.rfind(':');
  uint64_t gno = 0;
  if (colon == std::string::npos || !to_number(std::string_view(gtid).substr(colon + 1), gno))
    return set;
  const std::string server = gtid.substr(0, colon);
  MysqlSet parsed = parse_mysql_set(set);
  if (!parsed.sets.contains(server)) parsed.order.push_back(server);
  auto& intervals = parsed.sets[server];
  intervals.emplace_back(gno, gno);
  merge(intervals);
  std::sort(parsed.order.begin(), parsed.order.end());
  std::string out;
  for (const auto& name : parsed.order) {
    out.append(out.empty() ? "" : ",").append(name);
    for (const auto& [a, b] : parsed.sets[name]) {
      out.append(":").append(std::to_string(a));
      if (b != a) out.append("-").append(std::to_string(b));
    }
  }
  return out;
}

// How many numbers of `from` are not in `minus` (both merged).
uint64_t count_outside(const Intervals& from, const Intervals& minus) {
  uint64_t n = 0;
  for (auto [a, b] : from) {
    uint64_t covered = 0;
    for (const auto& [c, d] : minus) {
      const uint64_t lo = std::max(a, c), hi = std::min(b, d);
      if (lo <= hi) covered += hi - lo + 1;
    }
    n += (b - a + 1) - covered;
  }
  return n;
}

}  // namespace

std::optional<uint64_t> gtid_transactions_between(const std::string& applied,
                                                  const std::string& server) {
  if (server.empty()) return std::nullopt;
  if (server.find(':') == std::string::npos) {
    // MariaDB: per domain, the server's sequence number less the applied one.
    std::map<std::string, uint64_t> done;
    for (std::string_view entry : split(applied, ',')) {
      const size_t last = entry.rfind('-');
      uint64_t seq = 0;
      if (last == std::string_view::npos || !to_number(entry.substr(last + 1), seq))
        return std::nullopt;
      done[std::string(entry.substr(0, entry.find('-')))] = seq;
    }
    uint64_t n = 0;
    for (std::string_view entry : split(server, ',')) {
      const size_t last = entry.rfind('-');
      uint64_t seq = 0;
      if (last == std::string_view::npos || !to_number(entry.substr(last + 1), seq))
        return std::nullopt;
      const auto it = done.find(std::string(entry.substr(0, entry.find('-'))));
      const uint64_t have = it == done.end() ? 0 : it->second;
      if (seq > have) n += seq - have;
    }
    return n;
  }
  const MysqlSet a = parse_mysql_set(applied), s = parse_mysql_set(server);
  uint64_t n = 0;
  for (const auto& [name, intervals] : s.sets) {
    const auto it = a.sets.find(name);
    n += count_outside(intervals, it == a.sets.end() ? Intervals{} : it->second);
  }
  return n;
}

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
