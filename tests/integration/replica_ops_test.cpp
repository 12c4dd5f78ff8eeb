// Operating a replica against real servers: the three lags on an idle source and behind a
// paused applier, `my2pg status` and `my2pg wait`, Prometheus metrics scraped over HTTP, and
// `my2pg cutover` under a running write workload. Tests that change server-wide settings
// (read_only) or count every transaction of the server run on a MariaDB of their own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "monitor/http_server.hpp"
#include "monitor/metrics.hpp"
#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "replica/hold.hpp"
#include "replica/monitor.hpp"
#include "replica/replicate.hpp"
#include "replica/status.hpp"
#include "snapshot/source_snapshot.hpp"
#include "support/servers.hpp"

using my2pg::test::CommandResult;
using my2pg::test::PrivateSandbox;
using my2pg::test::run_my2pg;
using my2pg::test::spawn_my2pg;
using my2pg::test::TestDatabases;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Polls `done` every 100 ms for up to `seconds`; false when it never held.
bool wait_until(const std::function<bool()>& done, double seconds) {
  const auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

my2pg::replica::ReplicaStatus status_of(const std::string& target, const std::string& db) {
  const auto all = my2pg::replica::read_status(target, db, "");
  REQUIRE(all.size() == 1);
  return all.front();
}

// The exit code of a child, waiting at most `seconds`; -1 when it is still running.
int wait_exit(pid_t pid, double seconds) {
  const auto start = Clock::now();
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (seconds_since(start) > seconds) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// A running replicate (the built binary) that is stopped with SIGTERM at the end.
struct Follower {
  explicit Follower(const std::vector<std::string>& args) : pid(spawn_my2pg(args)) {}
  ~Follower() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      if (wait_exit(pid, 20) < 0) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
    }
  }
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;
  int stop() {
    kill(pid, SIGTERM);
    const int code = wait_exit(pid, 30);
    pid = 0;
    return code;
  }
  pid_t pid;
};

// Waits until the replicate process reports, following and caught up with the source.
void wait_following(const std::string& target, const std::string& db) {
  const bool ok = wait_until(
      [&] {
        const auto all = my2pg::replica::read_status(target, db, "");
        return all.size() == 1 && all[0].running && all[0].phase == "following" &&
               all[0].lag.apply_seconds == 0.0;
      },
      120);
  REQUIRE(ok);
}

// GET http://127.0.0.1:port/path: the whole response, headers included ("" if none).
std::string http_get(uint16_t port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n = 0;
      while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

// The samples of a Prometheus text exposition: "name{labels}" -> value.
std::map<std::string, double> parse_metrics(const std::string& response) {
  std::map<std::string, double> samples;
  const size_t body = response.find("\r\n\r\n");
  size_t at = body == std::string::npos ? 0 : body + 4;
  while (at < response.size()) {
    size_t end = response.find('\n', at);
    if (end == std::string::npos) end = response.size();
    const std::string line = response.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    const std::string value = line.substr(space + 1);
    samples[line.substr(0, space)] = value == "NaN"    ? std::nan("")
                                     : value == "+Inf" ? HUGE_VAL
                                                       : std::stod(value);
  }
  return samples;
}

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A write workload on its own thread and connection: `step(connection, i)` runs one source
// transaction (or throws), with `pause_ms` between steps, until stop(); it counts the steps
// that returned and keeps the first error.
struct Workload {
  Workload(const std::string& uri, std::function<void(my2pg::mysql::Connection&, int)> step,
           int pause_ms) {
    thread = std::thread([this, uri, step = std::move(step), pause_ms] {
      try {
        my2pg::mysql::Connection app(my2pg::mysql::Endpoint::parse(uri));
        for (int i = 0; !done; ++i) {
          step(app, i);
          ++transactions;
          std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        }
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
  }
  ~Workload() { stop(); }
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;
  // Waits for the thread; the error it met, if any ("" otherwise).
  std::string stop() {
    done = true;
    if (thread.joinable()) thread.join();
    return error;
  }
  std::atomic<bool> done{false};
  std::atomic<int> transactions{0};
  std::string error;
  std::thread thread;
};

// run_replicate on a thread of this process, for tests that set options the command line has
// no flag for; stop() ends it as SIGTERM would and rethrows what it threw.
struct InProcessReplica {
  explicit InProcessReplica(my2pg::replica::ReplicateOptions options) : r(std::move(options)) {
    r.stop = &stopping;
    thread = std::thread([this] {
      try {
        report = my2pg::replica::run_replicate(r);
      } catch (...) {
        failure = std::current_exception();
      }
      ended = true;
    });
  }
  ~InProcessReplica() {
    if (thread.joinable()) {
      stopping = true;
      thread.join();
    }
  }
  InProcessReplica(const InProcessReplica&) = delete;
  InProcessReplica& operator=(const InProcessReplica&) = delete;
  void stop() {
    stopping = true;
    thread.join();
    if (failure) std::rethrow_exception(failure);
  }
  my2pg::replica::ReplicateOptions r;
  std::atomic<bool> stopping{false}, ended{false};
  my2pg::replica::ReplicateReport report;  // once ended
  std::exception_ptr failure;
  std::thread thread;
};

}  // namespace

TEST_CASE("an idle source shows zero lag for two minutes", "[status]") {
  TestDatabases db;
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
  Follower follower({"replicate", "--source", uri, "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());
  src.execute("INSERT INTO t VALUES (3, 3)");  // one change, then nothing for minutes
  REQUIRE(wait_until(
      [&] { return db.target_value("SELECT count(*) FROM " + db.name() + ".t") == "3"; }, 30));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto start = Clock::now();
  int samples = 0;
  while (seconds_since(start) < 120) {
    const auto s = status_of(db.target_uri(), db.name());
    INFO("sample " << samples << " at " << seconds_since(start) << " s");
    CHECK(s.running);
    CHECK(s.lag_from == "replicate");
    CHECK(my2pg::replica::wall_seconds() - s.lag_as_of < 3.5);  // reported once a second
    REQUIRE(s.lag.source_seconds.has_value());
    REQUIRE(s.lag.apply_seconds.has_value());
    CHECK(*s.lag.source_seconds == 0.0);
    CHECK(*s.lag.apply_seconds == 0.0);
    CHECK(s.lag.bytes == uint64_t{0});
    CHECK(s.lag.transactions == uint64_t{0});
    ++samples;
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  CHECK(samples >= 20);
  // The JSON form, as scripts read it.
  const CommandResult json =
      run_my2pg({"status", "--target", db.target_uri(), "--source", uri, "--json"});
  INFO(json.err);
  REQUIRE(json.exit_code == 0);
  const std::string mine = json.out.substr(json.out.find("\"source_database\":\"" + db.name()));
  CHECK(mine.find("\"running\":true") != std::string::npos);
  CHECK(mine.find("\"apply_seconds\":0.000") != std::string::npos);
  CHECK(mine.find("\"position_transactions\":0") != std::string::npos);
  CHECK(mine.find("\"inserted\":1") != std::string::npos);  // t: one insert replicated this run
  CHECK(follower.stop() == 0);
  const auto after = status_of(db.target_uri(), db.name());
  CHECK_FALSE(after.running);
  CHECK(after.state == "stopped");
  CHECK(after.phase == "not running");
}

TEST_CASE("a paused applier shows apply and position lag matching the backlog written",
          "[status]") {
  TestDatabases db;
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40))");
  Follower follower({"replicate", "--source", uri, "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());
  const my2pg::BinlogPosition before = my2pg::snapshot::current_binlog_position(src);

  // The applier blocks on this lock with its first batch; the stream goes on being read.
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE " + db.name() + ".t IN ACCESS EXCLUSIVE MODE");
  const auto first_write = Clock::now();
  constexpr int kTransactions = 40;
  for (int i = 1; i <= kTransactions; ++i) {
    src.execute("INSERT INTO t VALUES (" + std::to_string(i) + ", 'row " + std::to_string(i) +
                "')");
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const my2pg::BinlogPosition after = my2pg::snapshot::current_binlog_position(src);
  REQUIRE(after.file == before.file);
  std::this_thread::sleep_for(std::chrono::seconds(3));

  const auto s = status_of(db.target_uri(), db.name());
  const double waited = seconds_since(first_write) - (my2pg::replica::wall_seconds() - s.lag_as_of);
  INFO("lag as of " << waited << " s after the first write");
  REQUIRE(s.lag.transactions.has_value());
  CHECK(*s.lag.transactions == kTransactions);
  REQUIRE(s.lag.bytes.has_value());
  CHECK(*s.lag.bytes == after.pos - before.pos);
  REQUIRE(s.lag.apply_seconds.has_value());
  CHECK(*s.lag.apply_seconds >= waited - 0.5);
  CHECK(*s.lag.apply_seconds <= waited + 2.0);
  CHECK(s.lag.source_seconds == 0.0);  // everything was read; only applying waits
  CHECK(s.server.pos == after.pos);
  CHECK(s.applied.pos == before.pos);

  // `my2pg wait` gives up after its timeout with exit code 9 while the applier is held.
  const CommandResult held = run_my2pg(
      {"wait", "--target", db.target_uri(), "--source", uri, "--max-lag", "1", "--timeout", "2"});
  CHECK(held.exit_code == 9);
  CHECK(held.err.find("did not get within 1.0 s") != std::string::npos);

  locker.execute("COMMIT");
  const CommandResult waited_ok = run_my2pg({"wait", "--target", db.target_uri(), "--source", uri,
                                             "--max-lag", "0.5", "--timeout", "60"});
  INFO(waited_ok.err);
  CHECK(waited_ok.exit_code == 0);
  REQUIRE(wait_until(
      [&] {
        const auto now = status_of(db.target_uri(), db.name());
        return now.lag.transactions == uint64_t{0} && now.lag.bytes == uint64_t{0};
      },
      30));
  CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".t") ==
        std::to_string(kTransactions));
  CHECK(follower.stop() == 0);

  // Stopped: status computes the lags itself from the source.
  src.execute("INSERT INTO t VALUES (1000, 'after')");
  const auto all = my2pg::replica::read_status(db.target_uri(), "", uri);
  const my2pg::replica::ReplicaStatus* mine = nullptr;
  for (const auto& r : all) mine = r.source_database == db.name() ? &r : mine;
  REQUIRE(mine != nullptr);
  CHECK(mine->lag_from == "source");
  CHECK(mine->lag.transactions == uint64_t{1});
  CHECK(mine->lag.bytes.value_or(0) > 0);
  // ... and `wait` says nothing runs that would close it.
  const CommandResult idle =
      run_my2pg({"wait", "--target", db.target_uri(), "--source", uri, "--max-lag", "0"});
  CHECK(idle.exit_code == 2);
  CHECK(idle.err.find("no my2pg replicate is running") != std::string::npos);
}

TEST_CASE("replica metrics are served over HTTP in the Prometheus format", "[metrics]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1000, 0)");
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);

  if (std::getenv("MY2PG_TEST_DEBUG") != nullptr) spdlog::set_level(spdlog::level::debug);
  my2pg::monitor::Registry registry;
  const my2pg::monitor::MetricsServer server("127.0.0.1:0", [&] { return registry.render(); });
  my2pg::replica::ReplicateOptions r;
  r.source_uri = db.source_uri();
  r.target_uri = db.target_uri();
  r.metrics = &registry;
  InProcessReplica follower(r);
  for (int i = 1; i <= 30; ++i)
    src.execute("INSERT INTO t VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
  src.execute("UPDATE t SET v = v + 1 WHERE id <= 10");
  src.execute("DELETE FROM t WHERE id > 25");  // 26 to 30, and 1000
  const std::string table = db.name() + ".t";
  std::map<std::string, double> m;
  std::string scraped;
  const bool applied = wait_until(
      [&] {
        scraped = http_get(server.port(), "/metrics");
        m = parse_metrics(scraped);
        const std::string key =
            "my2pg_replica_rows_applied_total{table=\"" + table + "\",kind=\"delete\"}";
        return m.count(key) != 0 && m[key] == 6 && m["my2pg_replica_apply_lag_seconds"] == 0.0;
      },
      30);
  follower.stop();
  INFO(scraped);
  REQUIRE(applied);
  CHECK(m["my2pg_replica_rows_applied_total{table=\"" + table + "\",kind=\"insert\"}"] == 30);
  CHECK(m["my2pg_replica_rows_applied_total{table=\"" + table + "\",kind=\"update\"}"] == 10);
  CHECK(m["my2pg_replica_transactions_applied_total"] == 32);
  CHECK(m["my2pg_replica_events_received_total"] > 32 * 3);
  CHECK(m["my2pg_replica_source_lag_seconds"] == 0.0);
  CHECK(m["my2pg_replica_position_lag_bytes"] == 0.0);
  CHECK(m["my2pg_replica_position_lag_transactions"] == 0.0);
  CHECK(m["my2pg_replica_reconnects_total"] == 0);
  CHECK(m["my2pg_replica_batch_rows_count"] >= 1);
  CHECK(m["my2pg_replica_batch_rows_bucket{le=\"+Inf\"}"] == m["my2pg_replica_batch_rows_count"]);
  CHECK(m["my2pg_replica_batch_rows_sum"] == 46);
  CHECK(m["my2pg_replica_batch_commit_seconds_count"] == m["my2pg_replica_batch_rows_count"]);

  SECTION("the command line serves them with --metrics-listen, snapshot progress included") {
    TestDatabases db2;
    db2.source().execute("CREATE TABLE a (id INT PRIMARY KEY)");
    db2.source().execute("CREATE TABLE b (id INT PRIMARY KEY)");
    db2.source().execute("INSERT INTO a VALUES (1), (2), (3)");
    const uint16_t port = free_port();
    Follower cli({"replicate", "--source", db2.source_uri(), "--target", db2.target_uri(),
                  "--metrics-listen", "127.0.0.1:" + std::to_string(port)});
    std::map<std::string, double> c;
    const bool served = wait_until(
        [&] {
          c = parse_metrics(http_get(port, "/metrics"));
          return c.count("my2pg_snapshot_tables{state=\"done\"}") != 0 &&
                 c["my2pg_snapshot_tables{state=\"done\"}"] == 2 &&
                 c.count("my2pg_replica_apply_lag_seconds") != 0;
        },
        60);
    REQUIRE(served);
    CHECK(c["my2pg_snapshot_rows_copied"] == 3);
    CHECK(c["my2pg_snapshot_tables{state=\"waiting\"}"] == 0);
    CHECK(http_get(port, "/nothing").find("404") != std::string::npos);
    CHECK(cli.stop() == 0);
  }
}

TEST_CASE("cutover under a running write workload ends read-only equal and writable in PG",
          "[cutover]") {
  TestDatabases db;
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute(
      "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, note "
      "VARCHAR(40))");
  src.execute("CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL)");
  for (int i = 0; i < 100; ++i) src.execute("INSERT INTO orders (v, note) VALUES (1, 'seed')");
  // The application's account: no SUPER, no READ ONLY ADMIN, so read_only stops it.
  src.execute("CREATE USER app@'%' IDENTIFIED BY 'app-pass'");
  src.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + db.name() + ".* TO app@'%'");
  auto ep = my2pg::mysql::Endpoint::parse(uri);
  const std::string app_uri =
      "mysql://app:app-pass@" + ep.host + ":" + std::to_string(ep.port) + "/" + db.name();

  Follower follower({"replicate", "--source", uri, "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());

  SECTION("--dry-run shows the plan and changes nothing") {
    const CommandResult plan = run_my2pg({"cutover", "--source", uri, "--target", db.target_uri(),
                                          "--set-source-read-only", "--dry-run"});
    INFO(plan.err);
    CHECK(plan.exit_code == 0);
    CHECK(plan.out.find("dry run: nothing changed") != std::string::npos);
    CHECK(plan.out.find("read_only = ON") != std::string::npos);
    CHECK(plan.out.find("wait (up to 600 s) until the running replicate") != std::string::npos);
    CHECK(src.query("SELECT @@GLOBAL.read_only").rows[0][0] == "0");
    CHECK(status_of(db.target_uri(), db.name()).state == "following");
  }

  SECTION("the switch") {
    std::atomic<int> refused{0};
    Workload workload(
        app_uri,
        [&](my2pg::mysql::Connection& app, int i) {
          try {
            app.execute("START TRANSACTION");
            app.execute("INSERT INTO orders (v, note) VALUES (" + std::to_string(i) + ", 'w')");
            app.execute("INSERT INTO items (order_id) VALUES (LAST_INSERT_ID())");
            app.execute("UPDATE orders SET v = v + 1 WHERE id = " + std::to_string(1 + i % 100));
            if (i % 7 == 0)
              app.execute("DELETE FROM orders WHERE id = " + std::to_string(1 + (i * 13) % 100));
            app.execute("COMMIT");
          } catch (const my2pg::SourceError& e) {
            app.execute("ROLLBACK");
            if (e.server_errno() != 1290) throw;  // --read-only: refused, as it should be
            ++refused;
          }
        },
        20);
    REQUIRE(wait_until([&] { return workload.transactions - refused >= 50; }, 60));
    const std::string report_file = sandbox.dir + "/cutover.json";
    const CommandResult cut =
        run_my2pg({"cutover", "--source", uri, "--target", db.target_uri(),
                   "--set-source-read-only", "--timeout", "120", "--report", report_file});
    INFO("stdout: " << cut.out << "\nstderr: " << cut.err);
    CHECK(cut.exit_code == 0);
    REQUIRE(wait_until([&] { return refused >= 3; }, 10));
    CHECK(workload.stop().empty());
    CHECK(src.query("SELECT @@GLOBAL.read_only").rows[0][0] == "1");
    const std::string report = my2pg::test::read_text_file(report_file);
    CHECK(report.find("\"equal\":true") != std::string::npos);
    CHECK(report.find("\"source_read_only\":true") != std::string::npos);
    for (const char* event : {"writes stopped", "caught up", "verified", "detached", "done"})
      CHECK(report.find(std::string("\"event\":\"") + event + "\"") != std::string::npos);
    CHECK(cut.out.find("write downtime") != std::string::npos);
    CHECK(db.target_value("SELECT count(*) FROM my2pg.cutover WHERE equal AND source_database = '" +
                          db.name() + "' AND report->>'source_read_only' = 'true'") == "1");

    // The follower stopped on its own (detached), and will not resume.
    CHECK(wait_exit(follower.pid, 30) == 0);
    follower.pid = 0;
    CHECK(status_of(db.target_uri(), db.name()).state == "detached");
    const CommandResult again =
        run_my2pg({"replicate", "--source", uri, "--target", db.target_uri()});
    CHECK(again.exit_code == 2);
    CHECK(again.err.find("detached") != std::string::npos);
    const CommandResult twice =
        run_my2pg({"cutover", "--source", uri, "--target", db.target_uri()});
    CHECK(twice.exit_code == 2);
    CHECK(twice.err.find("detached already") != std::string::npos);

    // Both sides equal, by plain aggregates too.
    for (const char* table : {"orders", "items"}) {
      const std::string sql = std::string("SELECT count(*), coalesce(sum(id), 0) FROM ") + table;
      const auto s = src.query(sql);
      const std::string pg_sql = std::string(
                                     "SELECT count(*)::text || ' ' || coalesce(sum(id), 0)"
                                     "::text FROM ") +
                                 db.name() + "." + table;
      CHECK(db.target_value(pg_sql) == s.rows[0][0].value_or("") + " " + s.rows[0][1].value_or(""));
    }
    CHECK(db.target_value("SELECT sum(v) FROM " + db.name() + ".orders") ==
          src.query("SELECT sum(v) FROM orders").rows[0][0].value_or(""));
    // New rows in PostgreSQL get ids past every copied and replicated one.
    const std::string max_id = src.query("SELECT max(id) FROM orders").rows[0][0].value_or("0");
    const std::string new_id = db.target_value("INSERT INTO " + db.name() +
                                               ".orders (v, note) VALUES (7, 'pg') RETURNING id");
    CHECK(std::stoll(new_id) > std::stoll(max_id));
    CHECK_NOTHROW(db.target().execute("INSERT INTO " + db.name() + ".items (order_id) VALUES (" +
                                      new_id + ")"));
  }
}

TEST_CASE("status wait and cutover explain what is missing", "[status]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  // No replica yet.
  const CommandResult status =
      run_my2pg({"status", "--target", db.target_uri(), "--source", db.source_uri()});
  CHECK(status.exit_code == 2);
  CHECK(status.out.find("no replica in this target") != std::string::npos);
  const CommandResult wait =
      run_my2pg({"wait", "--target", db.target_uri(), "--source", db.source_uri()});
  CHECK(wait.exit_code == 2);
  CHECK(wait.err.find("holds no replica of " + db.name()) != std::string::npos);
  const CommandResult cut =
      run_my2pg({"cutover", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(cut.exit_code == 2);
  CHECK(cut.err.find("run my2pg replicate first") != std::string::npos);
  const CommandResult bad = run_my2pg({"wait", "--target", db.target_uri(), "--max-lag", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--max-lag must be a number of seconds") != std::string::npos);
  const CommandResult port = run_my2pg({"replicate", "--source", db.source_uri(), "--target",
                                        db.target_uri(), "--metrics-listen", "127.0.0.1:http"});
  CHECK(port.exit_code == 2);
  CHECK(port.err.find("127.0.0.1:http") != std::string::npos);
}

TEST_CASE("verify compares both sides at one position while replication runs", "[verify]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE acct (id INT PRIMARY KEY, balance INT NOT NULL, note VARCHAR(40))");
  std::string rows;
  for (int i = 1; i <= 500; ++i)
    rows += (i == 1 ? "(" : ", (") + std::to_string(i) + ", 100, 'seed')";
  src.execute("INSERT INTO acct VALUES " + rows);
  Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());

  // Transfers among ids 1 to 400, new rows from 20000, deletes of new rows: never idle.
  Workload workload(
      db.source_uri(),
      [](my2pg::mysql::Connection& app, int i) {
        const int a = 1 + (i * 37) % 400, b = 1 + (i * 91 + 7) % 400;
        app.execute("START TRANSACTION");
        app.execute("UPDATE acct SET balance = balance - 1 WHERE id = " + std::to_string(a));
        app.execute("UPDATE acct SET balance = balance + 1 WHERE id = " + std::to_string(b));
        app.execute("INSERT INTO acct VALUES (" + std::to_string(20000 + i) + ", 5, 'new')");
        if (i % 3 == 0) app.execute("DELETE FROM acct WHERE id = " + std::to_string(20000 + i / 2));
        app.execute("COMMIT");
      },
      2);
  const std::vector<std::string> verify = {
      "verify", "--source", db.source_uri(), "--target", db.target_uri(), "--chunk-rows", "100"};
  for (int round = 0; round < 3; ++round) {
    const int before = workload.transactions;
    const CommandResult v = run_my2pg(verify);
    INFO("round " << round << "\nstdout: " << v.out << "\nstderr: " << v.err);
    CHECK(v.exit_code == 0);
    CHECK(v.out.find("both sides compared as of that position") != std::string::npos);
    CHECK(workload.transactions > before);  // the workload ran during the comparison
  }

  // Rows the workload never touches, changed on the target only: found by key.
  auto& pg = db.target();
  pg.execute("UPDATE " + db.name() + ".acct SET note = 'tampered' WHERE id = 450");
  pg.execute("DELETE FROM " + db.name() + ".acct WHERE id = 460");
  pg.execute("INSERT INTO " + db.name() + ".acct VALUES (10000, 1, 'extra')");
  std::vector<std::string> with_report = verify;
  const std::string report_file = "/tmp/my2pg-verify-" + db.name() + ".json";
  with_report.insert(with_report.end(), {"--report", report_file});
  const CommandResult differs = run_my2pg(with_report);
  CHECK(workload.stop().empty());
  INFO("stdout: " << differs.out << "\nstderr: " << differs.err);
  CHECK(differs.exit_code == 6);
  CHECK(differs.out.find("id=450") != std::string::npos);
  CHECK(differs.out.find("id=460") != std::string::npos);
  CHECK(differs.out.find("id=10000") != std::string::npos);
  const std::string report = my2pg::test::read_text_file(report_file);
  std::remove(report_file.c_str());
  CHECK(report.find("\"aligned_with_replica\":true") != std::string::npos);
  CHECK(report.find("{\"kind\":\"different\",\"key\":\"id=450\"}") != std::string::npos);
  CHECK(report.find("{\"kind\":\"missing\",\"key\":\"id=460\"}") != std::string::npos);
  CHECK(report.find("{\"kind\":\"extra\",\"key\":\"id=10000\"}") != std::string::npos);
  CHECK(follower.stop() == 0);

  // Stopped and behind: verify says the differences may be changes not applied yet.
  src.execute("UPDATE acct SET balance = 0 WHERE id = 1");
  const CommandResult behind = run_my2pg(verify);
  CHECK(behind.exit_code == 6);
  CHECK(behind.out.find("no replicate runs: differences may be changes not applied yet") !=
        std::string::npos);
}

TEST_CASE("cutover stops on a differing target and on a replica that cannot catch up",
          "[cutover]") {
  TestDatabases db;
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t (v) VALUES (1), (2), (3)");
  Follower follower({"replicate", "--source", uri, "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());

  SECTION("a target row changed behind the replica's back: exit 6, still attached") {
    db.target().execute("UPDATE " + db.name() + ".t SET v = 99 WHERE id = 2");
    const CommandResult cut = run_my2pg({"cutover", "--source", uri, "--target", db.target_uri()});
    INFO(cut.out << cut.err);
    CHECK(cut.exit_code == 6);
    CHECK(cut.out.find("STOPPED: the target differs from the source") != std::string::npos);
    CHECK(cut.out.find("different id=2") != std::string::npos);
    CHECK(cut.out.find("the replica stays attached") != std::string::npos);
    CHECK(status_of(db.target_uri(), db.name()).state == "following");
    CHECK(db.target_value("SELECT count(*) FROM my2pg.cutover WHERE NOT equal AND "
                          "source_database = '" +
                          db.name() + "'") == "1");
  }

  SECTION("an applier held up past --timeout: exit 9, and the source left read-only says so") {
    my2pg::pg::Connection locker(db.target_uri());
    locker.execute("BEGIN");
    locker.execute("LOCK TABLE " + db.name() + ".t IN ACCESS EXCLUSIVE MODE");
    src.execute("INSERT INTO t (v) VALUES (4)");
    const CommandResult cut = run_my2pg({"cutover", "--source", uri, "--target", db.target_uri(),
                                         "--set-source-read-only", "--timeout", "2"});
    INFO(cut.out << cut.err);
    CHECK(cut.exit_code == 9);
    CHECK(cut.err.find("did not reach the source's final position") != std::string::npos);
    CHECK(cut.err.find("The source was left read-only; SET GLOBAL read_only = OFF") !=
          std::string::npos);
    CHECK(src.query("SELECT @@GLOBAL.read_only").rows[0][0] == "1");
    CHECK(db.target_value("SELECT report->'timeline'->-1->>'event' FROM my2pg.cutover WHERE "
                          "source_database = '" +
                          db.name() + "'") == "failed");
    locker.execute("COMMIT");
    src.execute("SET GLOBAL read_only = OFF");
    CHECK(status_of(db.target_uri(), db.name()).state == "following");
  }
}

TEST_CASE("a detach while a batch waits ends replicate cleanly without that batch", "[cutover]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE " + db.name() + ".t IN ACCESS EXCLUSIVE MODE");
  src.execute("INSERT INTO t VALUES (2, 2)");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // its batch waits on the lock
  db.target().execute("UPDATE my2pg.replica SET state = 'detached' WHERE source_database = '" +
                      db.name() + "'");
  locker.execute("COMMIT");
  CHECK(wait_exit(follower.pid, 30) == 0);
  follower.pid = 0;
  CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".t") == "1");
  CHECK(status_of(db.target_uri(), db.name()).state == "detached");
}

TEST_CASE("holds that nobody answers or nobody lifts do not stop replication for good",
          "[verify]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);
  my2pg::replica::ReplicateOptions r;
  r.source_uri = db.source_uri();
  r.target_uri = db.target_uri();
  r.hold_limit_seconds = 3;
  InProcessReplica follower(r);
  auto count = [&] { return db.target_value("SELECT count(*) FROM " + db.name() + ".t"); };
  wait_following(db.target_uri(), db.name());

  SECTION("a verify that died holding it: the replica goes on after its limit") {
    db.target().execute("INSERT INTO my2pg.replica_hold (source_database, state) VALUES ('" +
                        db.name() + "', 'requested')");
    REQUIRE(wait_until(
        [&] {
          return db.target_value("SELECT state FROM my2pg.replica_hold WHERE source_database = '" +
                                 db.name() + "'") == "paused";
        },
        10));
    src.execute("INSERT INTO t VALUES (1, 1)");
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    CHECK(count() == "0");                                  // held
    CHECK(wait_until([&] { return count() == "1"; }, 10));  // the limit passed
  }
  SECTION("a hold older than a minute is removed by the monitor") {
    db.target().execute(
        "INSERT INTO my2pg.replica_hold (source_database, state, requested_at) VALUES ('" +
        db.name() + "', 'requested', now() - interval '2 minutes')");
    CHECK(wait_until(
        [&] {
          return db.target_value(
                     "SELECT count(*) FROM my2pg.replica_hold WHERE "
                     "source_database = '" +
                     db.name() + "'") == "0";
        },
        10));
    src.execute("INSERT INTO t VALUES (2, 2)");
    CHECK(wait_until([&] { return count() == "1"; }, 10));
  }
  SECTION("verify gives up on a replica that cannot pause, naming it") {
    my2pg::pg::Connection locker(db.target_uri());
    locker.execute("BEGIN");
    locker.execute("LOCK TABLE " + db.name() + ".t IN ACCESS EXCLUSIVE MODE");
    src.execute("INSERT INTO t VALUES (3, 3)");
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    my2pg::replica::ReplicaHold hold(db.target_uri(), db.name(), 2);
    REQUIRE(hold.active());
    CHECK_THROWS_WITH(hold.before(), Catch::Contains("the running replicate of " + db.name() +
                                                     " did not pause within 2 s"));
    locker.execute("COMMIT");
    CHECK(wait_until([&] { return count() == "1"; }, 10));
  }
  follower.stop();
}

// While replicate waits out a conflict on the target (here a lock its statements give up on
// after 300 ms, and 20 s before the first try again), a verify's hold is answered at once and
// says why the replica cannot move on, and a cutover's detach ends the wait.
TEST_CASE("a replica waiting out a conflict answers holds and detaches", "[status]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  REQUIRE(run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                     "--until", "caught-up"})
              .exit_code == 0);
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE \"" + db.name() + "\".t IN EXCLUSIVE MODE");
  src.execute("INSERT INTO t VALUES (2, 2)");
  my2pg::replica::ReplicateOptions options;
  options.source_uri = db.source_uri();
  options.target_uri = db.target_uri() + "?options=-c%20lock_timeout%3D300";
  options.reconnect_initial = 20;
  InProcessReplica replica(options);
  REQUIRE(
      wait_until([&] { return status_of(db.target_uri(), db.name()).phase == "retrying"; }, 20));
  {
    my2pg::replica::ReplicaHold hold(db.target_uri(), db.name(), 2);
    REQUIRE(hold.active());
    hold.before();  // paused where it committed, long before the wait is over
    CHECK_THROWS_WITH(
        hold.advance_to(my2pg::snapshot::current_binlog_position(src)),
        Catch::Contains("did not reach the source snapshot's position within 2 s: it waits out "
                        "a conflict on the target") &&
            Catch::Contains("lock timeout") && Catch::Contains("run this again once"));
  }
  // cutover cannot drain it either, and says why.
  const CommandResult cutover = run_my2pg(
      {"cutover", "--source", db.source_uri(), "--target", db.target_uri(), "--timeout", "1"});
  CHECK(cutover.exit_code != 0);
  CHECK_THAT(cutover.err, Catch::Contains("did not reach the source's final position") &&
                              Catch::Contains("it waits out a conflict on the target") &&
                              Catch::Contains("lock timeout"));
  db.target().execute("UPDATE my2pg.replica SET state = 'detached' WHERE source_database = '" +
                      db.name() + "'");
  CHECK(wait_until([&] { return replica.ended.load(); }, 10));  // the wait was 20 s
  replica.stop();
  CHECK(replica.report.detached);
  locker.execute("COMMIT");
}

TEST_CASE("a heartbeat table on the source gives end-to-end lag", "[status]") {
  TestDatabases db;
  auto& src = db.source();
  const std::string hb_db = db.name() + "_hb";
  struct DropAfter {
    my2pg::mysql::Connection& src;
    std::string name;
    ~DropAfter() {
      try {
        src.execute("DROP DATABASE IF EXISTS " + name);
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort
      }
    }
  } drop{src, hb_db};
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);

  SECTION("malformed names and the replicated database are refused") {
    const CommandResult bare = run_my2pg({"replicate", "--source", db.source_uri(), "--target",
                                          db.target_uri(), "--heartbeat-table", "beat"});
    CHECK(bare.exit_code == 2);
    CHECK(bare.err.find("--heartbeat-table takes DATABASE.TABLE") != std::string::npos);
    const CommandResult same =
        run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                   "--heartbeat-table", db.name() + ".beat"});
    CHECK(same.exit_code == 2);
    CHECK(same.err.find("put the table in a database of its own") != std::string::npos);
  }

  SECTION("small while caught up, growing while the applier waits") {
    Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                       "--heartbeat-table", hb_db + ".beat"});
    auto e2e = [&]() -> std::optional<double> {
      const auto all = my2pg::replica::read_status(db.target_uri(), db.name(), "");
      if (all.empty()) return std::nullopt;
      return all.front().lag.end_to_end_seconds;
    };
    REQUIRE(wait_until([&] { return e2e().has_value(); }, 60));
    for (int i = 0; i < 5; ++i) {
      const auto lag = e2e();
      REQUIRE(lag.has_value());
      CHECK(*lag < 2.5);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    CHECK(src.query("SELECT count(*) FROM " + hb_db + ".beat").rows[0][0] == "1");
    CHECK(db.target_value("SELECT to_regclass('" + db.name() + ".beat') IS NULL") == "t");

    my2pg::pg::Connection locker(db.target_uri());
    locker.execute("BEGIN");
    locker.execute("LOCK TABLE " + db.name() + ".t IN ACCESS EXCLUSIVE MODE");
    src.execute("INSERT INTO t VALUES (1)");  // its batch waits; heartbeats after it too
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const auto held = e2e();
    REQUIRE(held.has_value());
    CHECK(*held >= 3.0);
    locker.execute("COMMIT");
    CHECK(wait_until(
        [&] {
          const auto lag = e2e();
          return lag && *lag < 2.5;
        },
        20));
    CHECK(follower.stop() == 0);
  }
}

TEST_CASE("resync copies a damaged table again while replication goes on", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE acct (id INT PRIMARY KEY, balance INT NOT NULL)");
  src.execute("CREATE TABLE other (id INT PRIMARY KEY)");
  std::string rows;
  for (int i = 1; i <= 300; ++i) rows += (i == 1 ? "(" : ", (") + std::to_string(i) + ", 100)";
  src.execute("INSERT INTO acct VALUES " + rows);
  const std::vector<std::string> verify = {"verify", "--source", db.source_uri(), "--target",
                                           db.target_uri()};
  const std::string acct = db.name() + ".acct";

  SECTION("errors name what is missing") {
    const CommandResult none =
        run_my2pg({"resync", "--source", db.source_uri(), "--target", db.target_uri()});
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("resync needs --table") != std::string::npos);
    const CommandResult no_replica = run_my2pg(
        {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "acct"});
    CHECK(no_replica.exit_code == 2);
    CHECK(no_replica.err.find("holds no replica of " + db.name()) != std::string::npos);
    REQUIRE(run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                       "--until", "caught-up"})
                .exit_code == 0);
    const CommandResult unknown = run_my2pg(
        {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "nope"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("--table nope: " + db.name() + " has no replicated table") !=
          std::string::npos);
    CHECK(unknown.err.find("acct, other") != std::string::npos);
  }

  SECTION("with replicate running under writes") {
    Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri()});
    wait_following(db.target_uri(), db.name());
    Workload workload(
        db.source_uri(),
        [](my2pg::mysql::Connection& app, int i) {
          app.execute("START TRANSACTION");
          app.execute("UPDATE acct SET balance = balance - 1 WHERE id = " +
                      std::to_string(1 + i % 100));
          app.execute("UPDATE acct SET balance = balance + 1 WHERE id = " +
                      std::to_string(1 + (i * 7) % 100));
          app.execute("INSERT INTO acct VALUES (" + std::to_string(1000 + i) + ", 1)");
          app.execute("INSERT INTO other VALUES (" + std::to_string(i) + ")");
          app.execute("COMMIT");
        },
        3);
    REQUIRE(wait_until([&] { return workload.transactions > 50; }, 30));
    // Damage the copy behind the replica's back, in rows the workload never touches (ids 1 to
    // 100 and from 1000): replicate would stop at a change to a row the target lacks.
    db.target().execute("DELETE FROM " + acct + " WHERE id BETWEEN 200 AND 210");
    db.target().execute("UPDATE " + acct + " SET balance = -1 WHERE id = 150");
    const CommandResult damaged = run_my2pg(verify);
    CHECK(damaged.exit_code == 6);
    const int before = workload.transactions;
    const CommandResult r = run_my2pg(
        {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "acct"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("with the running replica held there for") != std::string::npos);
    CHECK(r.out.find(acct) != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(workload.transactions > before);  // the source kept writing, the replica followed
    const CommandResult equal = run_my2pg(verify);
    INFO(equal.out);
    CHECK(equal.exit_code == 0);
    CHECK(workload.stop().empty());
    CHECK(follower.stop() == 0);
  }

  SECTION("with no replicate running: the next one skips what the new copy holds") {
    REQUIRE(run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                       "--until", "caught-up"})
                .exit_code == 0);
    src.execute("UPDATE acct SET balance = 7 WHERE id <= 20");
    src.execute("INSERT INTO acct VALUES (5000, 5)");
    src.execute("INSERT INTO other VALUES (1)");
    db.target().execute("DELETE FROM " + acct + " WHERE id > 250");
    const CommandResult r = run_my2pg(
        {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "acct"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("no replicate runs: the next one skips what the copy holds") !=
          std::string::npos);
    // The copy holds the update and the insert; replaying them would find them applied.
    src.execute("UPDATE acct SET balance = 8 WHERE id = 5000");
    const CommandResult caught = run_my2pg({"replicate", "--source", db.source_uri(), "--target",
                                            db.target_uri(), "--until", "caught-up"});
    INFO(caught.err);
    CHECK(caught.exit_code == 0);
    const CommandResult equal = run_my2pg(verify);
    INFO(equal.out);
    CHECK(equal.exit_code == 0);
    CHECK(db.target_value("SELECT balance FROM " + acct + " WHERE id = 5000") == "8");
    CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".other") == "1");
  }
}

TEST_CASE("a failing table is paused while the others go on and resync brings it back",
          "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE a (id INT PRIMARY KEY, v INT)");
  src.execute("CREATE TABLE b (id INT PRIMARY KEY)");
  src.execute("INSERT INTO a VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)");
  const std::vector<std::string> follow = {"replicate", "--source",      db.source_uri(),
                                           "--target",  db.target_uri(), "--on-table-error",
                                           "pause"};
  auto target_count = [&](const std::string& table) {
    return db.target_value("SELECT count(*) FROM " + db.name() + "." + table);
  };
  auto follower = std::make_unique<Follower>(follow);
  wait_following(db.target_uri(), db.name());

  db.target().execute("DELETE FROM " + db.name() + ".a WHERE id = 5");  // behind its back
  src.execute("UPDATE a SET v = 50 WHERE id = 5");  // a change to a row the target lacks
  src.execute("INSERT INTO b VALUES (1)");
  REQUIRE(wait_until([&] { return target_count("b") == "1"; }, 30));  // b goes on
  const auto s = status_of(db.target_uri(), db.name());
  CHECK(s.running);
  bool seen = false;
  for (const auto& t : s.tables) {
    if (t.source != db.name() + ".a") continue;
    seen = true;
    CHECK(t.state == "paused");
    CHECK(t.error.find("no longer equals the source") != std::string::npos);
  }
  CHECK(seen);
  src.execute("INSERT INTO a VALUES (100, 1)");
  src.execute("INSERT INTO b VALUES (2)");
  REQUIRE(wait_until([&] { return target_count("b") == "2"; }, 30));
  CHECK(target_count("a") == "4");  // a's changes wait

  // A new run keeps it paused.
  CHECK(follower->stop() == 0);
  follower = std::make_unique<Follower>(follow);
  src.execute("INSERT INTO b VALUES (3)");
  REQUIRE(wait_until([&] { return target_count("b") == "3"; }, 60));
  CHECK(target_count("a") == "4");

  // No cutover while a table is behind, even without verification.
  const CommandResult cutover = run_my2pg(
      {"cutover", "--source", db.source_uri(), "--target", db.target_uri(), "--no-verify"});
  CHECK(cutover.exit_code == 6);
  CHECK_THAT(cutover.err, Catch::Contains("are paused") && Catch::Contains(": a.") &&
                              Catch::Contains("my2pg resync --table a"));
  CHECK(status_of(db.target_uri(), db.name()).state == "following");

  const CommandResult r = run_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "a"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(db.target_value("SELECT count(*) FROM my2pg.paused_table WHERE source_database = '" +
                        db.name() + "'") == "0");
  CHECK(target_count("a") == "6");               // 1 to 5 and 100, as the source has them
  src.execute("INSERT INTO a VALUES (101, 1)");  // applied again from the copy's position on
  REQUIRE(wait_until([&] { return target_count("a") == "7"; }, 30));
  const CommandResult equal =
      run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(equal.out);
  CHECK(equal.exit_code == 0);
  CHECK(follower->stop() == 0);
}

TEST_CASE("resync refuses a busy replica and re-pauses a table whose copy fails", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE d (id INT PRIMARY KEY, at DATETIME)");
  src.execute("CREATE TABLE b (id INT PRIMARY KEY)");
  src.execute("INSERT INTO d VALUES (1, '2024-01-01 00:00:00')");
  const std::vector<std::string> resync = {
      "resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "d"};

  SECTION("a hold of another tool, and a replicate starting meanwhile") {
    REQUIRE(run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                       "--until", "caught-up"})
                .exit_code == 0);
    // Not running, but its lock taken (a replicate starting): resync must not copy under it.
    my2pg::pg::Connection other(db.target_uri());
    other.query("SELECT pg_advisory_lock(hashtext('my2pg replicate ' || $1))", {db.name()});
    const CommandResult starting = run_my2pg(resync);
    CHECK(starting.exit_code == 2);
    CHECK(starting.err.find("is starting or running; run resync again") != std::string::npos);
    other.query("SELECT pg_advisory_unlock(hashtext('my2pg replicate ' || $1))", {db.name()});

    Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri()});
    wait_following(db.target_uri(), db.name());
    db.target().execute("INSERT INTO my2pg.replica_hold (source_database, state) VALUES ('" +
                        db.name() + "', 'requested')");
    const CommandResult held = run_my2pg(resync);
    CHECK(held.exit_code == 4);
    CHECK(held.err.find("another my2pg verify, resync or cutover holds the replica") !=
          std::string::npos);
    db.target().execute("DELETE FROM my2pg.replica_hold WHERE source_database = '" + db.name() +
                        "'");
    CHECK(follower.stop() == 0);
  }

  SECTION("a copy that fails leaves the table paused, a fixed source lets it through") {
    Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                       "--on-table-error", "pause"});
    wait_following(db.target_uri(), db.name());
    src.execute("SET SESSION sql_mode = ''");
    src.execute("INSERT INTO d VALUES (7, '0000-00-00 00:00:00')");
    src.execute("INSERT INTO b VALUES (1)");
    auto paused = [&] {
      return db.target_value("SELECT count(*) FROM my2pg.paused_table WHERE source_database = '" +
                             db.name() + "' AND source_table = 'd'");
    };
    REQUIRE(wait_until([&] { return paused() == "1"; }, 30));
    const CommandResult failed = run_my2pg(resync);
    CHECK(failed.exit_code == 5);  // the copy meets the same value
    CHECK(failed.err.find("zero") != std::string::npos);
    CHECK(failed.err.find("--on-error") == std::string::npos);  // migrate's, not resync's
    CHECK(paused() == "1");  // paused again, before its lock went
    src.execute("UPDATE d SET at = '2024-01-07 00:00:00' WHERE id = 7");
    const CommandResult fixed = run_my2pg(resync);
    INFO(fixed.err);
    CHECK(fixed.exit_code == 0);
    CHECK(paused() == "0");
    src.execute("INSERT INTO d VALUES (8, '2024-01-08 00:00:00')");
    REQUIRE(wait_until(
        [&] { return db.target_value("SELECT count(*) FROM " + db.name() + ".d") == "3"; }, 30));
    CHECK(
        run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
        0);
    CHECK(follower.stop() == 0);
  }
}

// A resync killed while it copies (SIGKILL, or Ctrl-C) has let the running replica go on with
// the table already; its copy never commits. The table must stay paused, its old rows untouched
// by the changes that follow, until a resync finishes.
TEST_CASE("a resync killed during its copy leaves the table paused", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE d (id INT PRIMARY KEY, at DATETIME, pad VARCHAR(200))");
  src.execute("CREATE TABLE b (id INT PRIMARY KEY)");
  src.execute(
      "INSERT INTO d SELECT seq, '2024-01-01 00:00:00', REPEAT('x', 200) FROM "
      "seq_1_to_100000");
  Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                     "--on-table-error", "pause"});
  wait_following(db.target_uri(), db.name());
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO d VALUES (0, '0000-00-00 00:00:00', '')");
  const std::string where =
      " FROM my2pg.paused_table WHERE source_database = '" + db.name() + "' AND source_table = 'd'";
  REQUIRE(wait_until([&] { return db.target_value("SELECT count(*)" + where) == "1"; }, 30));
  src.execute("UPDATE d SET at = '2024-01-02 00:00:00' WHERE id = 0");
  const std::string target_rows = "SELECT count(*) FROM " + db.name() + ".d";
  const std::string before = db.target_value(target_rows);

  const pid_t resync = my2pg::test::spawn_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "d"});
  REQUIRE(resync > 0);
  // Its copy has begun once its transaction holds the pause row (deleted, not committed).
  const bool copying = wait_until(
      [&] {
        return db.target_value("SELECT count(*) FROM (SELECT 1" + where +
                               " FOR KEY SHARE SKIP LOCKED) AS p") == "0";
      },
      30);
  // Changes of the table now wait for the copy's lock on it.
  src.execute("INSERT INTO d VALUES (200000, '2024-01-03 00:00:00', '')");
  src.execute("DELETE FROM d WHERE id = 5");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(resync, SIGKILL);
  int status = 0;
  waitpid(resync, &status, 0);
  REQUIRE(copying);
  src.execute("INSERT INTO b VALUES (1)");
  src.execute("INSERT INTO d VALUES (200002, '2024-01-05 00:00:00', '')");
  src.execute("INSERT INTO b VALUES (2)");
  REQUIRE(wait_until(
      [&] { return db.target_value("SELECT count(*) FROM " + db.name() + ".b") == "2"; }, 30));
  CHECK(db.target_value("SELECT count(*)" + where) == "1");
  CHECK_THAT(db.target_value("SELECT error" + where),
             Catch::Contains("the resync that took " + db.name() + ".d back did not finish") &&
                 Catch::Contains("my2pg resync --table d again"));
  CHECK(db.target_value(target_rows) == before);  // nothing applied on top of the old rows
  CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".d WHERE id = 5") == "1");

  const CommandResult again = run_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "d"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(db.target_value("SELECT count(*)" + where) == "0");
  src.execute("INSERT INTO d VALUES (200001, '2024-01-04 00:00:00', '')");
  REQUIRE(wait_until([&] { return db.target_value(target_rows) == "100003"; }, 30));
  const CommandResult equal =
      run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(equal.out);
  CHECK(equal.exit_code == 0);
  CHECK(follower.stop() == 0);
}

// A table and the child its foreign-key actions reach are paused together; the child copied
// alone would miss the parent's actions while the parent stays paused.
TEST_CASE("resync copies a paused child together with its paused parent", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE p (id INT PRIMARY KEY, d DATETIME)");
  src.execute(
      "CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES "
      "p (id) ON DELETE CASCADE)");
  src.execute("INSERT INTO p VALUES (1, '2024-01-01 00:00:00'), (2, '2024-01-01 00:00:00')");
  src.execute("INSERT INTO c VALUES (10, 1), (20, 2)");
  const std::vector<std::string> follow = {"replicate", "--source",         db.source_uri(),
                                           "--target",  db.target_uri(),    "--until",
                                           "caught-up", "--on-table-error", "pause"};
  REQUIRE(run_my2pg(follow).exit_code == 0);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("UPDATE p SET d = '0000-00-00 00:00:00' WHERE id = 1");
  REQUIRE(run_my2pg(follow).exit_code == 0);
  CHECK(db.target_value("SELECT string_agg(source_table, ',' ORDER BY source_table) FROM "
                        "my2pg.paused_table WHERE source_database = '" +
                        db.name() + "'") == "c,p");
  const std::vector<std::string> resync = {"resync", "--source", db.source_uri(), "--target",
                                           db.target_uri()};
  std::vector<std::string> child = resync;
  child.insert(child.end(), {"--table", "c"});
  const CommandResult alone = run_my2pg(child);
  CHECK(alone.exit_code == 2);
  CHECK_THAT(alone.err, Catch::Contains("foreign key c_p takes actions") &&
                            Catch::Contains("copy them together: --table c,p"));
  std::vector<std::string> both = resync;
  both.insert(both.end(), {"--table", "c,p"});
  src.execute("UPDATE p SET d = '2024-01-02 00:00:00' WHERE id = 1");
  const CommandResult together = run_my2pg(both);
  INFO(together.err);
  CHECK(together.exit_code == 0);
  src.execute("DELETE FROM p WHERE id = 2");
  REQUIRE(run_my2pg(follow).exit_code == 0);
  CHECK(db.target_value("SELECT string_agg(id::text, ',') FROM " + db.name() + ".c") == "10");
  CHECK(run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
        0);
}

// resync reads the table's definition before its snapshot begins; one changed in between would
// be copied without its change (a new column's values lost). It is refused instead.
TEST_CASE("resync refuses a table altered while it started", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE a (id INT PRIMARY KEY, v INT)");
  src.execute("CREATE TABLE b (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO a VALUES (1, 1), (2, 2)");
  src.execute("INSERT INTO b VALUES (1, 1)");
  Follower follower({"replicate", "--source", db.source_uri(), "--target", db.target_uri()});
  wait_following(db.target_uri(), db.name());
  // The replica busy (waiting for a lock), so that resync waits for its hold after reading the
  // definitions.
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE " + db.name() + ".b IN ACCESS EXCLUSIVE MODE");
  src.execute("UPDATE b SET v = 2 WHERE id = 1");
  const std::string log = "/tmp/my2pg-" + db.name() + "-resync.log";
  const pid_t resync = my2pg::test::spawn_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "a"}, log);
  REQUIRE(resync > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  src.execute("ALTER TABLE a ADD COLUMN x3 INT DEFAULT 0");
  src.execute("UPDATE a SET x3 = 3");
  locker.execute("COMMIT");
  int status = 0;
  waitpid(resync, &status, 0);
  const std::string out = my2pg::test::read_text_file(log);
  std::remove(log.c_str());
  INFO(out);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK_THAT(
      out, Catch::Contains("the definition of " + db.name() + ".a changed while resync started") &&
               Catch::Contains("run resync again"));
  const CommandResult again = run_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "a"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  REQUIRE(wait_until(
      [&] {
        return db.target_value("SELECT coalesce(sum(x3), 0) FROM " + db.name() + ".a") == "6";
      },
      30));
  CHECK(run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
        0);
  CHECK(follower.stop() == 0);
}

TEST_CASE("a row PostgreSQL rejects pauses its table under the pause policy", "[resync]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE c (id INT PRIMARY KEY, v INT)");
  src.execute("CREATE TABLE other (id INT PRIMARY KEY)");
  REQUIRE(run_my2pg({"replicate", "--source", db.source_uri(), "--target", db.target_uri(),
                     "--until", "caught-up"})
              .exit_code == 0);
  // A constraint the target has and the source does not.
  db.target().execute("ALTER TABLE " + db.name() + ".c ADD CONSTRAINT small CHECK (v < 100)");
  src.execute("INSERT INTO c VALUES (1, 500)");
  src.execute("INSERT INTO other VALUES (1)");
  const std::vector<std::string> run = {"replicate",     "--source", db.source_uri(), "--target",
                                        db.target_uri(), "--until",  "caught-up"};
  const CommandResult stopped = run_my2pg(run);
  CHECK(stopped.exit_code == 4);
  CHECK(stopped.err.find("violates check constraint") != std::string::npos);
  std::vector<std::string> pause = run;
  pause.insert(pause.end(), {"--on-table-error", "pause"});
  const CommandResult paused = run_my2pg(pause);
  INFO(paused.err);
  CHECK(paused.exit_code == 0);
  CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".other") == "1");
  CHECK(db.target_value("SELECT error FROM my2pg.paused_table WHERE source_database = '" +
                        db.name() + "' AND source_table = 'c'")
            .find("violates check constraint") != std::string::npos);
  // A value the mapping cannot store: the pause says how the table comes back (a restart, which
  // the same error stopping the run advises, does not).
  src.execute("CREATE TABLE z (id INT PRIMARY KEY, at DATETIME)");
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO z VALUES (1, '0000-00-00 00:00:00')");
  const CommandResult zero = run_my2pg(pause);
  INFO(zero.err);
  CHECK(zero.exit_code == 0);
  const std::string why =
      db.target_value("SELECT error FROM my2pg.paused_table WHERE source_database = '" + db.name() +
                      "' AND source_table = 'z'");
  CHECK_THAT(why, Catch::Contains("then copy the table again with my2pg resync --table z") &&
                      !Catch::Contains("start replicate again"));
}
