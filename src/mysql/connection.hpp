#pragma once
// RAII wrapper of a MariaDB Connector/C connection. Every client-library error becomes a
// SourceError at once, naming the server (without password), the error and the statement.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/row_set.hpp"
#include "mysql/endpoint.hpp"

struct st_mysql;
struct st_mysql_res;

namespace my2pg::mysql {

enum class Flavor { mysql, mariadb };

// Rows read one at a time from the server (mysql_use_result): memory stays flat however large
// the table. While a stream is open, its connection runs no other statement.
class RowStream {
 public:
  RowStream(RowStream&&) noexcept;
  RowStream& operator=(RowStream&&) = delete;
  ~RowStream();

  bool next();  // false at the end; throws SourceError when the server fails mid-stream
  size_t field_count() const { return m_fields; }
  bool is_null(size_t i) const { return m_row[i] == nullptr; }
  std::string_view field(size_t i) const { return {m_row[i], m_lengths[i]}; }

 private:
  friend class Connection;
  RowStream(st_mysql* conn, st_mysql_res* res, std::string context);

  st_mysql* m_conn;
  st_mysql_res* m_res;
  std::string m_context;
  size_t m_fields = 0;
  char** m_row = nullptr;
  unsigned long* m_lengths = nullptr;
};

class Connection {
 public:
  // `read_timeout`: seconds a read may wait for the server (0: no limit), for sessions that must
  // not hang on a half-open link.
  explicit Connection(const Endpoint& endpoint, unsigned read_timeout = 0);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  void execute(std::string_view sql);
  RowSet query(std::string_view sql);
  RowStream stream(std::string_view sql);

  Flavor flavor() const { return m_flavor; }
  const std::string& server_version() const { return m_version; }
  const Endpoint& endpoint() const { return m_endpoint; }
  std::string quote(std::string_view text);  // a string literal, escaped for this connection
  st_mysql* handle() { return m_conn; }      // for the replication API (binlog_stream)

 private:
  [[noreturn]] void fail(std::string_view what, std::string_view sql) const;

  Endpoint m_endpoint;
  st_mysql* m_conn = nullptr;
  Flavor m_flavor = Flavor::mysql;
  std::string m_version;
};

// `name` quoted as a MySQL identifier (`a``b`).
std::string quote_identifier(std::string_view name);

}  // namespace my2pg::mysql
