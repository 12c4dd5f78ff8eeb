#include "mysql/binlog_stream.hpp"

// mysql.h must come first: mariadb_rpl.h relies on its declarations.
// clang-format off
#include <mysql.h>
#include <mariadb_rpl.h>
// clang-format on

#include <sys/socket.h>

#include <random>

#include "common/error.hpp"

namespace my2pg::mysql {
namespace {

// A replica needs a server id of its own; use one from a range real replicas rarely take.
uint32_t replica_server_id() {
  std::random_device rd;
  return 0x7FF00000U + (rd() % 0x000FFFFFU);
}

}  // namespace

BinlogStream::BinlogStream(const Endpoint& endpoint, const StreamStart& start) : m_conn(endpoint) {
  const RowSet checksum = m_conn.query("SELECT @@global.binlog_checksum");
  m_checksum = checksum.rows.at(0).at(0).value_or("NONE");
  // Ask for events with the server's checksums rather than stripped of them.
  m_conn.execute("SET @master_binlog_checksum = @@global.binlog_checksum");
  if (!start.stop_at_end) {
    m_conn.execute("SET @master_heartbeat_period = " +
                   std::to_string(uint64_t{start.heartbeat_seconds} * 1000000000ULL));
  }
  if (m_conn.flavor() == Flavor::mariadb) {
    m_conn.execute("SET @mariadb_slave_capability = 4");  // GTID and annotate events as they are
    if (!start.gtid.empty()) {
      m_conn.execute("SET @slave_connect_state = " + m_conn.quote(start.gtid));
      m_conn.execute("SET @slave_gtid_strict_mode = 1");
      m_conn.execute("SET @slave_gtid_ignore_duplicates = 0");
    }
  } else if (!start.gtid.empty()) {
    throw ConfigError(
        "starting a MySQL stream from a GTID set needs COM_BINLOG_DUMP_GTID, which "
        "MariaDB Connector/C 3.3 does not send; start from a file and position "
        "(--start FILE:POS) instead");
  }
  m_rpl = mariadb_rpl_init(m_conn.handle());
  if (m_rpl == nullptr) throw SourceError("cannot create a replication handle: out of memory");
  const std::string file = start.gtid.empty() ? start.file : std::string();
  mariadb_rpl_optionsv(m_rpl, MARIADB_RPL_FILENAME, file.c_str(), file.size());
  mariadb_rpl_optionsv(m_rpl, MARIADB_RPL_START,
                       static_cast<unsigned long>(start.gtid.empty() ? start.position : 4));
  mariadb_rpl_optionsv(m_rpl, MARIADB_RPL_SERVER_ID, replica_server_id());
  mariadb_rpl_optionsv(
      m_rpl, MARIADB_RPL_FLAGS,
      static_cast<unsigned int>(start.stop_at_end ? MARIADB_RPL_BINLOG_DUMP_NON_BLOCK : 0));
  if (mariadb_rpl_open(m_rpl) != 0) {
    const std::string message = mariadb_rpl_error(m_rpl);
    const unsigned err = mysql_errno(m_conn.handle());
    mariadb_rpl_close(m_rpl);
    m_rpl = nullptr;
    throw SourceError(
        "cannot start reading the binary log of " + endpoint.display() + " (" + message +
            "); check that the binlog is on, the start position exists (not purged) and "
            "the user has REPLICATION SLAVE",
        err);
  }
}

BinlogStream::~BinlogStream() {
  if (m_event != nullptr) mariadb_free_rpl_event(m_event);
  if (m_rpl != nullptr) mariadb_rpl_close(m_rpl);
}

void BinlogStream::interrupt() {
  const my_socket fd = mysql_get_socket(m_conn.handle());
  if (fd != MARIADB_INVALID_SOCKET) ::shutdown(fd, SHUT_RDWR);
}

bool BinlogStream::next(std::span<const uint8_t>& bytes) {
  m_event = mariadb_rpl_fetch(m_rpl, m_event);
  if (m_event == nullptr) {
    const unsigned err = mysql_errno(m_conn.handle());
    if (err == 0) return false;  // end of the binlog in read-to-end mode
    constexpr unsigned ER_MASTER_FATAL_ERROR_READING_BINLOG = 1236;
    if (err == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
      throw SourceError(
          "the server cannot send its binary log from the requested start (" + std::to_string(err) +
              ": " + mysql_error(m_conn.handle()) +
              "): the file or position does not exist, was purged, or the GTID is not in "
              "the binlog; start from a position the server still has (SHOW BINARY LOGS)",
          err);
    }
    throw SourceError("reading the binary log of " + m_conn.endpoint().display() + " failed (" +
                          std::to_string(err) + ": " + mysql_error(m_conn.handle()) + ")",
                      err);
  }
  // raw_data includes the OK byte that precedes each event in the protocol.
  const size_t skip = m_event->raw_data_size > 0 && m_event->raw_data[0] == 0 ? 1 : 0;
  bytes = std::span<const uint8_t>(m_event->raw_data + skip, m_event->raw_data_size - skip);
  return true;
}

}  // namespace my2pg::mysql
