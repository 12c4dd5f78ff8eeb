// Text forms of identifiers carried by events: UUIDs, GTIDs and GTID sets.
#include <cstdio>

#include "binlog/events.hpp"

namespace my2pg::binlog {

std::string Uuid::str() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

std::string GtidEvent::gtid() const {
  if (anonymous) return "ANONYMOUS";
  return sid.str() + (tag.empty() ? "" : ":" + tag) + ":" + std::to_string(gno);
}

std::string PreviousGtidsEvent::str() const {
  std::string out;
  for (const auto& e : sets) {
    if (!out.empty()) out += ",";
    out += e.sid.str();
    if (!e.tag.empty()) out += ":" + e.tag;
    for (const auto& iv : e.intervals) {
      out += ":" + std::to_string(iv.start);
      if (iv.end - 1 != iv.start) out += "-" + std::to_string(iv.end - 1);
    }
  }
  return out;
}

std::string MariaGtidEvent::gtid(uint32_t server_id) const {
  return std::to_string(domain_id) + "-" + std::to_string(server_id) + "-" + std::to_string(seq_no);
}

std::string GtidListEvent::str() const {
  std::string out;
  for (const auto& g : gtids) {
    if (!out.empty()) out += ",";
    out += std::to_string(g.domain_id) + "-" + std::to_string(g.server_id) + "-" +
           std::to_string(g.seq_no);
  }
  return out;
}

}  // namespace my2pg::binlog
