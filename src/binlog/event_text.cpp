// Text forms of identifiers carried by events (UUIDs, GTIDs and GTID sets), and the checked
// accessors of row images.
#include <cstdio>
#include <stdexcept>

#include "binlog/events.hpp"
#include "binlog/value_format.hpp"

namespace my2pg::binlog {

const Value& ImageValues::at(size_t i) const {
  if (i >= m_size) {
    throw std::out_of_range("row image value " + std::to_string(i) + " of " +
                            std::to_string(m_size));
  }
  return m_data[i];
}

bool ColumnBits::at(size_t i) const {
  if (i >= m_count) {
    throw std::out_of_range("row image column " + std::to_string(i) + " of " +
                            std::to_string(m_count));
  }
  return (*this)[i];
}

std::vector<bool> ColumnBits::to_vector() const {
  std::vector<bool> out(m_count);
  for (size_t i = 0; i < m_count; ++i) out[i] = (*this)[i];
  return out;
}

std::string Uuid::str() const {
  std::string out;
  out.reserve(36);
  append_uuid(bytes, out);
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
    if (!e.tag.empty()) out.append(":").append(e.tag);
    for (const auto& iv : e.intervals) {
      out.append(":").append(std::to_string(iv.start));
      if (iv.end - 1 != iv.start) out.append("-").append(std::to_string(iv.end - 1));
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
