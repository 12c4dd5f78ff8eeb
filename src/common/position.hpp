#pragma once
#include <cstdint>
#include <string>

namespace my2pg {

// A point in the source's binary log: file and byte offset, and the GTID set executed up to it
// (MySQL: a GTID set; MariaDB: a GTID list, one position per domain). `file` empty: unknown.
struct BinlogPosition {
  std::string file;
  uint64_t pos = 0;
  std::string gtid_set;

  bool known() const { return !file.empty(); }
  std::string display() const {
    if (!known()) return "(no binary log)";
    return file + ":" + std::to_string(pos) + (gtid_set.empty() ? "" : " gtid " + gtid_set);
  }
};

}  // namespace my2pg
