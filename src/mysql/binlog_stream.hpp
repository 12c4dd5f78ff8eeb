#pragma once
// A live binlog stream from a server through MariaDB Connector/C's replication API, handing raw
// event bytes to the decoder. Checksums are negotiated to the server's own setting, heartbeats
// keep an idle connection alive, and MariaDB sources can be started from a GTID position.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "mysql/connection.hpp"

struct st_mariadb_rpl;
struct st_mariadb_rpl_event;

namespace my2pg::mysql {

struct StreamStart {
  std::string file;  // empty: with `gtid`, or the server's first binlog
  uint64_t position = 4;
  std::string gtid;         // MariaDB GTID list ("0-1-100,1-2-5"); empty: by file and position
  bool stop_at_end = true;  // read to the current end and stop, or follow forever
  uint32_t heartbeat_seconds = 1;  // server heartbeat while idle (following only)
};

class BinlogStream {
 public:
  BinlogStream(const Endpoint& endpoint, const StreamStart& start);
  ~BinlogStream();
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;

  // The next raw event, false at the end in stop_at_end mode. Bytes are valid until the next call.
  bool next(std::span<const uint8_t>& bytes);
  // Callable from another thread while next() blocks: shuts the connection's socket down, so
  // that next() fails (with a SourceError) instead of waiting for the server.
  void interrupt();
  // The server's checksum setting: "CRC32" or "NONE".
  const std::string& checksum() const { return m_checksum; }
  Flavor flavor() const { return m_conn.flavor(); }

 private:
  Connection m_conn;
  st_mariadb_rpl* m_rpl = nullptr;
  st_mariadb_rpl_event* m_event = nullptr;
  std::string m_checksum;
};

}  // namespace my2pg::mysql
