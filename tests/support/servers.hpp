#pragma once
// Integration-test access to the sandbox servers (scripts/sandbox start exports MY2PG_SOURCE and
// MY2PG_TARGET). Each TestDatabases gets a database of its own on MariaDB, named uniquely, and
// drops it, its target schema and its control rows afterwards, so tests can run in parallel.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"

namespace my2pg::test {

class TestDatabases {
 public:
  TestDatabases();
  ~TestDatabases();

  const std::string& name() const { return m_name; }  // source database = default target schema
  std::string source_uri() const;                     // mysql://...@.../<name>
  const std::string& target_uri() const { return m_target_uri; }
  std::string admin_source_uri() const { return m_source_uri; }  // the sandbox's own database

  mysql::Connection& source();  // connected to <name>
  pg::Connection& target();

  // The single value of a PostgreSQL query (NULL as "<null>").
  std::string target_value(const std::string& sql);

 private:
  std::string m_name;
  std::string m_source_uri;
  std::string m_target_uri;
  std::unique_ptr<mysql::Connection> m_source;
  std::unique_ptr<pg::Connection> m_target;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the built my2pg binary with `args` (shell-quoted here) and extra environment assignments.
CommandResult run_my2pg(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {});

// The whole contents of a file ("" when it cannot be read).
std::string read_text_file(const std::string& path);

// Starts the built my2pg binary with `args` in the background (stdin on /dev/null, stdout and
// stderr into `output`) and returns its pid, for tests that kill it mid-run.
pid_t spawn_my2pg(const std::vector<std::string>& args, const std::string& output = "/dev/null");

// A PostgreSQL database of its own, with PostGIS installed in it; dropped on destruction.
struct PostgisDatabase {
  explicit PostgisDatabase(TestDatabases& db);
  ~PostgisDatabase();
  PostgisDatabase(const PostgisDatabase&) = delete;
  PostgisDatabase& operator=(const PostgisDatabase&) = delete;
  pg::Connection& admin;
  std::string name;
  std::string uri;
};

// Runs SQL text through the `mariadb` command-line client in the test's own database, so that
// client-side syntax (DELIMITER for triggers and routines) works as it does for users.
CommandResult run_mariadb_client(const TestDatabases& db, const std::string& sql);

// Runs a shell command; its standard output, or throws when it fails.
std::string shell(const std::string& command);

// A MariaDB and a PostgreSQL of the test's own (scripts/sandbox in a temporary folder), to
// restart, make read-only or measure at will without disturbing the tests that share the main
// sandbox.
struct PrivateSandbox {
  PrivateSandbox();
  ~PrivateSandbox();
  PrivateSandbox(const PrivateSandbox&) = delete;
  PrivateSandbox& operator=(const PrivateSandbox&) = delete;
  // Creates `name` on this server; its URI.
  std::string create_database(const std::string& name) const;
  std::string mariadbd_pid() const;
  void restart_mariadb() const;
  // Shuts PostgreSQL down (its sessions are ended), waits `down_seconds`, starts it again.
  void restart_postgres(int down_seconds) const;

  std::string dir;
  std::string source_base;  // mysql://user:pw@127.0.0.1:port (no database)
  std::string target_uri;   // postgresql://user:pw@127.0.0.1:port/sandbox
};

}  // namespace my2pg::test
