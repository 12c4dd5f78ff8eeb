#include "mysql/connection.hpp"

#include <mysql.h>

#include <mutex>
#include <utility>

#include "common/error.hpp"

namespace my2pg::mysql {
namespace {

std::string excerpt(std::string_view sql) {
  constexpr size_t kMax = 200;
  return sql.size() <= kMax ? std::string(sql) : std::string(sql.substr(0, kMax)) + "...";
}

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (mysql_library_init(0, nullptr, nullptr) != 0) {
      throw SourceError("could not initialise the MariaDB client library");
    }
    std::atexit([] { mysql_library_end(); });
  });
}

}  // namespace

RowStream::RowStream(st_mysql* conn, st_mysql_res* res, std::string context)
    : m_conn(conn), m_res(res), m_context(std::move(context)), m_fields(mysql_num_fields(res)) {}

RowStream::RowStream(RowStream&& other) noexcept
    : m_conn(other.m_conn),
      m_res(std::exchange(other.m_res, nullptr)),
      m_context(std::move(other.m_context)),
      m_fields(other.m_fields),
      m_row(other.m_row),
      m_lengths(other.m_lengths) {}

RowStream::~RowStream() {
  if (m_res != nullptr) mysql_free_result(m_res);  // drains unread rows
}

bool RowStream::next() {
  m_row = mysql_fetch_row(m_res);
  if (m_row == nullptr) {
    if (mysql_errno(m_conn) != 0) {
      throw SourceError("reading rows failed (" + std::to_string(mysql_errno(m_conn)) + ": " +
                        mysql_error(m_conn) + ") in: " + m_context);
    }
    return false;
  }
  m_lengths = mysql_fetch_lengths(m_res);
  return true;
}

Connection::Connection(const Endpoint& endpoint, unsigned read_timeout) : m_endpoint(endpoint) {
  init_library_once();
  m_conn = mysql_init(nullptr);
  if (m_conn == nullptr) throw SourceError("out of memory creating a MySQL connection handle");
  const unsigned timeout = 10;
  mysql_options(m_conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (read_timeout != 0) {
    mysql_options(m_conn, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_options(m_conn, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
  }
  mysql_options(m_conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!endpoint.socket.empty()) {
    const unsigned protocol = MYSQL_PROTOCOL_SOCKET;
    mysql_options(m_conn, MYSQL_OPT_PROTOCOL, &protocol);
  }
  if (mysql_real_connect(
          m_conn, endpoint.host.c_str(), endpoint.user.c_str(), endpoint.password.c_str(),
          endpoint.database.empty() ? nullptr : endpoint.database.c_str(), endpoint.port,
          endpoint.socket.empty() ? nullptr : endpoint.socket.c_str(), 0) == nullptr) {
    const std::string message = "cannot connect to the source " + endpoint.display() + " (" +
                                std::to_string(mysql_errno(m_conn)) + ": " + mysql_error(m_conn) +
                                "); check the URI, that the server runs, and the user's grants";
    const unsigned err = mysql_errno(m_conn);
    mysql_close(m_conn);
    throw SourceError(message, err);
  }
  m_version = mysql_get_server_info(m_conn);
  m_flavor = m_version.find("MariaDB") != std::string::npos ? Flavor::mariadb : Flavor::mysql;
}

Connection::~Connection() {
  mysql_close(m_conn);
}

void Connection::fail(std::string_view what, std::string_view sql) const {
  throw SourceError(std::string(what) + " on " + m_endpoint.display() + " (" +
                        std::to_string(mysql_errno(m_conn)) + ": " + mysql_error(m_conn) +
                        ") in: " + excerpt(sql),
                    mysql_errno(m_conn));
}

void Connection::execute(std::string_view sql) {
  if (mysql_real_query(m_conn, sql.data(), sql.size()) != 0) fail("statement failed", sql);
  if (MYSQL_RES* res = mysql_store_result(m_conn)) mysql_free_result(res);
}

RowSet Connection::query(std::string_view sql) {
  if (mysql_real_query(m_conn, sql.data(), sql.size()) != 0) fail("query failed", sql);
  MYSQL_RES* res = mysql_store_result(m_conn);
  if (res == nullptr) {
    if (mysql_field_count(m_conn) != 0) fail("reading the result failed", sql);
    return {};
  }
  RowSet out;
  const unsigned n = mysql_num_fields(res);
  const MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) out.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    auto& values = out.rows.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back();
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(res);
  return out;
}

RowStream Connection::stream(std::string_view sql) {
  if (mysql_real_query(m_conn, sql.data(), sql.size()) != 0) fail("query failed", sql);
  MYSQL_RES* res = mysql_use_result(m_conn);
  if (res == nullptr) fail("starting to read rows failed", sql);
  return RowStream(m_conn, res, excerpt(sql));
}

std::string Connection::quote(std::string_view text) {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long n =
      mysql_real_escape_string(m_conn, out.data() + 1, text.data(), text.size());
  out.resize(n + 1);
  out.push_back('\'');
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

}  // namespace my2pg::mysql
