// `my2pg replicate` against the sandbox servers: the copy first, then the binlog applied whole
// transactions at a time, exactly once. Every test ends by comparing the two sides with
// `my2pg verify`'s job (counts, per-range digests over every column's canonical value) and with
// plain SQL aggregates computed on each side.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "snapshot/verify_job.hpp"
#include "support/servers.hpp"

using my2pg::test::CommandResult;
using my2pg::test::PrivateSandbox;
using my2pg::test::run_my2pg;
using my2pg::test::shell;
using my2pg::test::spawn_my2pg;
using my2pg::test::TestDatabases;

namespace {

std::vector<std::string> replicate_args(TestDatabases& db, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"replicate", "--source", db.source_uri(), "--target",
                                   db.target_uri()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

CommandResult catch_up(TestDatabases& db, std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), {"--until", "caught-up"});
  CommandResult r = run_my2pg(replicate_args(db, extra));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.find("(caught up)") != std::string::npos);
  return r;
}

// my2pg verify's comparison: every table equal, else the differing keys are shown.
void check_equal(TestDatabases& db) {
  my2pg::snapshot::VerifyOptions v;
  v.source_uri = db.source_uri();
  v.target_uri = db.target_uri();
  v.chunk_rows = 1000;
  const auto report = my2pg::snapshot::run_verify(v);
  for (const auto& t : report.tables) {
    std::string rows;
    for (const auto& d : t.rows) rows += d.kind + " " + d.key + "; ";
    INFO(t.source_table << ": source " << t.source_rows << " rows, target " << t.target_rows
                        << ", differing ranges " << t.ranges.size() << ": " << rows);
    CHECK(t.equal());
  }
  CHECK(!report.tables.empty());
}

std::string source_value(TestDatabases& db, const std::string& sql) {
  return db.source().query(sql).rows.at(0).at(0).value_or("<null>");
}

std::string replica_value(TestDatabases& db, const std::string& column) {
  return db.target_value("SELECT " + column + " FROM my2pg.replica WHERE source_database = '" +
                         db.name() + "'");
}

// A TCP relay on loopback to `target_port` whose client sides can be cut while the server sides
// stay open: a network that drops connections without a word to the server, whose sessions live
// on (holding their locks) until it notices.
class Relay {
 public:
  explicit Relay(uint16_t target_port) : m_target(target_port) {
    m_listen = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    if (bind(m_listen, reinterpret_cast<sockaddr*>(&a), n) != 0 || listen(m_listen, 16) != 0 ||
        getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &n) != 0)
      throw std::runtime_error("relay: cannot listen");
    m_port = ntohs(a.sin_port);
    m_thread = std::thread([this] { run(); });
  }
  ~Relay() {
    m_stop = true;
    m_thread.join();
    for (const auto& [client, server] : m_pairs) {
      close(client);
      close(server);
    }
    for (int fd : m_kept) close(fd);
    close(m_listen);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;
  uint16_t port() const { return m_port; }
  // While set, connections are closed as soon as they are accepted (a server out of reach); the
  // open ones go on.
  void refuse(bool on) { m_refuse = on; }
  // Closes the client side of every connection open now; the server sides stay open, silent.
  void cut() {
    m_cut = true;
    while (m_cut) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

 private:
  void run() {
    while (!m_stop) {
      if (m_cut) {
        for (const auto& [client, server] : m_pairs) {
          close(client);
          m_kept.push_back(server);
        }
        m_pairs.clear();
        m_cut = false;
      }
      std::vector<pollfd> fds = {{m_listen, POLLIN, 0}};
      for (const auto& [client, server] : m_pairs) {
        fds.push_back({client, POLLIN, 0});
        fds.push_back({server, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), 50) <= 0) continue;
      if ((fds[0].revents & POLLIN) != 0) {
        const int client = accept(m_listen, nullptr, nullptr);
        if (m_refuse) {
          close(client);
          continue;
        }
        const int server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(m_target);
        if (connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
          m_pairs.emplace_back(client, server);
        } else {
          close(client);
          close(server);
        }
        continue;  // the pairs changed: poll again
      }
      std::vector<size_t> ended;
      for (size_t i = 0; i < m_pairs.size(); ++i) {
        for (const bool up : {false, true}) {
          const pollfd& p = fds[1 + 2 * i + (up ? 1 : 0)];
          if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
          char buffer[65536];
          const ssize_t got = read(p.fd, buffer, sizeof buffer);
          const int to = up ? m_pairs[i].first : m_pairs[i].second;
          if (got <= 0 || write(to, buffer, static_cast<size_t>(got)) != got) {
            ended.push_back(i);
            break;
          }
        }
      }
      for (auto it = ended.rbegin(); it != ended.rend(); ++it) {
        close(m_pairs[*it].first);
        close(m_pairs[*it].second);
        m_pairs.erase(m_pairs.begin() + static_cast<std::ptrdiff_t>(*it));
      }
    }
  }

  uint16_t m_target, m_port = 0;
  int m_listen = -1;
  std::atomic<bool> m_stop{false}, m_cut{false}, m_refuse{false};
  std::vector<std::pair<int, int>> m_pairs;  // client, server
  std::vector<int> m_kept;                   // server sides of cut connections
  std::thread m_thread;
};

// `uri` (scheme://user:pw@host:port/database) with another port.
std::string with_port(const std::string& uri, uint16_t port) {
  const size_t colon = uri.rfind(':'), slash = uri.find('/', colon);
  return uri.substr(0, colon + 1) + std::to_string(port) + uri.substr(slash);
}

uint16_t port_of(const std::string& uri) {
  const size_t colon = uri.rfind(':'), slash = uri.find('/', colon);
  return static_cast<uint16_t>(std::stoi(uri.substr(colon + 1, slash - colon - 1)));
}

// The output file of a spawned my2pg, removed at the end of the test.
struct SpawnLog {
  explicit SpawnLog(const std::string& name) : path("/tmp/my2pg-" + name + ".log") {}
  ~SpawnLog() { std::remove(path.c_str()); }
  SpawnLog(const SpawnLog&) = delete;
  SpawnLog& operator=(const SpawnLog&) = delete;
  std::string path;
};

// Stops a spawned my2pg with SIGTERM, which must end it with exit 0; its output.
std::string stop_cleanly(pid_t pid, const std::string& log) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return my2pg::test::read_text_file(log);
}

// One row of every family of the type matrix that a binlog row image carries.
constexpr const char* kTypedTable =
    "CREATE TABLE typed (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
    "mi MEDIUMINT, bi BIGINT, bu BIGINT UNSIGNED, de DECIMAL(30,10), fl FLOAT, db DOUBLE, "
    "dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(3), yr YEAR, ch CHAR(10), "
    "vc VARCHAR(100), tx TEXT, lat VARCHAR(20) CHARACTER SET latin1, bn BINARY(4), "
    "vb VARBINARY(20), bl BLOB, bt BIT(10), en ENUM('a','b','c'), st SET('x','y','z'), "
    "js JSON, uu UUID, i4 INET4, i6 INET6)";

std::string typed_row(int id, std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const int v = pick(1000);
  std::string s =
      "(" + std::to_string(id) + ", " + std::to_string(v % 256 - 128) + ", " +
      std::to_string(v % 256) + ", " + std::to_string(v * 30 - 15000) + ", " +
      std::to_string(v * 8000) + ", " + std::to_string(int64_t{v} * 9000000000000LL) +
      ", 18446744073709551615, " + std::to_string(v) + ".0123456789, " + std::to_string(v) +
      ".25, " + std::to_string(v) + ".125e-3, '2024-0" + std::to_string(1 + pick(9)) + "-1" +
      std::to_string(pick(10)) + "', '1999-12-31 23:59:59." + std::to_string(100000 + v) + "', " +
      (pick(4) == 0 ? std::string("NULL")
                    : "'2038-01-19 03:14:0" + std::to_string(pick(8)) + ".5'") +
      ", '-838:59:5" + std::to_string(pick(10)) + ".125', " + std::to_string(1901 + pick(255)) +
      ", 'c" + std::to_string(v) + "', 'v\\t\\n" + std::to_string(v) + " ünï', 'long \\\\ text " +
      std::to_string(v) + "', 'é" + std::to_string(v) + "', X'00FF" +
      std::to_string(1000 + v).substr(0, 4) + "', X'000102', X'" +
      (pick(2) == 0 ? "DEADBEEF00" : "") + "', b'" + (pick(2) == 0 ? "1010101010" : "1") + "', '" +
      "abc"[pick(3)] + "', 'x,z', " + "'{\"k\": " + std::to_string(v) +
      ", \"a\": [1, 2.5, \"s\"]}', " + "'123e4567-e89b-12d3-a456-4266141740" +
      std::to_string(10 + pick(89)) + "', '10.0.0." + std::to_string(pick(255)) +
      "', '::ffff:" + std::to_string(pick(255)) + ".1.2.3')";
  return s;
}

}  // namespace

TEST_CASE("replicate copies first then applies randomized changes of every type exactly",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute(kTypedTable);
  src.execute(
      "CREATE TABLE accounts (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE, "
      "balance BIGINT NOT NULL, note VARCHAR(200))");
  src.execute("CREATE TABLE nokey (a INT, b VARCHAR(20))");
  std::mt19937 rng(42);
  std::string rows;
  for (int i = 1; i <= 200; ++i) rows += (i == 1 ? "" : ", ") + typed_row(i, rng);
  src.execute("INSERT INTO typed VALUES " + rows);
  for (int i = 1; i <= 300; i += 100) {
    std::string acc;
    for (int k = i; k < i + 100; ++k)
      acc += (k == i ? "" : ", ") + std::string("(") + std::to_string(k) + ", 'c" +
             std::to_string(k) + "', 1000, NULL)";
    src.execute("INSERT INTO accounts VALUES " + acc);
  }
  src.execute("INSERT INTO nokey VALUES (1, 'a'), (1, 'a'), (2, 'b'), (NULL, NULL)");

  catch_up(db);  // copies, then follows to the end
  CHECK(replica_value(db, "state") == "stopped");
  check_equal(db);

  // Randomized writes, while replicate runs in the background for part of them.
  const pid_t follower = spawn_my2pg(replicate_args(db));
  REQUIRE(follower > 0);
  int next_id = 1000;
  for (int round = 0; round < 300; ++round) {
    const int kind = static_cast<int>(rng() % 9);
    const int id = 1 + static_cast<int>(rng() % 200);
    const int acc = 1 + static_cast<int>(rng() % 300);
    switch (kind) {
      case 0:  // multi-row insert
        src.execute("INSERT INTO typed VALUES " + typed_row(next_id, rng) + ", " +
                    typed_row(next_id + 1, rng));
        next_id += 2;
        break;
      case 1:  // update that changes the key
        src.execute("UPDATE typed SET id = " + std::to_string(next_id++) +
                    " WHERE id = " + std::to_string(id));
        break;
      case 2:  // delete and re-insert the same key in one transaction
        src.execute("BEGIN");
        src.execute("DELETE FROM typed WHERE id = " + std::to_string(id));
        src.execute("INSERT INTO typed VALUES " + typed_row(id, rng));
        src.execute("COMMIT");
        break;
      case 3: {  // two rows swap their unique codes through a free value
        if (acc == 1) break;
        const std::string a1 = source_value(db, "SELECT code FROM accounts WHERE id = 1");
        const std::string a2 =
            source_value(db, "SELECT code FROM accounts WHERE id = " + std::to_string(acc));
        src.execute("BEGIN");
        src.execute("UPDATE accounts SET code = 'swap' WHERE id = 1");
        src.execute("UPDATE accounts SET code = '" + a1 + "' WHERE id = " + std::to_string(acc));
        src.execute("UPDATE accounts SET code = '" + a2 + "' WHERE id = 1");
        src.execute("COMMIT");
        break;
      }
      case 4:  // a transfer: two updates in one transaction
        src.execute("BEGIN");
        src.execute("UPDATE accounts SET balance = balance - 7, note = 'sent' WHERE id = " +
                    std::to_string(acc));
        src.execute("UPDATE accounts SET balance = balance + 7 WHERE id = " +
                    std::to_string(1 + (acc % 300)));
        src.execute("COMMIT");
        break;
      case 5:  // many rows at once
        src.execute("UPDATE typed SET vc = CONCAT(vc, 'x'), js = JSON_SET(js, '$.r', " +
                    std::to_string(round) + ") WHERE id % 7 = " + std::to_string(round % 7));
        break;
      case 6:  // rows without a key: duplicates, NULLs, one of two equal rows
        src.execute("INSERT INTO nokey VALUES (1, 'a'), (" + std::to_string(round) + ", NULL)");
        src.execute("DELETE FROM nokey WHERE a = 1 LIMIT 1");
        src.execute("UPDATE nokey SET b = 'u' WHERE a = " + std::to_string(round - 3));
        break;
      case 7:  // a rolled-back transaction leaves nothing
        src.execute("BEGIN");
        src.execute("DELETE FROM accounts WHERE id = " + std::to_string(acc));
        src.execute("ROLLBACK");
        break;
      default:  // delete
        src.execute("DELETE FROM typed WHERE id = " + std::to_string(id));
        break;
    }
    if (round == 150) {  // half of the writes land while replicate is stopped
      // Once it has committed a batch (so its signal handlers are in place: a SIGTERM during
      // process start-up ends it before main() runs).
      for (int i = 0; i < 200 && replica_value(db, "state") != "following"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      CHECK(replica_value(db, "state") == "following");
      kill(follower, SIGTERM);
      int status = 0;
      waitpid(follower, &status, 0);
      INFO("replicate's exit status after SIGTERM: " << status);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      CHECK(replica_value(db, "state") == "stopped");
    }
  }
  catch_up(db);
  check_equal(db);
  CHECK(source_value(db, "SELECT SUM(balance) FROM accounts") ==
        db.target_value("SELECT sum(balance) FROM \"" + db.name() + "\".accounts"));
  CHECK(source_value(db, "SELECT COUNT(*) FROM nokey") ==
        db.target_value("SELECT count(*) FROM \"" + db.name() + "\".nokey"));
  // The control row moved to the source's end in the same transactions as the changes.
  CHECK(std::stoll(replica_value(db, "transactions_applied")) > 200);
  CHECK(replica_value(db, "last_commit_time") != "<null>");
}

TEST_CASE("replicate copying during writes then killed with SIGKILL 20 times ends equal",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE acct (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
  src.execute(
      "CREATE TABLE ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, src INT, dst INT, "
      "amount INT, at DATETIME(6))");
  std::string acc;
  for (int k = 1; k <= 100; ++k)
    acc += (k == 1 ? "" : ", ") + std::string("(") + std::to_string(k) + ", 1000)";
  src.execute("INSERT INTO acct VALUES " + acc);
  std::string ledger;
  for (int k = 1; k <= 20000; ++k)
    ledger += (k == 1 ? "" : ", ") + std::string("(NULL, 0, 0, 0, NOW(6))");
  src.execute("INSERT INTO ledger VALUES " + ledger);

  // The writer moves money and logs every move; the ledger is insert-only, so a change applied
  // twice or lost shows as a key conflict, a missing row or a wrong sum. It writes from before
  // the first copy on, so the copy's position sits among its transactions.
  std::atomic<bool> stop{false};
  std::atomic<int> moves{0};
  std::thread writer([&] {
    my2pg::mysql::Connection w(my2pg::mysql::Endpoint::parse(db.source_uri()));
    std::mt19937 rng(7);
    while (!stop.load()) {
      const int a = 1 + static_cast<int>(rng() % 100), b = 1 + static_cast<int>(rng() % 100);
      const int amount = 1 + static_cast<int>(rng() % 50);
      w.execute("BEGIN");
      w.execute("UPDATE acct SET balance = balance - " + std::to_string(amount) +
                " WHERE id = " + std::to_string(a));
      w.execute("UPDATE acct SET balance = balance + " + std::to_string(amount) +
                " WHERE id = " + std::to_string(b));
      w.execute("INSERT INTO ledger (src, dst, amount, at) VALUES (" + std::to_string(a) + ", " +
                std::to_string(b) + ", " + std::to_string(amount) + ", NOW(6))");
      w.execute("COMMIT");
      ++moves;
    }
  });
  while (moves.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  catch_up(db, {"--chunk-rows", "5000"});  // the copy first, in chunks, during the writes
  std::mt19937 rng(11);
  int killed_mid_run = 0;
  for (int i = 0; i < 20; ++i) {
    const pid_t pid = spawn_my2pg(replicate_args(db, {"--batch-rows", "200"}));
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 600));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_mid_run;
  }
  stop.store(true);
  writer.join();
  CHECK(killed_mid_run == 20);
  INFO("moves written: " << moves.load());
  CHECK(moves.load() > 100);
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT sum(balance) FROM \"" + db.name() + "\".acct") == "100000");
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".ledger") ==
        std::to_string(20000 + moves.load()));
}

TEST_CASE("replicate reconnects when the server drops its binlog connection", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  // replicate runs as a user of its own, so that only its connection is cut.
  const std::string user = "r" + db.name().substr(0, 30);
  src.execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'");
  src.execute("GRANT ALL ON *.* TO '" + user + "'@'%'");
  struct DropUser {
    my2pg::mysql::Connection& src;
    std::string user;
    ~DropUser() {
      try {
        src.execute("DROP USER '" + user + "'@'%'");
      } catch (const std::exception&) {  // best effort
      }
    }
  } drop{src, user};
  auto ep = my2pg::mysql::Endpoint::parse(db.source_uri());
  const std::string uri =
      "mysql://" + user + ":pw@" + ep.host + ":" + std::to_string(ep.port) + "/" + db.name();
  const pid_t pid = spawn_my2pg({"replicate", "--source", uri, "--target", db.target_uri()});
  REQUIRE(pid > 0);
  auto wait_for = [&](const std::string& want) {
    for (int i = 0; i < 300; ++i) {
      if (db.target_value("SELECT coalesce(max(v), 0) FROM \"" + db.name() + "\".t") == want)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  src.execute("UPDATE t SET v = 2");
  CHECK(wait_for("2"));
  // The server ends the binlog dump connection of replicate's own user.
  const auto dumps = src.query(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' AND USER "
      "= '" +
      user + "'");
  REQUIRE(dumps.rows.size() == 1);
  src.execute("KILL CONNECTION " + dumps.rows[0].at(0).value_or("0"));
  src.execute("UPDATE t SET v = 3");
  src.execute("INSERT INTO t VALUES (2, 0)");
  CHECK(wait_for("3"));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_equal(db);
}

TEST_CASE("replicate ignores tables outside --include and --exclude", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE keep (id INT PRIMARY KEY, v INT)");
  src.execute("CREATE TABLE skipped (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO keep VALUES (1, 1)");
  src.execute("INSERT INTO skipped VALUES (1, 1)");
  catch_up(db, {"--exclude", db.name() + ".skipped"});
  src.execute("INSERT INTO keep VALUES (2, 2)");
  src.execute("INSERT INTO skipped VALUES (2, 2)");
  src.execute("UPDATE skipped SET v = 9");
  src.execute("TRUNCATE TABLE skipped");
  catch_up(db, {"--exclude", db.name() + ".skipped"});
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".keep") == "2");
  CHECK(db.target_value("SELECT to_regclass('\"" + db.name() + "\".skipped') IS NULL") == "t");
}

TEST_CASE("replicate applies TRUNCATE in order and stops at DDL it does not replicate",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
  catch_up(db);
  src.execute("INSERT INTO t VALUES (3, 3)");
  src.execute("TRUNCATE TABLE t");
  src.execute("INSERT INTO t VALUES (4, 4)");
  src.execute("ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 2");
  src.execute("INSERT INTO t VALUES (5, 5)");
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("the source changed the schema of " + db.name()) &&
                        Catch::Contains("ALTER TABLE t PARTITION BY") &&
                        Catch::Contains("PARTITION BY is not replicated") &&
                        Catch::Contains("--on-ddl skip"));
  // Everything before the statement is applied and the position stays before it.
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM \"" + db.name() +
                        "\".t") == "4");
  CHECK(replica_value(db, "state") == "failed");
  CHECK_THAT(replica_value(db, "last_error"), Catch::Contains("PARTITION BY HASH"));
  // With --on-ddl skip the statement is recorded, and what follows it is applied.
  catch_up(db, {"--on-ddl", "skip"});
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM \"" + db.name() +
                        "\".t") == "4,5");
  CHECK(db.target_value("SELECT string_agg(action || ': ' || statement, ' | ' ORDER BY id) FROM "
                        "my2pg.schema_history WHERE source_database = '" +
                        db.name() + "'") ==
        "applied: TRUNCATE TABLE t | skipped: ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 2");
  db.target().execute("DELETE FROM my2pg.schema_history WHERE source_database = '" + db.name() +
                      "'");
}

TEST_CASE("replicate stops with the table, column, key and position of a value it cannot store",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE d (id INT PRIMARY KEY, at DATETIME)");
  src.execute("INSERT INTO d VALUES (1, '2024-01-01 00:00:00')");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO d VALUES (2, '2024-01-02 00:00:00')");
  src.execute("INSERT INTO d VALUES (7, '0000-00-00 00:00:00')");
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("cannot apply a change to " + db.name() + ".d at binlog ") &&
                        Catch::Contains("column at, key id=7") && Catch::Contains("zero"));
  // The transaction before it is applied; the bad one is not.
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".d") == "2");

  // --on-table-error pause: the table is set aside with the error, the run goes on to the end.
  const CommandResult paused =
      run_my2pg(replicate_args(db, {"--until", "caught-up", "--on-table-error", "pause"}));
  INFO(paused.err);
  CHECK(paused.exit_code == 0);
  CHECK_THAT(paused.err, Catch::Contains(db.name() + ".d is paused (--on-table-error pause)") &&
                             Catch::Contains("my2pg resync --table d"));
  CHECK(db.target_value("SELECT error FROM my2pg.paused_table WHERE source_database = '" +
                        db.name() + "' AND source_table = 'd'")
            .find("column at, key id=7") != std::string::npos);
  const CommandResult bad_policy =
      run_my2pg(replicate_args(db, {"--until", "caught-up", "--on-table-error", "skip"}));
  CHECK(bad_policy.exit_code == 2);
  CHECK_THAT(bad_policy.err, Catch::Contains("--on-table-error must be stop or pause"));
}

TEST_CASE("replicate gathers batches again once a failure does not come back", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  const SpawnLog spawn_log(db.name());
  const std::string& log = spawn_log.path;
  // A lock the replica waits for longer than its lock_timeout fails its batch (SQLSTATE 55P03).
  const pid_t pid =
      spawn_my2pg({"replicate", "--source", db.source_uri(), "--target",
                   db.target_uri() + "?options=-c%20lock_timeout%3D1000", "--log-level", "debug"},
                  log);
  REQUIRE(pid > 0);
  const std::string table = "\"" + db.name() + "\".t";
  auto target_count = [&] { return db.target_value("SELECT count(*) FROM " + table); };
  auto wait_count = [&](const std::string& want) {
    for (int i = 0; i < 600 && target_count() != want; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return target_count() == want;
  };
  src.execute("INSERT INTO t VALUES (2, 2)");
  REQUIRE(wait_count("2"));
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("SET application_name = 'locker'");
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
  src.execute("INSERT INTO t VALUES (3, 3)");
  // The replica's statement waits, fails, and waits again as a batch of one transaction.
  const std::string waiting =
      "SELECT coalesce(max(query_start)::text, '') FROM pg_stat_activity WHERE wait_event_type = "
      "'Lock' AND application_name <> 'locker' AND query LIKE '%" +
      db.name() + "%'";
  std::string first, now;
  for (int i = 0; i < 400 && (first.empty() || now.empty() || now == first); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    now = db.target_value(waiting);
    if (first.empty()) first = now;
  }
  REQUIRE(!first.empty());
  REQUIRE(now != first);
  for (int i = 4; i < 304; ++i)
    src.execute("INSERT INTO t VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
  locker.execute("COMMIT");
  CHECK(wait_count("303"));
  const std::string out = stop_cleanly(pid, log);
  INFO(out);
  const size_t single = out.find("lock timeout");
  REQUIRE(single != std::string::npos);
  const size_t again = out.find("past the batch that failed: gathering batches again", single);
  REQUIRE(again != std::string::npos);
  // After it, batches of many transactions: not one commit per source transaction any more.
  bool gathered = false;
  for (size_t at = out.find("batch of ", again); at != std::string::npos;
       at = out.find("batch of ", at + 1)) {
    gathered = gathered || std::stoi(out.substr(at + 9)) > 1;
  }
  CHECK(gathered);
  check_equal(db);
}

TEST_CASE(
    "replicate reads the signedness of numbers after a YEAR column (MariaDB gives YEAR a bit)",
    "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute(
      "CREATE TABLE t (id INT PRIMARY KEY, y YEAR, u BIGINT UNSIGNED, i INT, y2 YEAR, "
      "t TINYINT UNSIGNED, s SMALLINT)");
  catch_up(db);
  src.execute("INSERT INTO t VALUES (1, 2024, 18446744073709551615, -5, 1999, 255, -7)");
  src.execute("INSERT INTO t VALUES (2, NULL, 0, 2147483647, 2155, 0, 32767)");
  catch_up(db);
  CHECK(db.target_value("SELECT concat_ws(' ', y, u, i, y2, t, s) FROM \"" + db.name() +
                        "\".t WHERE id = 1") == "2024 18446744073709551615 -5 1999 255 -7");
  check_equal(db);
}

TEST_CASE("replicate adds binary and bit columns with the values the source gives existing rows",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  src.execute("INSERT INTO t VALUES (1), (2)");
  catch_up(db);
  // NOT NULL without a default: BINARY(n) gets n zero bytes, BIT all bits off; empty and
  // non-UTF-8 literals as defaults.
  src.execute("ALTER TABLE t ADD COLUMN h BINARY(4) NOT NULL");
  src.execute("ALTER TABLE t ADD COLUMN b BIT(3) NOT NULL");
  src.execute("ALTER TABLE t ADD COLUMN e VARBINARY(20) NOT NULL DEFAULT x''");
  src.execute("ALTER TABLE t ADD COLUMN f VARBINARY(20) DEFAULT x'ff00'");
  src.execute("ALTER TABLE t ADD COLUMN g BINARY(2) DEFAULT b'0'");
  src.execute("INSERT INTO t (id, h, b) VALUES (3, 'wxyz', b'1')");
  catch_up(db);
  CHECK(db.target_value("SELECT encode(h, 'hex') || ' ' || b::text || ' ' || length(e) || ' ' || "
                        "encode(f, 'hex') || ' ' || encode(g, 'hex') FROM \"" +
                        db.name() + "\".t WHERE id = 1") == "00000000 000 0 ff00 0000");
  CHECK_THAT(db.target_value("SELECT column_default FROM information_schema.columns WHERE "
                             "table_schema = '" +
                             db.name() + "' AND table_name = 't' AND column_name = 'f'"),
             Catch::Contains("ff00"));
  check_equal(db);
  // The definitions kept in the control schema read back: a later run goes on.
  src.execute("INSERT INTO t (id, h, b) VALUES (4, 'abcd', b'101')");
  catch_up(db);
  check_equal(db);
  // A BIT column made wider or narrower keeps its numbers, as MySQL does.
  const std::string bits = "SELECT b::text FROM \"" + db.name() + "\".t WHERE id = 4";
  src.execute("ALTER TABLE t MODIFY b BIT(9) NOT NULL");
  catch_up(db);
  CHECK(db.target_value(bits) == "000000101");
  check_equal(db);
  src.execute("ALTER TABLE t MODIFY b BIT(4) NOT NULL");
  catch_up(db);
  CHECK(db.target_value(bits) == "0101");
  check_equal(db);
}

TEST_CASE("replicate that tracks no table yet follows the tables created later, run after run",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  SECTION("an empty database copied") {
    catch_up(db);
  }
  SECTION("its only table dropped") {
    src.execute("CREATE TABLE a (id INT PRIMARY KEY)");
    src.execute("INSERT INTO a VALUES (1)");
    catch_up(db);
    src.execute("DROP TABLE a");
    catch_up(db);
  }
  src.execute("CREATE TABLE b (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO b VALUES (1, 1)");
  catch_up(db);  // a new run: it must not take today's catalog for the copy's
  src.execute("INSERT INTO b VALUES (2, 2)");
  catch_up(db);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".b") == "2");
  check_equal(db);
}

TEST_CASE("replicate leaves out the hidden columns of MariaDB's UNIQUE keys on long values",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  // The server keeps a hash of j (and later of w) in hidden columns it logs last.
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, j TEXT, k INT, UNIQUE (j))");
  src.execute("INSERT INTO t VALUES (1, 'a', 1)");
  catch_up(db);
  src.execute("INSERT INTO t VALUES (2, 'b', 2), (3, 'c', 3)");
  src.execute("UPDATE t SET k = k + 10, j = concat(j, 'x') WHERE id <= 2");
  src.execute("ALTER TABLE t ADD COLUMN w BLOB, ADD UNIQUE (w)");
  src.execute("INSERT INTO t VALUES (4, 'd', 4, 'blob')");
  src.execute("DELETE FROM t WHERE id = 3");
  catch_up(db);
  CHECK(db.target_value("SELECT string_agg(id || ':' || j || ':' || k, ' ' ORDER BY id) FROM \"" +
                        db.name() + "\".t") == "1:ax:11 2:bx:12 4:d:4");
  check_equal(db);
  // Values longer than a B-tree entry holds: the target's unique indexes keep their md5, and
  // still refuse a duplicate.
  src.execute(
      "INSERT INTO t SELECT 5, group_concat(md5(seq) SEPARATOR ''), 5, "
      "group_concat(sha2(seq, 256) SEPARATOR '') FROM seq_1_to_400");
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.name() +
                        "' AND tablename = 't' AND indexdef LIKE '%UNIQUE%md5%'") == "2");
  CHECK_THROWS(db.target().execute("INSERT INTO \"" + db.name() +
                                   "\".t (id, j, k) SELECT 6, j, 6 FROM \"" + db.name() +
                                   "\".t WHERE id = 5"));
}

TEST_CASE("replicate tries a transaction again while a conflict on the target lasts",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  const std::string table = "\"" + db.name() + "\".t";
  // Its statements give up on a lock after 300 ms (SQLSTATE 55P03) while another session holds
  // the table.
  const std::string impatient = db.target_uri() + "?options=-c%20lock_timeout%3D300";
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
  src.execute("INSERT INTO t VALUES (2, 2)");
  src.execute("UPDATE t SET v = 10 WHERE id = 1");
  SECTION("the lock goes away after several tries: the run goes on, nothing lost") {
    const SpawnLog spawn_log(db.name());
    const pid_t pid = spawn_my2pg(
        {"replicate", "--source", db.source_uri(), "--target", impatient, "--log-level", "debug"},
        spawn_log.path);
    REQUIRE(pid > 0);
    auto tries = [&] {
      const std::string out = my2pg::test::read_text_file(spawn_log.path);
      size_t n = 0;
      for (size_t at = out.find("trying it again"); at != std::string::npos;
           at = out.find("trying it again", at + 1))
        ++n;
      return n;
    };
    for (int i = 0; i < 300 && tries() < 3; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(tries() >= 3);
    // status shows it waiting to try again.
    const std::string phase =
        "SELECT phase FROM my2pg.replica_progress WHERE source_database = '" + db.name() + "'";
    for (int i = 0; i < 100 && db.target_value(phase) != "retrying"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(db.target_value(phase) == "retrying");
    const std::string last_error =
        "SELECT coalesce(last_error, '') FROM my2pg.replica WHERE "
        "source_database = '" +
        db.name() + "'";
    CHECK_THAT(db.target_value(last_error),
               Catch::Contains("met a conflict on the target") && Catch::Contains("lock timeout"));
    locker.execute("COMMIT");
    for (int i = 0; i < 300 && db.target_value("SELECT count(*) FROM " + table) != "2"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    src.execute("INSERT INTO t VALUES (3, 3)");
    for (int i = 0; i < 300 && db.target_value("SELECT count(*) FROM " + table) != "3"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(db.target_value(last_error).empty());  // cleared by the batches after it
    const std::string out = stop_cleanly(pid, spawn_log.path);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("met a conflict on the target") &&
                        Catch::Contains("lock timeout") && Catch::Contains("(3 of 10)"));
    check_equal(db);
  }
  SECTION("the lock stays past --conflict-retries: exit 4, recorded, and the next run resumes") {
    const CommandResult r =
        run_my2pg({"replicate", "--source", db.source_uri(), "--target", impatient, "--until",
                   "caught-up", "--conflict-retries", "2"});
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("lock timeout") &&
                          Catch::Contains("met a conflict on each of 3 tries") &&
                          Catch::Contains("pg_locks") && Catch::Contains("--conflict-retries"));
    CHECK_THAT(r.err, Catch::Contains("(2 of 2)"));
    CHECK(db.target_value("SELECT state FROM my2pg.replica WHERE source_database = '" + db.name() +
                          "'") == "failed");
    CHECK_THAT(db.target_value("SELECT last_error FROM my2pg.replica WHERE source_database = '" +
                               db.name() + "'"),
               Catch::Contains("met a conflict on each of 3 tries"));
    locker.execute("COMMIT");
    catch_up(db);
    check_equal(db);
  }
  SECTION("a schema change that meets it: no advice to skip it, which would not help") {
    locker.execute("COMMIT");
    catch_up(db);
    locker.execute("BEGIN");
    locker.execute("SELECT count(*) FROM " + table);  // a lock ALTER TABLE must wait for
    src.execute("ALTER TABLE t ADD COLUMN x INT");
    const CommandResult r =
        run_my2pg({"replicate", "--source", db.source_uri(), "--target", impatient, "--until",
                   "caught-up", "--conflict-retries", "0", "--on-ddl", "skip"});
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("could not be made on PostgreSQL") &&
                          Catch::Contains("lock timeout") &&
                          Catch::Contains("met a conflict on each of 1 tries"));
    CHECK_THAT(r.err, !Catch::Contains("--on-ddl skip"));
    locker.execute("COMMIT");
    catch_up(db);
    CHECK(db.target_value("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" +
                          db.name() + "' AND table_name = 't' AND column_name = 'x'") == "1");
    check_equal(db);
  }
  SECTION("--conflict-retries takes a count") {
    locker.execute("COMMIT");
    const CommandResult r = run_my2pg(replicate_args(db, {"--conflict-retries", "many"}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--conflict-retries"));
  }
}

TEST_CASE("replicate refuses a target changed behind its back and names the table", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("CREATE TABLE n (v INT)");
  src.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
  src.execute("INSERT INTO n VALUES (1)");
  catch_up(db);
  SECTION("a row the source updates is missing") {
    db.target().execute("DELETE FROM \"" + db.name() + "\".t WHERE id = 2");
    src.execute("UPDATE t SET v = 20 WHERE id = 2");
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 6);
    CHECK_THAT(r.err, Catch::Contains("no longer equals the source " + db.name() + ".t") &&
                          Catch::Contains("run my2pg verify"));
  }
  SECTION("a row the source inserts is there already") {
    db.target().execute("INSERT INTO \"" + db.name() + "\".t VALUES (3, 0)");
    src.execute("INSERT INTO t VALUES (3, 3)");
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 6);
    CHECK_THAT(r.err, Catch::Contains("is already there"));
  }
  SECTION("a row without a key that the source deletes is missing") {
    db.target().execute("DELETE FROM \"" + db.name() + "\".n");
    src.execute("DELETE FROM n");
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 6);
    CHECK_THAT(r.err, Catch::Contains("matched by whole rows"));
  }
  CHECK(replica_value(db, "state") == "failed");
}

TEST_CASE("replicate refuses positions the source cannot serve and another server", "[replicate]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  const std::string where = " WHERE source_database = '" + db.name() + "'";
  SECTION("a purged binlog file") {
    db.target().execute("UPDATE my2pg.replica SET binlog_file = 'mariadb-bin.000000'" + where);
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("no longer has the binlog file mariadb-bin.000000") &&
                          Catch::Contains("purged"));
  }
  SECTION("a position beyond the end of its file") {
    db.target().execute("UPDATE my2pg.replica SET binlog_pos = 999999999999" + where);
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("shorter than the replica's position"));
  }
  SECTION("another server") {
    db.target().execute("UPDATE my2pg.replica SET source_server_id = 4242424242" + where);
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("is not the server the replica follows"));
  }
  SECTION("--from on a target that already follows") {
    const CommandResult r = run_my2pg(replicate_args(db, {"--from", "mariadb-bin.000001:4"}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("already follows"));
  }
  SECTION("--until a binlog file the source does not have") {
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "bin.2:4"}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("the source has no binlog file bin.2"));
  }
  SECTION("a detached replica") {
    db.target().execute("UPDATE my2pg.replica SET state = 'detached'" + where);
    const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("was detached"));
  }
}

TEST_CASE("replicate stops at a change logged as a statement", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  catch_up(db);
  src.execute("SET SESSION binlog_format = 'STATEMENT'");
  src.execute("INSERT INTO t VALUES (1, 1)");
  src.execute("SET SESSION binlog_format = 'ROW'");
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("as a statement") && Catch::Contains("binlog_format = ROW"));
}

TEST_CASE("replicate applies a one-phase XA commit and stops before a prepared XA transaction",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  const std::string xid = "'p" + db.name() + "'";
  src.execute("XA START 'o" + db.name() + "'");
  src.execute("INSERT INTO t VALUES (2, 2)");
  src.execute("XA END 'o" + db.name() + "'");
  src.execute("XA COMMIT 'o" + db.name() + "' ONE PHASE");
  src.execute("INSERT INTO t VALUES (3, 3)");
  src.execute("XA START " + xid);
  src.execute("INSERT INTO t VALUES (4, 4)");
  src.execute("XA END " + xid);
  src.execute("XA PREPARE " + xid);
  // The prepared transaction must not outlive the test on the shared server.
  struct Rollback {
    my2pg::mysql::Connection& src;
    std::string xid;
    ~Rollback() {
      try {
        src.execute("XA ROLLBACK " + xid);
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort
      }
    }
  } rollback{src, xid};
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("an XA transaction prepared at binlog") &&
                        Catch::Contains("changes replicated tables of " + db.name()));
  // Everything before it is applied, the one-phase XA commit included.
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM \"" + db.name() +
                        "\".t") == "1,2,3");
}

TEST_CASE("replicate follows from --from for a target loaded some other way", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  // Loaded without a position (schema and data copied, then the position taken by hand).
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);
  const auto status = src.query("SHOW MASTER STATUS");
  const std::string from =
      status.rows.at(0).at(0).value_or("") + ":" + status.rows.at(0).at(1).value_or("");
  db.target().execute("DELETE FROM my2pg.snapshot WHERE source_database = '" + db.name() + "'");
  src.execute("INSERT INTO t VALUES (2, 2)");
  src.execute("UPDATE t SET v = 10 WHERE id = 1");
  // Its sessions carry the test's name, so that they alone can be ended.
  const SpawnLog spawn_log(db.name());
  const std::string& log = spawn_log.path;
  const pid_t pid =
      spawn_my2pg({"replicate", "--source", db.source_uri(), "--target",
                   db.target_uri() + "?application_name=" + db.name(), "--from", from},
                  log);
  REQUIRE(pid > 0);
  auto rows = [&] {
    return db.target_value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM \"" +
                           db.name() + "\".t");
  };
  auto wait_rows = [&](const std::string& want) {
    for (int i = 0; i < 200 && rows() != want; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return rows() == want;
  };
  CHECK(wait_rows("1:10,2:2"));
  // The target is lost: the run after it resumes from the control row, not from --from again.
  db.target().execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = '" +
      db.name() + "'");
  src.execute("INSERT INTO t VALUES (3, 3)");
  CHECK(wait_rows("1:10,2:2,3:3"));
  const std::string out = stop_cleanly(pid, log);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("replicated 3 transaction(s)") &&
                      Catch::Contains("target lost 1 time(s)"));
  check_equal(db);
  CHECK(replica_value(db, "binlog_file") != "<null>");
}

TEST_CASE("replicate applies a one-million-row transaction within its memory bound",
          "[replicate]") {
  TestDatabases db;
  // A MariaDB of its own: the shared one's binlog carries other tests' large events, which any
  // reader must receive whole.
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute("CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(200))");
  const std::vector<std::string> base = {"replicate",     "--source", uri,        "--target",
                                         db.target_uri(), "--until",  "caught-up"};
  REQUIRE(run_my2pg(base).exit_code == 0);
  src.execute("SET SESSION max_recursive_iterations = 2000000");
  src.execute(
      "INSERT INTO big WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
      "1000000) SELECT i, REPEAT('p', 200) FROM n");
  // The address sanitizer keeps freed memory aside (256 MB by default) before reusing it: keep
  // that small so that the peak below is the program's own.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string options = std::string(asan != nullptr ? asan : "") +
                              (asan != nullptr && *asan != '\0' ? ":" : "") +
                              "quarantine_size_mb=8";
  setenv("ASAN_OPTIONS", options.c_str(), 1);
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--batch-bytes", "16M"});
  // Measured by GNU time, whose child is forked from a small process: a child of this test
  // process would report this process's own peak, which it inherits at fork.
  const std::string peak_file = sandbox.dir + "/peak";
  std::string command = "/usr/bin/time -f %M -o " + peak_file + " '" + MY2PG_BINARY + "'";
  for (const auto& a : args) command += " '" + a + "'";
  REQUIRE_NOTHROW(shell(command + " >/dev/null 2>&1"));
  const long peak_kb = std::stol(my2pg::test::read_text_file(peak_file));
  // Held whole, the transaction's rows alone would take over 200 MB (more under the address
  // sanitizer the tests are built with); streamed, the process stays far below that (54 MB in a
  // release build).
  INFO("peak RSS: " << peak_kb / 1024 << " MB");
  CHECK(peak_kb < 200 * 1024);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".big") == "1000000");
  CHECK(replica_value(db, "transactions_applied") == "1");
}

TEST_CASE("replicate applies a row over 16 MB", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB, t LONGTEXT)");
  catch_up(db);
  // Over 16 MB: the client protocol splits the event into several packets.
  src.execute(
      "INSERT INTO blobs VALUES (1, REPEAT('0123456789abcdef', 1100000), "
      "REPEAT('é', 9000000))");
  src.execute("UPDATE blobs SET b = CONCAT(b, 'end')");
  catch_up(db);
  CHECK(db.target_value("SELECT length(b) FROM \"" + db.name() + "\".blobs") == "17600003");
  CHECK(db.target_value("SELECT md5(b) FROM \"" + db.name() + "\".blobs") ==
        source_value(db, "SELECT MD5(b) FROM blobs"));
  CHECK(db.target_value("SELECT md5(t) FROM \"" + db.name() + "\".blobs") ==
        source_value(db, "SELECT MD5(t) FROM blobs"));
}

TEST_CASE("a copy made again with --replace starts the replica afresh from its own position",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  src.execute("INSERT INTO t VALUES (2, 2)");
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace"})
          .exit_code == 0);
  // The old position is gone with the old copy.
  CHECK(db.target_value("SELECT count(*) FROM my2pg.replica WHERE source_database = '" + db.name() +
                        "'") == "0");
  src.execute("INSERT INTO t VALUES (3, 3)");
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "3");
}

TEST_CASE("replicate rides out a restart of the source server", "[replicate]") {
  TestDatabases db;  // its name and target schema; the source is a MariaDB of this test's own
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  auto connect = [&] {
    return std::make_unique<my2pg::mysql::Connection>(my2pg::mysql::Endpoint::parse(uri));
  };
  auto src = connect();
  src->execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  src->execute("INSERT INTO t VALUES (1, 'before')");
  const std::vector<std::string> args = {"replicate", "--source", uri, "--target", db.target_uri()};
  const pid_t pid = spawn_my2pg(args);
  REQUIRE(pid > 0);
  auto target_count = [&]() {
    try {
      return std::stoi(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t"));
    } catch (const std::exception&) {  // not copied yet
      return -1;
    }
  };
  auto wait_for = [&](int rows) {
    for (int i = 0; i < 600 && target_count() != rows; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return target_count() == rows;
  };
  REQUIRE(wait_for(1));
  src->execute("INSERT INTO t VALUES (2, 'streamed')");
  REQUIRE(wait_for(2));
  src.reset();
  sandbox.restart_mariadb();
  src = connect();
  src->execute("INSERT INTO t VALUES (3, 'after restart')");
  src->execute("UPDATE t SET v = 'changed' WHERE id = 1");
  CHECK(wait_for(3));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(db.target_value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM \"" + db.name() +
                        "\".t") == "1:changed,2:streamed,3:after restart");
  CHECK(std::stoi(replica_value(db, "transactions_applied")) == 3);
}

TEST_CASE("replicate rides out lost target sessions and a restart of PostgreSQL", "[replicate]") {
  TestDatabases db;  // its name; source and target are servers of this test's own
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  const my2pg::mysql::Endpoint endpoint = my2pg::mysql::Endpoint::parse(uri);
  my2pg::mysql::Connection src(endpoint);
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(40), KEY (v))");
  src.execute("CREATE TABLE u (id INT PRIMARY KEY, n INT NOT NULL, UNIQUE KEY (n))");
  for (int i = 1; i <= 200; ++i) {
    src.execute("INSERT INTO t VALUES (" + std::to_string(i) + ", " + std::to_string(i % 17) +
                ", 'row " + std::to_string(i) + "')");
  }
  src.execute("INSERT INTO u VALUES (1, 1), (2, 2)");
  const std::string log = sandbox.dir + "/replicate.log";
  const pid_t pid =
      spawn_my2pg({"replicate", "--source", uri, "--target", sandbox.target_uri}, log);
  REQUIRE(pid > 0);
  auto target_value = [&](const std::string& sql) {
    try {
      my2pg::pg::Connection tgt(sandbox.target_uri);
      return tgt.query(sql).rows.at(0).at(0).value_or("<null>");
    } catch (const std::exception&) {  // not copied yet, or the server is restarting
      return std::string("<none>");
    }
  };
  const std::string applied =
      "SELECT transactions_applied FROM my2pg.replica WHERE source_database = '" + db.name() + "'";
  bool copied = false;
  for (int i = 0; i < 600 && !copied; ++i) {
    copied = target_value(applied) != "<none>";
    if (!copied) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(copied);
  // Transactions of every kind of change while the target goes away and comes back: multi-row
  // updates, deletes and inserts again of one key, unique-key swaps.
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::thread writer([&] {
    my2pg::mysql::Connection w(endpoint);
    std::mt19937 rng(7);
    int next = 1000, a = 1;
    while (!stop) {
      const int id = 1 + static_cast<int>(rng() % 200);
      w.execute("BEGIN");
      w.execute("UPDATE t SET v = v + 1, s = concat('u', v) WHERE id BETWEEN " +
                std::to_string(id) + " AND " + std::to_string(id + 3));
      w.execute("DELETE FROM t WHERE id = " + std::to_string(id));
      w.execute("INSERT INTO t VALUES (" + std::to_string(id) + ", " + std::to_string(next % 9) +
                ", 'again')");
      w.execute("INSERT INTO t VALUES (" + std::to_string(++next) + ", 0, NULL)");
      // A swap of u's two unique values (row 1 holds `a`), through 0 as the source needs.
      w.execute("UPDATE u SET n = 0 WHERE id = 1");
      w.execute("UPDATE u SET n = " + std::to_string(a) + " WHERE id = 2");
      w.execute("UPDATE u SET n = " + std::to_string(3 - a) + " WHERE id = 1");
      a = 3 - a;
      w.execute("COMMIT");
      ++committed;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::mt19937 rng(11);
  auto pause = [&] { std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 900)); };
  // The server ends replicate's sessions (the applier's and the monitor's) three times...
  for (int i = 0; i < 3; ++i) {
    pause();
    my2pg::pg::Connection admin(sandbox.target_uri);
    admin.query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = "
        "'client backend' AND pid <> pg_backend_pid()");
  }
  // ... and is shut down for two seconds, then started again.
  pause();
  sandbox.restart_postgres(2);
  pause();
  stop = true;
  writer.join();
  REQUIRE(committed > 20);
  // Every transaction applied exactly once: the count in the control row moves with each commit.
  const std::string expected = std::to_string(committed.load());
  for (int i = 0; i < 600 && target_value(applied) != expected; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(target_value(applied) == expected);
  my2pg::snapshot::VerifyOptions v;
  v.source_uri = uri;
  v.target_uri = sandbox.target_uri;
  const auto report = my2pg::snapshot::run_verify(v);
  REQUIRE(report.tables.size() == 2);
  for (const auto& t : report.tables) {
    INFO(t.source_table << ": source " << t.source_rows << " rows, target " << t.target_rows);
    CHECK(t.equal());
  }
  // Stopped while the target is down and a transaction waits: it stops waiting and exits 0 (the
  // transaction is the next run's).
  std::thread down([&] { sandbox.restart_postgres(4); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  src.execute("INSERT INTO t VALUES (99999, 1, 'while the target is down')");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto asked = std::chrono::steady_clock::now();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - asked;
  down.join();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(took.count() < 1.5);
  CHECK(target_value(applied) == expected);
  const std::string out = my2pg::test::read_text_file(log);
  INFO(out);
  // Each loss while following starts the run over (one may fall while replicate waits to come
  // back, and counts once with it).
  const size_t at = out.find("target lost ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoi(out.substr(at + 12)) >= 3);
  CHECK(out.find("lost the target") != std::string::npos);
}

TEST_CASE("replicate reconnects when the source falls silent", "[replicate]") {
  TestDatabases db;
  const PrivateSandbox sandbox;
  const std::string uri = sandbox.create_database(db.name());
  my2pg::mysql::Connection src(my2pg::mysql::Endpoint::parse(uri));
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  const std::vector<std::string> base = {"replicate", "--source", uri, "--target", db.target_uri()};
  REQUIRE(
      run_my2pg({base[0], base[1], base[2], base[3], base[4], "--until", "caught-up"}).exit_code ==
      0);
  // Frozen (SIGSTOP), the server neither closes the connection nor sends heartbeats.
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--source-timeout", "2"});
  std::string log = std::string(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp") +
                    "/my2pg-silence-" + db.name() + ".log";
  std::string command = "'" + std::string(MY2PG_BINARY) + "'";
  for (const auto& a : args) command += " '" + a + "'";
  FILE* follower = popen((command + " 2>" + log + " >/dev/null & echo $!").c_str(), "r");
  REQUIRE(follower != nullptr);
  char pid_text[32] = {};
  REQUIRE(fgets(pid_text, sizeof pid_text, follower) != nullptr);
  pclose(follower);
  const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string mariadbd = sandbox.mariadbd_pid();
  shell("kill -STOP " + mariadbd);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  shell("kill -CONT " + mariadbd);
  src.execute("INSERT INTO t VALUES (1)");
  bool arrived = false;
  for (int i = 0; i < 400 && !arrived; ++i) {
    arrived = db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "1";
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGTERM);
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string err = my2pg::test::read_text_file(log);
  std::remove(log.c_str());
  INFO(err);
  CHECK(arrived);
  CHECK_THAT(err, Catch::Contains("no event and no heartbeat from the source for 2 s") &&
                      Catch::Contains("reconnecting"));
}

TEST_CASE("replicate refuses to run twice for one database and stops when detached",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  const pid_t pid = spawn_my2pg(replicate_args(db));
  REQUIRE(pid > 0);
  for (int i = 0; i < 100 && replica_value(db, "state") != "following"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  src.execute("INSERT INTO t VALUES (1)");
  for (int i = 0; i < 100 && db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") != "1";
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const CommandResult second = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  CHECK(second.exit_code == 2);
  CHECK_THAT(second.err, Catch::Contains("another my2pg replicate follows " + db.name()));
  // Detached under it (as cutover does), the running follower stops within a second or at its
  // next batch, whichever comes first, applying nothing more: an expected end, exit 0.
  db.target().execute("UPDATE my2pg.replica SET state = 'detached' WHERE source_database = '" +
                      db.name() + "'");
  src.execute("INSERT INTO t VALUES (2)");
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "1");
  kill(pid, SIGKILL);
  waitpid(pid, &status, WNOHANG);
}

TEST_CASE("replicate detached while it waits for a lost target ends as detached", "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  // Its sessions carry the test's name, so that only they are ended.
  const SpawnLog spawn_log(db.name());
  const std::string& log = spawn_log.path;
  const pid_t pid = spawn_my2pg({"replicate", "--source", db.source_uri(), "--target",
                                 db.target_uri() + "?application_name=" + db.name()},
                                log);
  REQUIRE(pid > 0);
  src.execute("INSERT INTO t VALUES (1)");
  for (int i = 0; i < 100 && db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") != "1";
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "1");
  db.target().execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = '" +
      db.name() + "'");
  db.target().execute("UPDATE my2pg.replica SET state = 'detached' WHERE source_database = '" +
                      db.name() + "'");
  src.execute("INSERT INTO t VALUES (2)");
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t") == "1");
  const std::string out = my2pg::test::read_text_file(log);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("lost the target") && Catch::Contains("detached by cutover") &&
                      Catch::Contains("replicated 1 transaction(s)"));
  kill(pid, SIGKILL);
  waitpid(pid, &status, WNOHANG);
}

TEST_CASE("replicate ends its own session that lives on after the link to the target broke",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  // replicate reaches the target through a relay that can drop its connections silently. Its
  // sessions show times in a style and zone of their own (the session is told apart by them).
  Relay relay(port_of(db.target_uri()));
  const std::string relayed =
      with_port(db.target_uri(), relay.port()) + "?application_name=" + db.name() +
      "&options=-c%20DateStyle%3DSQL%2CDMY%20-c%20TimeZone%3DAsia%2FKolkata";
  const SpawnLog spawn_log(db.name());
  const std::string& log = spawn_log.path;
  const pid_t pid =
      spawn_my2pg({"replicate", "--source", db.source_uri(), "--target", relayed}, log);
  REQUIRE(pid > 0);
  auto count = [&] { return db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t"); };
  auto wait_count = [&](const std::string& want) {
    for (int i = 0; i < 300 && count() != want; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return count() == want;
  };
  src.execute("INSERT INTO t VALUES (1)");
  REQUIRE(wait_count("1"));
  // The session that holds the replica's lock.
  const std::string holder =
      "SELECT coalesce(min(l.pid), 0) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE "
      "l.locktype = 'advisory' AND l.granted AND a.application_name = '" +
      db.name() + "'";
  const std::string old_holder = db.target_value(holder);
  REQUIRE(old_holder != "0");
  relay.cut();
  // The old session holds the lock on; the run after the loss ends it and goes on.
  src.execute("INSERT INTO t VALUES (2)");
  CHECK(wait_count("2"));
  CHECK(db.target_value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + old_holder) == "0");
  CHECK(db.target_value(holder) != old_holder);
  const std::string out = stop_cleanly(pid, log);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("target lost 1 time(s)"));
}

TEST_CASE("replicate waits for a source out of reach while it comes back from a lost target",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  Relay relay(port_of(db.source_uri()));
  const SpawnLog log(db.name());
  const pid_t pid = spawn_my2pg({"replicate", "--source", with_port(db.source_uri(), relay.port()),
                                 "--target", db.target_uri() + "?application_name=" + db.name()},
                                log.path);
  REQUIRE(pid > 0);
  auto count = [&] { return db.target_value("SELECT count(*) FROM \"" + db.name() + "\".t"); };
  auto wait_count = [&](const std::string& want) {
    for (int i = 0; i < 300 && count() != want; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return count() == want;
  };
  src.execute("INSERT INTO t VALUES (1)");
  REQUIRE(wait_count("1"));
  // The target's sessions end while the source takes no new connections (the stream that is
  // open goes on): the run after the loss cannot reach the source at first.
  relay.refuse(true);
  db.target().execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "application_name = '" +
      db.name() + "'");
  src.execute("INSERT INTO t VALUES (2)");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  relay.refuse(false);
  CHECK(wait_count("2"));
  const std::string out = stop_cleanly(pid, log.path);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("lost the source") && Catch::Contains("target lost 1 time(s)"));
  check_equal(db);
}

TEST_CASE("replicate stopped while another session holds the replica's lock says so",
          "[replicate]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  my2pg::pg::Connection holder(db.target_uri());
  holder.query("SELECT pg_advisory_lock(hashtext('my2pg replicate ' || $1))", {db.name()});
  const SpawnLog log(db.name());
  const pid_t pid = spawn_my2pg(replicate_args(db), log.path);
  REQUIRE(pid > 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string out = my2pg::test::read_text_file(log.path);
  INFO(out);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(out, Catch::Contains("stopped while waiting for the lock 'my2pg replicate " +
                                  db.name() + "'"));
}

TEST_CASE("replicate applies what foreign-key actions did, which the source does not log",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE p (id INT PRIMARY KEY, v INT)");
  src.execute(
      "CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) "
      "ON DELETE CASCADE ON UPDATE CASCADE)");
  src.execute(
      "CREATE TABLE g (id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES c (id) "
      "ON DELETE CASCADE)");
  src.execute(
      "CREATE TABLE s (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) "
      "ON DELETE SET NULL ON UPDATE SET NULL)");
  src.execute(
      "CREATE TABLE tree (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES tree "
      "(id) ON DELETE CASCADE)");
  src.execute("INSERT INTO p VALUES (1, 1), (2, 2), (3, 3), (4, 4)");
  src.execute("INSERT INTO c VALUES (10, 1), (11, 1), (20, 2), (30, 3), (40, 4)");
  src.execute("INSERT INTO g VALUES (100, 10), (110, 11), (200, 20), (300, 30)");
  src.execute("INSERT INTO s VALUES (1, 1), (2, 2), (3, 3)");
  src.execute("INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 1), (5, NULL), (6, 5)");
  catch_up(db);

  src.execute("DELETE FROM p WHERE id = 1");  // c 10, 11 and g 100, 110 go; s 1 loses its parent
  src.execute("UPDATE p SET id = 22 WHERE id = 2");  // c 20 follows; s 2 loses its parent
  src.execute("UPDATE p SET v = 33 WHERE id = 3");   // no key change: nothing cascades
  // Deleted and inserted again in one transaction, a child added after: only the first goes.
  src.execute("BEGIN");
  src.execute("DELETE FROM p WHERE id = 4");
  src.execute("INSERT INTO p VALUES (4, 44)");
  src.execute("INSERT INTO c VALUES (41, 4)");
  src.execute("COMMIT");
  src.execute("DELETE FROM tree WHERE id = 1");  // a subtree, through every level
  catch_up(db);
  check_equal(db);
  auto ids = [&](const std::string& table) {
    return db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM \"" + db.name() +
                           "\"." + table);
  };
  CHECK(ids("c") == "20,30,41");
  CHECK(db.target_value("SELECT pid FROM \"" + db.name() + "\".c WHERE id = 20") == "22");
  CHECK(ids("g") == "200,300");
  CHECK(db.target_value("SELECT string_agg(coalesce(pid::text, 'null'), ',' ORDER BY id) FROM \"" +
                        db.name() + "\".s") == "null,null,3");
  CHECK(ids("tree") == "5,6");
}

// The schema statements of the supported subset, each followed by rows written with the new
// definition, while another connection keeps changing rows of a table the statements alter.
// Part of them run while replicate follows, the rest while it is stopped (so the restart reads
// the definitions my2pg.source_table kept, not the source's catalog).
TEST_CASE("replicate applies every supported schema change while rows flow", "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE a (id INT PRIMARY KEY, v INT, note VARCHAR(20))");
  src.execute("CREATE TABLE b (id INT PRIMARY KEY, a_id INT)");
  src.execute("INSERT INTO a VALUES (1, 1, 'one'), (2, 2, 'two'), (3, 3, NULL)");
  src.execute("INSERT INTO b VALUES (1, 1)");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");

  std::atomic<bool> done{false};
  std::atomic<int> writes{0};
  std::string workload_error;
  std::thread workload([&] {
    try {
      my2pg::mysql::Connection app(my2pg::mysql::Endpoint::parse(db.source_uri()));
      app.execute("SET SESSION sql_mode = ''");  // z NOT NULL without a default: '' implied
      for (int i = 100; !done; ++i) {
        app.execute("INSERT INTO a (id, v) VALUES (" + std::to_string(i) + ", " +
                    std::to_string(i) + ")");
        app.execute("UPDATE a SET v = v + 1 WHERE id = " + std::to_string(1 + i % 3));
        if (i % 5 == 0) app.execute("DELETE FROM a WHERE id = " + std::to_string(i - 2));
        ++writes;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    } catch (const std::exception& e) {
      workload_error = e.what();
    }
  });
  const std::vector<std::string> live = {
      "CREATE TABLE c (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(30) NOT NULL DEFAULT 'x', "
      "qty DECIMAL(8,2), KEY k_name (name))",
      "INSERT INTO c (name, qty) VALUES ('p', 1.5), ('q', 2.25)",
      "ALTER TABLE a ADD COLUMN extra INT NOT NULL DEFAULT 7 AFTER id",
      "ALTER TABLE a ADD COLUMN z VARCHAR(10) NOT NULL",
      "UPDATE a SET z = 'zz' WHERE id = 1",
      "ALTER TABLE a MODIFY note VARCHAR(100)",
      "ALTER TABLE a CHANGE note remark VARCHAR(100) NULL",
      "UPDATE a SET remark = 'renamed' WHERE id = 2",
      "ALTER TABLE a RENAME COLUMN extra TO extra2",
      "ALTER TABLE a ALTER COLUMN v SET DEFAULT 5",
      "INSERT INTO a (id) VALUES (90)",
      "ALTER TABLE a ALTER COLUMN v DROP DEFAULT",
      "ALTER TABLE a ADD INDEX idx_v (v)",
      "CREATE UNIQUE INDEX u_remark ON a (remark)",
      "DROP INDEX u_remark ON a",
      "ALTER TABLE a DROP INDEX idx_v",
      "ALTER TABLE b ADD CONSTRAINT fk_a FOREIGN KEY (a_id) REFERENCES a (id)",
      "INSERT INTO b VALUES (2, 2)",
      "ALTER TABLE b DROP FOREIGN KEY fk_a",
      "ALTER TABLE c DROP PRIMARY KEY, ADD PRIMARY KEY (id, name)",
      "INSERT INTO c (name, qty) VALUES ('r', 3)",
      "ALTER TABLE a DROP COLUMN z",
      "RENAME TABLE c TO c2",
      "INSERT INTO c2 (name) VALUES ('s')",
      "ALTER TABLE c2 RENAME TO c3",
      "UPDATE c3 SET qty = 9 WHERE name = 'p'",
  };
  const std::vector<std::string> stopped = {
      "CREATE TABLE d LIKE c3",
      "INSERT INTO d SELECT * FROM c3",
      "ALTER TABLE a MODIFY v BIGINT",
      "CREATE TABLE e (id INT PRIMARY KEY, w TEXT)",
      "INSERT INTO e VALUES (1, 'e')",
      "DROP TABLE d",
      "CREATE DATABASE IF NOT EXISTS my2pg_ddl_other",
      "DROP DATABASE my2pg_ddl_other",
      "RENAME TABLE e TO e_tmp, b TO e, e_tmp TO b",
      "INSERT INTO b VALUES (2, 'swapped')",
      "INSERT INTO e VALUES (3, 3)",
      "TRUNCATE TABLE c3",
      "INSERT INTO c3 (name, qty) VALUES ('after truncate', 1)",
      "CREATE TABLE f AS SELECT id, name FROM c3",
      "ALTER TABLE c3 CONVERT TO CHARACTER SET latin1",
      "INSERT INTO c3 (name, qty) VALUES ('caf\xc3\xa9', 2)",
  };
  const pid_t pid = spawn_my2pg(replicate_args(db));
  REQUIRE(pid > 0);
  for (const std::string& sql : live) {
    src.execute(sql);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  for (const std::string& sql : stopped) src.execute(sql);
  done = true;
  workload.join();
  CHECK(workload_error.empty());
  CHECK(writes.load() > 10);
  catch_up(db);
  check_equal(db);

  const std::string s = "\"" + db.name() + "\".";
  // The target's own definitions followed: names, types, defaults, keys and indexes.
  CHECK(db.target_value("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY "
                        "column_name) FROM information_schema.columns WHERE table_schema = '" +
                        db.name() + "' AND table_name = 'a'") ==
        "extra2 integer, id integer, remark character varying, v bigint");
  CHECK(db.target_value("SELECT column_default FROM information_schema.columns WHERE "
                        "table_schema = '" +
                        db.name() + "' AND table_name = 'a' AND column_name = 'extra2'") == "7");
  CHECK(db.target_value("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.name() +
                        "' AND tablename = 'a'") == "1");  // the primary key alone
  CHECK(db.target_value("SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i, "
                        "unnest(i.indkey) WITH ORDINALITY k(attnum, n), pg_attribute a WHERE "
                        "i.indrelid = '" +
                        s +
                        "c3'::regclass AND i.indisprimary AND a.attrelid = i.indrelid AND "
                        "a.attnum = k.attnum") == "id,name");
  CHECK(db.target_value("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.name() +
                        "' AND indexdef LIKE '%(name)%' AND tablename = 'c3'") == "1");
  CHECK(db.target_value("SELECT to_regclass('" + s + "c') IS NULL AND to_regclass('" + s +
                        "c2') IS NULL AND to_regclass('" + s + "d') IS NULL") == "t");
  CHECK(db.target_value("SELECT string_agg(w, ',') FROM " + s + "b") == "e,swapped");
  CHECK(db.target_value("SELECT string_agg(a_id::text, ',' ORDER BY id) FROM " + s + "e") ==
        "1,2,3");
  // Every statement recorded as applied, but the row changes and the other database's two.
  CHECK(db.target_value("SELECT count(*) FROM my2pg.schema_history WHERE action = 'applied' "
                        "AND source_database = '" +
                        db.name() + "'") == std::to_string(live.size() + stopped.size() - 16));
  CHECK(db.target_value("SELECT string_agg(source_table, ',' ORDER BY source_table) FROM "
                        "my2pg.source_table WHERE source_database = '" +
                        db.name() + "'") == "a,b,c3,e,f");
  CHECK(db.target_value("SELECT string_agg(name, ',') FROM " + s + "f") == "after truncate");
  // Decoded as latin1 after CONVERT TO CHARACTER SET: the tracked definition says so.
  CHECK(db.target_value("SELECT count(*) FROM " + s + "c3 WHERE name = 'caf\xc3\xa9'") == "1");
  const CommandResult shown =
      run_my2pg({"status", "--target", db.target_uri(), "--source", db.source_uri(), "--json"});
  INFO(shown.out << shown.err);
  CHECK(shown.out.find("\"schema_changes_applied\":" +
                       std::to_string(live.size() + stopped.size() - 16)) != std::string::npos);
}

// Schema changes are applied exactly once through crashes: each one commits with the rows
// around it, its definitions and the position, so a run killed anywhere resumes with the
// definitions in force at the position it committed.
TEST_CASE("replicate killed at random moments while the schema changes ends equal",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
  catch_up(db);
  std::mt19937 random(20261122);
  int ddl = 0;
  for (int round = 0; round < 8; ++round) {
    const std::string r = std::to_string(round);
    const pid_t pid = spawn_my2pg(replicate_args(db));
    REQUIRE(pid > 0);
    src.execute("ALTER TABLE t ADD COLUMN c" + r + " INT NOT NULL DEFAULT " + r);
    src.execute("INSERT INTO t (id, v) VALUES (" + std::to_string(10 + round) + ", " + r + ")");
    src.execute("UPDATE t SET v = v + 1, c" + r + " = c" + r + " + 1 WHERE id = 1");
    src.execute("CREATE TABLE n" + r + " (id INT PRIMARY KEY, w VARCHAR(10))");
    src.execute("INSERT INTO n" + r + " VALUES (1, 'w" + r + "'), (2, 'x')");
    ddl += 2;
    if (round > 0) {
      const std::string before = std::to_string(round - 1);
      src.execute("ALTER TABLE n" + before + " MODIFY w VARCHAR(40), ADD INDEX k_w (w)");
      src.execute("RENAME TABLE n" + before + " TO old" + before);
      src.execute("DELETE FROM old" + before + " WHERE id = 2");
      ddl += 2;
    }
    if (round > 2) {
      src.execute("DROP TABLE old" + std::to_string(round - 3));
      ++ddl;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 1500));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" +
                        db.name() + "' AND table_name = 't'") == "10");
  CHECK(db.target_value("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                        "information_schema.tables WHERE table_schema = '" +
                        db.name() + "'") == "n7,old5,old6,t");
  // Each statement applied once: a replay would have failed or recorded it twice.
  CHECK(db.target_value("SELECT count(*) FROM my2pg.schema_history WHERE action = 'applied' AND "
                        "source_database = '" +
                        db.name() + "'") == std::to_string(ddl));
  CHECK(db.target_value("SELECT count(*) FROM (SELECT statement FROM my2pg.schema_history WHERE "
                        "source_database = '" +
                        db.name() +
                        "' GROUP BY binlog_file, binlog_pos, statement HAVING count(*) "
                        "> 1) twice") == "0");
}

// DROP DATABASE of the replicated database drops its tables on the target; a database made again
// under the same name is followed from its first table on.
TEST_CASE("replicate follows the replicated database being dropped and made again",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  const std::string q = "`" + db.name() + "`";
  src.execute("INSERT INTO t VALUES (2, 2)");
  src.execute("DROP DATABASE " + q);
  src.execute("CREATE DATABASE " + q);
  src.execute("CREATE TABLE " + q + ".t2 (id INT PRIMARY KEY, w VARCHAR(10))");
  src.execute("INSERT INTO " + q + ".t2 VALUES (1, 'again')");
  catch_up(db);
  const std::string s = "\"" + db.name() + "\".";
  CHECK(db.target_value("SELECT to_regclass('" + s + "t') IS NULL") == "t");
  CHECK(db.target_value("SELECT w FROM " + s + "t2") == "again");
  CHECK(db.target_value("SELECT string_agg(source_table, ',') FROM my2pg.source_table WHERE "
                        "source_database = '" +
                        db.name() + "'") == "t2");
  src.execute("USE " + q);
  check_equal(db);
}

// Type changes convert existing values as MySQL did (bytes kept between binary and text),
// NULLs made NOT NULL get MySQL's zero value, and a renamed key column keeps the foreign keys
// onto it.
TEST_CASE("replicate converts retyped columns and fills NULLs as the source did",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute(
      "CREATE TABLE r (id INT PRIMARY KEY, b VARBINARY(20), s VARCHAR(20), n VARCHAR(20), e "
      "ENUM('x', 'y'))");
  src.execute(
      "INSERT INTO r VALUES (1, 'abc', 'x\\\\y', NULL, NULL), (2, NULL, 'plain', 'n', 'y')");
  src.execute("CREATE TABLE parent (id INT PRIMARY KEY, code INT, UNIQUE KEY uk (code))");
  src.execute(
      "CREATE TABLE child (id INT PRIMARY KEY, code INT, CONSTRAINT fk_code FOREIGN KEY "
      "(code) REFERENCES parent (code))");
  src.execute("CREATE TABLE p (id INT PRIMARY KEY)");
  src.execute(
      "CREATE TABLE c (id INT PRIMARY KEY, p_id INT, FOREIGN KEY (p_id) REFERENCES p (id))");
  src.execute("INSERT INTO p VALUES (1)");
  src.execute("INSERT INTO c VALUES (1, 1)");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("ALTER TABLE r MODIFY b VARCHAR(20), MODIFY s VARBINARY(20)");
  src.execute("ALTER TABLE r CHANGE n title VARCHAR(40) NOT NULL DEFAULT ''");
  src.execute("ALTER TABLE p CHANGE id pid INT NOT NULL");
  src.execute("ALTER TABLE r MODIFY e ENUM('x', 'y') NOT NULL");  // NULL becomes ''
  src.execute("ALTER TABLE parent RENAME INDEX uk TO uk2");
  src.execute(
      "CREATE TABLE tree (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES tree (id))");
  src.execute("INSERT INTO tree VALUES (1, NULL), (2, 1)");
  src.execute("INSERT INTO p VALUES (2)");
  src.execute("INSERT INTO c VALUES (2, 2)");
  catch_up(db);
  check_equal(db);
  const std::string s = "\"" + db.name() + "\".";
  CHECK(db.target_value("SELECT b || '|' || encode(s, 'escape') || '|' || title FROM " + s +
                        "r WHERE id = 1") == "abc|x\\\\y|");
  for (const char* table : {"c", "child", "tree"}) {
    INFO(table);
    CHECK(
        db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = '" +
                        s + table + "'::regclass") == "1");
  }
  CHECK(db.target_value("SELECT string_agg(e, ',' ORDER BY id) FROM " + s + "r") == ",y");
}

// Text in the character sets of one byte per character: the copy gets the server's conversion,
// and the binlog's bytes must become the same text (iconv's tables differ in places and refuse
// bytes the server turns into '?').
TEST_CASE("replicate converts single-byte character sets as the source server does",
          "[replicate]") {
  TestDatabases db;
  auto& src = db.source();
  const std::vector<std::string> sets = {
      "ascii", "armscii8", "cp1250", "cp1251",  "cp1256", "cp1257",   "cp850",
      "cp852", "cp866",    "dec8",   "geostd8", "greek",  "hebrew",   "hp8",
      "koi8r", "koi8u",    "latin2", "latin5",  "latin7", "macroman", "tis620"};
  std::string columns, values;
  std::string bytes;
  for (int b = 0x20; b < 0x100; ++b) bytes += fmt::format("{:02X}", b);
  for (const std::string& cs : sets) {
    columns += ", c_" + cs + " VARCHAR(300) CHARACTER SET " + cs;
    values += ", CONVERT(x'" + bytes + "' USING " + cs + ")";
  }
  src.execute("CREATE TABLE t (id INT PRIMARY KEY" + columns + ")");
  src.execute("INSERT INTO t VALUES (1" + values + ")");
  catch_up(db);
  std::string copied;
  for (const std::string& cs : sets) copied += ", c_" + cs;
  src.execute("INSERT INTO t SELECT 2" + copied + " FROM t WHERE id = 1");
  catch_up(db);
  check_equal(db);
  for (const std::string& cs : sets) {
    INFO(cs);
    CHECK(db.target_value("SELECT count(DISTINCT c_" + cs + ") FROM \"" + db.name() + "\".t") ==
          "1");
  }
}

// A schema change sent by a session whose client character set is latin1 (legacy
// applications): its text is read in that character set, where its bytes used to reach the
// parser and PostgreSQL as they were (and the replica stopped, even with --on-ddl skip).
TEST_CASE("replicate reads a schema change in its session's character set and sql_mode",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE d (id INT PRIMARY KEY)");
  src.execute("INSERT INTO d VALUES (1)");
  catch_up(db);
  src.execute("SET NAMES latin1");
  src.execute(
      "ALTER TABLE d ADD COLUMN u VARCHAR(10) CHARACTER SET utf8mb4 DEFAULT '\xe9t\xe9' "
      "COMMENT 'caf\xe9', ADD COLUMN `col\xe9` INT DEFAULT 1");
  src.execute("INSERT INTO d (id) VALUES (2)");
  src.execute("SET NAMES utf8mb4");
  catch_up(db);
  check_equal(db);
  const std::string columns =
      "SELECT string_agg(column_name || '=' || coalesce(column_default, ''), "
      "',' ORDER BY ordinal_position) FROM information_schema.columns "
      "WHERE table_schema = '" +
      db.name() + "' AND table_name = 'd'";
  CHECK(db.target_value(columns) == "id=,u='\xc3\xa9t\xc3\xa9'::character varying,col\xc3\xa9=1");
  CHECK(db.target_value("SELECT string_agg(u, ',' ORDER BY id) FROM \"" + db.name() + "\".d") ==
        "\xc3\xa9t\xc3\xa9,\xc3\xa9t\xc3\xa9");
  // Under NO_BACKSLASH_ESCAPES a backslash in a string is a backslash ('x\' is x and one).
  src.execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
  src.execute(
      "ALTER TABLE d ADD COLUMN nb VARCHAR(10) DEFAULT 'a\\nb', ADD COLUMN nb2 VARCHAR(10) "
      "DEFAULT 'x\\', ADD COLUMN nb3 VARCHAR(10) DEFAULT 'it''s'");
  src.execute("SET SESSION sql_mode = DEFAULT");
  src.execute("INSERT INTO d (id) VALUES (3)");
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT nb || '|' || nb2 || '|' || nb3 FROM \"" + db.name() +
                        "\".d WHERE id = 1") == "a\\nb|x\\|it's");
}

// Changes of type whose values MySQL changes and PostgreSQL's casts would not (several map to
// the same PostgreSQL type, so there is no cast at all): without strict mode numbers are
// clamped to the new range, ENUM values whose label went become '', SET members that went are
// dropped and the rest follow the new order; a number or text read into an ENUM or SET is
// beyond repeating on rows that exist.
TEST_CASE("replicate keeps the values MySQL keeps when a column's type changes",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute(
      "CREATE TABLE v (id INT PRIMARY KEY, i INT, u INT, big INT UNSIGNED, d DECIMAL(8,3), "
      "e ENUM('a','b','c'), ec ENUM('x','y'), st SET('x','y','z'), so SET('p','q'))");
  src.execute(
      "INSERT INTO v VALUES (1, 200, -5, 4000000000, 12345.678, 'c', 'y', 'x,z', 'p,q'), "
      "(2, -300, 7, 5, -99999.999, 'a', 'x', 'y', 'q'), (3, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL)");
  src.execute("CREATE TABLE n (id INT PRIMARY KEY, k VARCHAR(5))");
  src.execute("INSERT INTO n VALUES (1, '2')");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute(
      "ALTER TABLE v MODIFY i TINYINT, MODIFY u INT UNSIGNED, MODIFY big TINYINT UNSIGNED, "
      "MODIFY d DECIMAL(5,1), MODIFY e ENUM('a','b'), MODIFY ec ENUM('Y','x'), "
      "MODIFY st SET('x','y'), MODIFY so SET('z','q','p')");
  src.execute("INSERT INTO v VALUES (4, 1, 1, 1, 1.5, 'b', 'Y', 'y', 'z')");
  catch_up(db);
  check_equal(db);
  const std::string s = "\"" + db.name() + "\".";
  CHECK(db.target_value("SELECT string_agg(concat_ws('|', i, u, big, d, e, ec, st, so), ' ' "
                        "ORDER BY id) FROM " +
                        s + "v WHERE id < 3") ==
        "127|0|255|9999.9||Y|x|q,p -128|7|5|-9999.9|a|x|y|q");
  CHECK(
      source_value(db, "SELECT concat_ws('|', i, u, big, d, e, ec, st, so) FROM v WHERE id = 1") ==
      "127|0|255|9999.9||Y|x|q,p");
  src.execute("SET SESSION sql_mode = DEFAULT");
  src.execute("ALTER TABLE n MODIFY k ENUM('a','b','c')");
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("the source changed column") &&
                        Catch::Contains("enum members") && Catch::Contains("my2pg resync --table"));
}

// A paused table dropped and made again is a new table, not paused; a table renamed away from
// a name a new, paused table takes is not paused with it.
TEST_CASE("replicate pauses tables by what they are, not by the names they had",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE pt (id INT PRIMARY KEY, at DATETIME)");
  src.execute("CREATE TABLE ra (id INT PRIMARY KEY, at DATETIME)");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO pt VALUES (1, '0000-00-00 00:00:00')");
  src.execute("DROP TABLE pt");
  src.execute("CREATE TABLE pt (id INT PRIMARY KEY, at DATETIME)");
  src.execute("INSERT INTO pt VALUES (5, '2024-01-05 00:00:00')");
  src.execute("RENAME TABLE ra TO ra_old");
  src.execute("CREATE TABLE ra (id INT PRIMARY KEY, at DATETIME)");
  src.execute("INSERT INTO ra VALUES (1, '0000-00-00 00:00:00')");
  src.execute("INSERT INTO ra_old VALUES (7, '2024-01-07 00:00:00')");
  catch_up(db, {"--on-table-error", "pause"});
  const std::string s = "\"" + db.name() + "\".";
  CHECK(db.target_value("SELECT string_agg(id::text, ',') FROM " + s + "pt") == "5");
  CHECK(db.target_value("SELECT string_agg(id::text, ',') FROM " + s + "ra_old") == "7");
  CHECK(db.target_value("SELECT string_agg(source_table, ',') FROM my2pg.paused_table WHERE "
                        "source_database = '" +
                        db.name() + "'") == "ra");
}

// A table of another database renamed into the replicated one by ALTER TABLE ... RENAME TO
// (not only by RENAME TABLE): its definition is unknown, so replication stops and says so,
// where its rows used to be dropped without a word.
TEST_CASE("replicate stops at a table renamed in from another database by ALTER TABLE",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  const std::string other = db.name() + "_other";
  struct DropAfter {
    my2pg::mysql::Connection& src;
    std::string name;
    ~DropAfter() { src.execute("DROP DATABASE IF EXISTS `" + name + "`"); }
  } drop_after{src, other};
  src.execute("CREATE DATABASE `" + other + "`");
  src.execute("CREATE TABLE `" + other + "`.y (id INT PRIMARY KEY)");
  src.execute("CREATE TABLE t (id INT PRIMARY KEY)");
  catch_up(db);
  src.execute("ALTER TABLE `" + other + "`.y ADD COLUMN v INT, RENAME TO `" + db.name() + "`.y");
  src.execute("INSERT INTO y VALUES (1, 1)");
  const CommandResult r = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("RENAME TO") && Catch::Contains("not tracked") &&
                        Catch::Contains("binlog"));
}

// Online schema-change tools swap tables by renames (pt-online-schema-change: a new table made
// LIKE the old one, RENAME TABLE a TO _a_old, _a_new TO a, DROP the old one), and do it again
// later: the AUTO_INCREMENT columns' sequences follow their tables' names, so that the names
// are free for the tables made next.
TEST_CASE("replicate renames the sequences of renamed tables with them", "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE a (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
  src.execute("INSERT INTO a (v) VALUES (1), (2)");
  catch_up(db);
  src.execute("RENAME TABLE a TO a_old");
  src.execute("CREATE TABLE a (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
  src.execute("INSERT INTO a (v) VALUES (3)");
  for (int round = 0; round < 2; ++round) {
    src.execute("CREATE TABLE _a_new LIKE a");
    src.execute("INSERT INTO _a_new SELECT * FROM a");
    src.execute("RENAME TABLE a TO _a_old, _a_new TO a");
    src.execute("DROP TABLE _a_old");
    src.execute("INSERT INTO a (v) VALUES (" + std::to_string(10 + round) + ")");
  }
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT string_agg(sequencename, ',' ORDER BY sequencename) FROM "
                        "pg_sequences WHERE schemaname = '" +
                        db.name() + "'") == "a_id_seq,a_old_id_seq");
  CHECK(db.target_value("SELECT pg_get_serial_sequence('\"" + db.name() + "\".a', 'id')") ==
        db.name() + ".a_id_seq");
}

// A paused table dropped and made again while the batch that does so waits to commit: the
// paused tables read meanwhile still list the old table, which must not set the new one aside
// (its rows were skipped, and nothing said so).
TEST_CASE("replicate does not pause a table made again by the pause of the one it replaces",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE pt (id INT PRIMARY KEY, at DATETIME)");
  catch_up(db);
  const std::string paused =
      "SELECT count(*) FROM my2pg.paused_table WHERE source_database = '" + db.name() + "'";
  const std::string rows = "SELECT count(*) FROM \"" + db.name() + "\".pt";
  const auto wait_for = [&](const std::string& sql, const std::string& want) {
    for (int i = 0; i < 200; ++i) {
      try {
        if (db.target_value(sql) == want) return true;
      } catch (const std::exception&) {  // the table is being made
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  const SpawnLog log(db.name());
  const pid_t pid = spawn_my2pg(replicate_args(db, {"--on-table-error", "pause"}), log.path);
  REQUIRE(pid > 0);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO pt VALUES (1, '0000-00-00 00:00:00')");
  CHECK(wait_for(paused, "1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the position after it commits
  // The batch that drops and makes pt again cannot commit while this holds the replica's row;
  // the follower reads on meanwhile.
  my2pg::pg::Connection locker(db.target_uri());
  locker.execute("BEGIN");
  locker.execute("SELECT 1 FROM my2pg.replica WHERE source_database = '" + db.name() +
                 "' FOR UPDATE");
  src.execute("DROP TABLE pt");
  src.execute("CREATE TABLE pt (id INT PRIMARY KEY, at DATETIME)");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  src.execute("INSERT INTO pt VALUES (5, '2024-01-05 00:00:00')");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  locker.execute("ROLLBACK");
  CHECK(wait_for(rows, "1"));
  const std::string out = stop_cleanly(pid, log.path);
  INFO(out);
  CHECK(db.target_value(paused) == "0");
  CHECK(db.target_value("SELECT string_agg(id::text, ',') FROM \"" + db.name() + "\".pt") == "5");
  check_equal(db);
}

// --on-table-error pause through schema changes: a paused table renamed stays paused under its
// new name; a table created by a statement whose rows fail (CREATE TABLE ... SELECT) is paused
// when the statement is applied again after its batch rolled back.
TEST_CASE("replicate keeps paused tables paused through renames and rolled-back schema changes",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE d (id INT PRIMARY KEY, at DATETIME)");
  src.execute("CREATE TABLE ok (id INT PRIMARY KEY)");
  src.execute("INSERT INTO d VALUES (1, '2024-01-01 00:00:00')");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("INSERT INTO d VALUES (7, '0000-00-00 00:00:00')");
  catch_up(db, {"--on-table-error", "pause"});
  src.execute("RENAME TABLE d TO d2");
  src.execute("INSERT INTO d2 VALUES (8, '2024-01-02 00:00:00')");
  src.execute("INSERT INTO ok VALUES (1)");
  src.execute("CREATE TABLE z (id INT PRIMARY KEY, at DATETIME) SELECT id, at FROM d2");
  src.execute("INSERT INTO ok VALUES (2)");
  src.execute("INSERT INTO z VALUES (9, '2024-01-03 00:00:00')");
  const CommandResult r = catch_up(db, {"--on-table-error", "pause"});
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".z is paused (--on-table-error pause)"));
  const std::string s = "\"" + db.name() + "\".";
  CHECK(db.target_value("SELECT string_agg(source_table, ',' ORDER BY source_table) FROM "
                        "my2pg.paused_table WHERE source_database = '" +
                        db.name() + "'") == "d2,z");
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + s + "d2") == "1");
  CHECK(db.target_value("SELECT count(*) FROM " + s + "z") == "0");  // made, and set aside
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + s + "ok") == "1,2");
  // A later run keeps both aside.
  src.execute("INSERT INTO d2 VALUES (10, '2024-01-04 00:00:00')");
  src.execute("INSERT INTO ok VALUES (3)");
  catch_up(db, {"--on-table-error", "pause"});
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + s + "d2") == "1");
  CHECK(db.target_value("SELECT count(*) FROM " + s + "ok") == "3");
}

// A supported statement PostgreSQL refuses stops replication with the statement and what to do;
// --on-ddl skip records it as skipped and goes on.
TEST_CASE("replicate stops at a schema change PostgreSQL refuses unless --on-ddl skip",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE v (id INT PRIMARY KEY, x VARCHAR(10))");
  src.execute("INSERT INTO v VALUES (1, '12abc')");
  catch_up(db);
  src.execute("SET SESSION sql_mode = ''");
  src.execute("ALTER TABLE v MODIFY x INT");  // MySQL keeps 12; PostgreSQL refuses '12abc'
  src.execute("INSERT INTO v VALUES (2, 5)");
  const CommandResult stopped = run_my2pg(replicate_args(db, {"--until", "caught-up"}));
  INFO(stopped.err);
  CHECK(stopped.exit_code != 0);
  CHECK_THAT(stopped.err, Catch::Contains("could not be made on PostgreSQL") &&
                              Catch::Contains("ALTER TABLE v MODIFY x INT") &&
                              Catch::Contains("make the change on the target yourself") &&
                              Catch::Contains("--on-ddl skip"));
  catch_up(db, {"--on-ddl", "skip"});
  CHECK(db.target_value("SELECT action || ': ' || left(reason, 40) FROM my2pg.schema_history "
                        "WHERE source_database = '" +
                        db.name() + "' ORDER BY id DESC LIMIT 1")
            .rfind("skipped: --on-ddl skip: the schema change", 0) == 0);
  CHECK(db.target_value("SELECT string_agg(x, ',' ORDER BY id) FROM \"" + db.name() + "\".v") ==
        "12abc,5");
}

// After --on-ddl skip, the target is changed by hand and the table copied again: the copy's
// definition is the one replication goes on with (rows before the copy, with the old table
// map, are the copy's).
TEST_CASE("replicate goes on with the definition a resync copied after a skipped schema change",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  src.execute("INSERT INTO t VALUES (1, 1)");
  catch_up(db);
  src.execute("ALTER TABLE t ADD COLUMN w INT PARTITION BY HASH (id) PARTITIONS 2");
  src.execute("INSERT INTO t VALUES (2, 2, 20)");
  const CommandResult skipped =
      run_my2pg(replicate_args(db, {"--until", "caught-up", "--on-ddl", "skip"}));
  INFO(skipped.err);
  CHECK(skipped.exit_code != 0);
  CHECK_THAT(skipped.err,
             Catch::Contains("has 3 columns") && Catch::Contains("my2pg resync --table t"));
  db.target().execute("ALTER TABLE \"" + db.name() + "\".t ADD COLUMN w integer");
  const CommandResult resync = run_my2pg(
      {"resync", "--source", db.source_uri(), "--target", db.target_uri(), "--table", "t"});
  INFO(resync.err);
  REQUIRE(resync.exit_code == 0);
  src.execute("INSERT INTO t VALUES (3, 3, 30)");
  src.execute("UPDATE t SET w = 21 WHERE id = 2");
  catch_up(db);
  check_equal(db);
  CHECK(db.target_value("SELECT string_agg(id || ':' || coalesce(w::text, '-'), ',' ORDER BY id) "
                        "FROM \"" +
                        db.name() + "\".t") == "1:-,2:21,3:30");
}

// The copy's identifier options hold for tables the source creates later, and the names that
// changed are recorded.
TEST_CASE("replicate names tables created later by the copy's identifier options",
          "[replicate_ddl]") {
  TestDatabases db;
  auto& src = db.source();
  src.execute("CREATE TABLE Keep (Id INT PRIMARY KEY)");
  catch_up(db, {"--identifier-case", "lower"});
  src.execute("CREATE TABLE MixedCase (Id INT PRIMARY KEY, Val VARCHAR(10))");
  src.execute("INSERT INTO MixedCase VALUES (1, 'x')");
  catch_up(db, {"--identifier-case", "lower"});
  CHECK(db.target_value("SELECT val FROM \"" + db.name() + "\".mixedcase WHERE id = 1") == "x");
  CHECK(db.target_value("SELECT string_agg(kind || ':' || source_name || '>' || target_name, ',' "
                        "ORDER BY kind, source_name) FROM my2pg.identifier_map WHERE "
                        "source_database = '" +
                        db.name() + "'") ==
        "column:Id>id,column:Id>id,column:Val>val,table:Keep>keep,table:MixedCase>mixedcase");
}
