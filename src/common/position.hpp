#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Orders two points of one server's binary log: binlog file names differ only in their
// fixed-width sequence number, so names compare as text. Negative, zero or positive.
int compare_positions(std::string_view file_a, uint64_t pos_a, std::string_view file_b,
                      uint64_t pos_b);

// "mariadb-bin.000002:1234" as file and position; ConfigError naming `option` otherwise.
BinlogPosition parse_file_position(const std::string& text, std::string_view option);

// The executed-GTID state after one more transaction, `gtid`:
//   MariaDB ("0-1-100,1-2-5" and "0-1-101"): the transaction's domain takes its position;
//   MySQL ("uuid:1-5:7,uuid2:1-3" and "uuid:6"): the number joins its server's intervals.
// Which form is told by `gtid`. An empty `gtid` leaves the set as it is.
std::string advance_gtid_set(const std::string& set, const std::string& gtid);

// How many transactions the server's executed set `server` holds that `applied` does not:
// MariaDB, per domain the server's sequence number less the applied one; MySQL, the numbers
// outside the applied intervals. nullopt when `server` is empty or not a GTID set.
std::optional<uint64_t> gtid_transactions_between(const std::string& applied,
                                                  const std::string& server);

}  // namespace my2pg
