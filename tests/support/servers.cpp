#include "support/servers.hpp"

#include "mysql/endpoint.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace my2pg::test {
namespace {

std::string env_or_fail(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: integration tests need the sandbox servers; run "
                             "scripts/test, or eval \"$(scripts/sandbox start)\" before ctest");
  }
  return v;
}

std::string unique_name() {
  static std::atomic<int> counter{0};
  return "it_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

TestDatabases::TestDatabases()
    : m_name(unique_name()),
      m_source_uri(env_or_fail("MY2PG_SOURCE")),
      m_target_uri(env_or_fail("MY2PG_TARGET")) {
  mysql::Connection admin(mysql::Endpoint::parse(m_source_uri));
  admin.execute("CREATE DATABASE " + m_name + " CHARACTER SET utf8mb4");
}

TestDatabases::~TestDatabases() {
  try {
    m_source.reset();
    mysql::Connection admin(mysql::Endpoint::parse(m_source_uri));
    admin.execute("DROP DATABASE IF EXISTS " + m_name);
    pg::Connection& pg = target();
    pg.execute("DROP SCHEMA IF EXISTS " + m_name + " CASCADE");
    pg.execute(
        "DO $$ BEGIN IF to_regclass('my2pg.snapshot') IS NOT NULL THEN "
        "DELETE FROM my2pg.snapshot WHERE source_database = '" +
        m_name +
        "'; END IF; IF to_regclass('my2pg.replica') IS NOT NULL THEN "
        "DELETE FROM my2pg.replica WHERE source_database = '" +
        m_name +
        "'; "
        "DELETE FROM my2pg.schema_history WHERE source_database = '" +
        m_name +
        "'; END IF; IF to_regclass('my2pg.replica_progress') IS NOT NULL THEN "
        "DELETE FROM my2pg.replica_progress WHERE source_database = '" +
        m_name + "'; DELETE FROM my2pg.cutover WHERE source_database = '" + m_name +
        "'; DELETE FROM my2pg.paused_table WHERE source_database = '" + m_name +
        "'; END IF; END $$");
  } catch (const std::exception&) {
    // Cleanup is best effort: the sandbox is thrown away at the end of the run anyway.
  }
}

std::string TestDatabases::source_uri() const {
  auto ep = mysql::Endpoint::parse(m_source_uri);
  return "mysql://" + ep.user + ":" + ep.password + "@" + ep.host + ":" + std::to_string(ep.port) +
         "/" + m_name;
}

mysql::Connection& TestDatabases::source() {
  if (!m_source)
    m_source = std::make_unique<mysql::Connection>(mysql::Endpoint::parse(source_uri()));
  return *m_source;
}

pg::Connection& TestDatabases::target() {
  if (!m_target) m_target = std::make_unique<pg::Connection>(m_target_uri);
  return *m_target;
}

std::string TestDatabases::target_value(const std::string& sql) {
  const RowSet r = target().query(sql);
  if (r.rows.size() != 1 || r.rows[0].size() != 1) {
    throw std::runtime_error("expected one value from: " + sql);
  }
  return r.rows[0][0].value_or("<null>");
}

namespace {

// Runs `command` (a shell command line, its output redirected here) and collects its result.
CommandResult run_captured(const std::string& command, const std::string& input = {}) {
  char dir_template[] = "/tmp/my2pg-run-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::string stdin_from = "/dev/null";
  if (!input.empty()) {
    stdin_from = dir + "/in";
    std::FILE* f = std::fopen(stdin_from.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + stdin_from);
    std::fwrite(input.data(), 1, input.size(), f);
    std::fclose(f);
  }
  const std::string cmd = command + " <" + stdin_from + " >" + dir + "/out 2>" + dir + "/err";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text_file(dir + "/out");
  r.err = read_text_file(dir + "/err");
  std::system(("rm -rf " + dir).c_str());
  return r;
}

}  // namespace

CommandResult run_my2pg(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::string cmd = "env";
  for (const auto& e : env) cmd += " " + shell_quote(e);
  cmd += " " + shell_quote(MY2PG_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_captured(cmd);
}

CommandResult run_mariadb_client(const TestDatabases& db, const std::string& sql) {
  const mysql::Endpoint ep = mysql::Endpoint::parse(db.source_uri());
  std::string cmd = "env MYSQL_PWD=" + shell_quote(ep.password) + " mariadb --batch";
  if (!ep.socket.empty()) {
    cmd += " --socket=" + shell_quote(ep.socket);
  } else {
    cmd += " --host=" + shell_quote(ep.host) + " --port=" + std::to_string(ep.port);
  }
  cmd += " --user=" + shell_quote(ep.user) + " " + shell_quote(ep.database);
  return run_captured(cmd, sql);
}

pid_t spawn_my2pg(const std::vector<std::string>& args, const std::string& output) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, 0);
    dup2(out, 1);
    dup2(out, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(MY2PG_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(MY2PG_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

PostgisDatabase::PostgisDatabase(TestDatabases& db) : admin(db.target()), name(db.name() + "_gis") {
  admin.execute("CREATE DATABASE " + name);
  uri = db.target_uri().substr(0, db.target_uri().rfind('/') + 1) + name;
  pg::Connection(uri).execute("CREATE EXTENSION postgis");
}

PostgisDatabase::~PostgisDatabase() {
  try {
    admin.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
  return out;
}

PrivateSandbox::PrivateSandbox() {
  char pattern[] = "/tmp/my2pg-restart-XXXXXX";
  const char* made = mkdtemp(pattern);
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  dir = made;
  shell("chmod 755 " + dir);
  const std::string env =
      shell(std::string(MY2PG_SCRIPTS_DIR) + "/sandbox start --dir " + dir + "/sb 2>&1");
  auto exported = [&](const std::string& name) {
    const size_t at = env.find(name + "='");
    if (at == std::string::npos) throw std::runtime_error("no " + name + " in: " + env);
    const size_t start = at + name.size() + 2;
    return env.substr(start, env.find('\'', start) - start);
  };
  const std::string uri = exported("MY2PG_SOURCE");
  source_base = uri.substr(0, uri.rfind('/'));
  target_uri = exported("MY2PG_TARGET");
}

PrivateSandbox::~PrivateSandbox() {
  try {
    shell(std::string(MY2PG_SCRIPTS_DIR) + "/sandbox stop --dir " + dir + "/sb >/dev/null 2>&1");
    shell("rm -rf " + dir);
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort
  }
}

std::string PrivateSandbox::create_database(const std::string& name) const {
  mysql::Connection admin(mysql::Endpoint::parse(source_base + "/sandbox"));
  admin.execute("CREATE DATABASE " + name);
  return source_base + "/" + name;
}

std::string PrivateSandbox::mariadbd_pid() const {
  return shell("cat " + dir + "/sb/mariadb/mariadbd.pid");
}

void PrivateSandbox::restart_mariadb() const {
  shell(std::string(MY2PG_SCRIPTS_DIR) + "/sandbox restart-mariadb --dir " + dir +
        "/sb >/dev/null 2>&1");
}

void PrivateSandbox::restart_postgres(int down_seconds) const {
  shell(std::string(MY2PG_SCRIPTS_DIR) + "/sandbox restart-postgres --dir " + dir + "/sb " +
        std::to_string(down_seconds) + " >/dev/null 2>&1");
}

}  // namespace my2pg::test
