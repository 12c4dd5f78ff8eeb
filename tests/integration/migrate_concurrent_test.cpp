// `my2pg migrate` while the source keeps committing: the copy must equal the source exactly as of
// the binlog position it records. A writer moves money between accounts, logs each move in a
// ledger and touches a large filler table, in one transaction each, from before the migration
// starts until after it ends. The source's state at the recorded position is rebuilt by replaying
// the source's own binlog (read with my2pg's decoder) up to that position, and the target must
// hold exactly that: every ledger row committed before it, none after, and the balances and
// filler rows to match.
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "binlog/decoder.hpp"
#include "binlog_live_support.hpp"
#include "mysql/connection.hpp"
#include "replica/live_source.hpp"
#include "snapshot/migrate.hpp"
#include "support/servers.hpp"

using my2pg::test::TestDatabases;
namespace binlog = my2pg::binlog;
namespace mysql = my2pg::mysql;

namespace {

constexpr int kAccounts = 100;
constexpr int64_t kInitialBalance = 1000;
constexpr int64_t kFillerRows = 300000;
constexpr int kCommittedBeforeMigrate = 50;

// A table's rows by primary key (the first column): the values of its other integer columns.
using Rows = std::map<int64_t, std::vector<int64_t>>;

// The state the writer works on, by table; each table's compared columns come first in it.
struct State {
  Rows accounts;  // id -> balance
  Rows ledger;    // id -> account, amount
  Rows filler;    // id -> n
  Rows* table(const std::string& name) {
    if (name == "accounts") return &accounts;
    if (name == "ledger") return &ledger;
    if (name == "filler") return &filler;
    return nullptr;
  }
};

State initial_state() {
  State s;
  for (int64_t id = 1; id <= kAccounts; ++id) s.accounts[id] = {kInitialBalance};
  for (int64_t id = 1; id <= kFillerRows; ++id) s.filler[id] = {id % 1000};
  return s;
}

void create_source(TestDatabases& db) {
  auto& src = db.source();
  src.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
  src.execute("INSERT INTO accounts SELECT seq, " + std::to_string(kInitialBalance) +
              " FROM seq_1_to_" + std::to_string(kAccounts));
  src.execute(
      "CREATE TABLE ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL, "
      "amount BIGINT NOT NULL, note VARCHAR(100))");
  // Large enough that copying it takes a while, so the writer's commits overlap the copy.
  src.execute(
      "CREATE TABLE filler (id INT PRIMARY KEY, n BIGINT NOT NULL, grp INT NOT NULL, "
      "pad VARCHAR(200) NOT NULL)");
  src.execute(
      "INSERT INTO filler SELECT seq, seq % 1000, seq % 97, REPEAT(CHAR(65 + seq % 26), 150) "
      "FROM seq_1_to_" +
      std::to_string(kFillerRows));
}

// Commits transfers on a connection of its own until stopped. Each one keeps the total balance
// and the ledger (balance = initial + the account's ledger amounts), updates a filler row and,
// every other time, deletes or inserts one.
class Writer {
 public:
  explicit Writer(const std::string& source_uri)
      : m_thread([this, source_uri] {
          try {
            run(source_uri);
          } catch (...) {
            m_error = std::current_exception();
          }
          m_done = true;
        }) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }

  int committed() const { return m_committed; }
  bool done() const { return m_done; }
  // Stops it and rethrows what ended it early, if anything did.
  void stop() {
    m_stop = true;
    m_thread.join();
    if (m_error) std::rethrow_exception(m_error);
  }

 private:
  void run(const std::string& source_uri) {
    mysql::Connection conn(mysql::Endpoint::parse(source_uri));
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> account(1, kAccounts);
    std::uniform_int_distribution<int> amount(1, 500);
    for (int64_t k = 0; !m_stop; ++k) {
      const int from = account(rng);
      int to = account(rng);
      if (to == from) to = from % kAccounts + 1;
      const std::string a = std::to_string(from), b = std::to_string(to);
      const std::string x = std::to_string(amount(rng)), n = std::to_string(k);
      conn.execute("BEGIN");
      conn.execute("UPDATE accounts SET balance = balance - " + x + " WHERE id = " + a);
      conn.execute("UPDATE accounts SET balance = balance + " + x + " WHERE id = " + b);
      conn.execute("INSERT INTO ledger (account, amount, note) VALUES (" + a + ", -" + x +
                   ", 'transfer " + n + " to " + b + "'), (" + b + ", " + x + ", 'transfer " + n +
                   " from " + a + "')");
      conn.execute("UPDATE filler SET n = n + " + x +
                   " WHERE id = " + std::to_string(1 + k * 7919 % kFillerRows));
      if (k % 4 == 1) {
        conn.execute("DELETE FROM filler WHERE id = " +
                     std::to_string(1 + (k * 104729 + 13) % kFillerRows));
      } else if (k % 4 == 3) {
        conn.execute("INSERT INTO filler VALUES (" + std::to_string(kFillerRows + 1 + k) + ", " +
                     x + ", 0, 'written during the copy')");
      }
      conn.execute("COMMIT");
      ++m_committed;
    }
  }

  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_done{false};
  std::atomic<int> m_committed{0};
  std::exception_ptr m_error;
  std::thread m_thread;  // last: it starts when everything it uses is ready
};

// One row change of the test database, reduced to its integer columns (others are 0).
struct RowChange {
  std::string table;
  binlog::RowsKind kind = binlog::RowsKind::write;
  std::vector<std::vector<int64_t>> before, after;
};

// A transaction of the binlog, and where it ends: (file, end offset) orders it against a position.
struct Transaction {
  std::string file;
  uint64_t end = 0;
  std::vector<RowChange> changes;  // of the test database's tables
};

struct BinlogRead {
  std::vector<Transaction> transactions;  // those that changed rows of the test database
  // Whether an event ends exactly at the recorded position, and whether a transaction (of any
  // database) was open across it.
  bool position_is_event_end = false;
  bool inside_transaction_at_position = false;
  std::string gtid_at_position;  // of the last transaction committed before it
};

std::vector<int64_t> integers(const binlog::RowImage& image) {
  std::vector<int64_t> out;
  for (const binlog::Value& v : image.values) {
    if (v.kind == binlog::ValueKind::signed_int) {
      out.push_back(v.i);
    } else if (v.kind == binlog::ValueKind::unsigned_int) {
      out.push_back(static_cast<int64_t>(v.u));
    } else {
      out.push_back(0);
    }
  }
  return out;
}

// Reads the live binlog from `start` to its current end (replica::LiveSource gives each event its
// file and position), and notes how the events lie around `position`.
class BinlogReader {
 public:
  BinlogReader(TestDatabases& db, const mysql::StreamStart& start, my2pg::BinlogPosition position)
      : m_database(db.name()),
        m_position(std::move(position)),
        m_source(mysql::Endpoint::parse(db.source_uri()), start) {
    m_decoder.set_file(start.file);
    m_decoder.set_stream_checksum(m_source.checksum());
  }

  BinlogRead read() {
    binlog::RawEvent raw;
    std::vector<binlog::Event> events;
    while (m_source.next(raw)) {
      if (raw.file != m_decoder.file()) m_decoder.set_file(raw.file);
      const uint64_t start = raw.position;
      events.clear();
      m_decoder.decode(raw.bytes, start, events);
      for (const auto& e : events) visit(e);
      if (log_pos(raw.bytes) != 0 && raw.file == m_position.file) {
        const uint64_t end = start + raw.bytes.size();
        if (end == m_position.pos) {
          m_read.position_is_event_end = true;
          m_read.inside_transaction_at_position = m_current.has_value();
          m_read.gtid_at_position = m_last_gtid;
        } else if (start < m_position.pos && m_position.pos < end) {
          m_read.inside_transaction_at_position = true;  // the position cuts an event
        }
      }
    }
    return std::move(m_read);
  }

 private:
  static uint32_t log_pos(std::span<const uint8_t> bytes) {
    uint32_t pos = 0;
    for (size_t i = 0; i < 4; ++i) pos |= uint32_t{bytes[13 + i]} << (8 * i);
    return pos;
  }

  void visit(const binlog::Event& e) {
    if (const auto* g = std::get_if<binlog::MariaGtidEvent>(&e.body)) {
      m_current = Transaction{};
      m_gtid = g->gtid(e.header.server_id);
      m_standalone = g->standalone();
      return;
    }
    if (!m_current) return;
    if (const auto* rows = std::get_if<binlog::RowsEvent>(&e.body)) {
      const binlog::TableMapEvent* map = m_decoder.table(rows->table_id);
      if (map == nullptr) throw std::runtime_error("a rows event without its table map");
      if (map->database != m_database) return;
      RowChange change{map->table, rows->kind, {}, {}};
      for (const auto& image : rows->before) change.before.push_back(integers(image));
      for (const auto& image : rows->after) change.after.push_back(integers(image));
      m_current->changes.push_back(std::move(change));
    } else if (std::holds_alternative<binlog::XidEvent>(e.body)) {
      close(e);
    } else if (const auto* q = std::get_if<binlog::QueryEvent>(&e.body)) {
      if (m_standalone || q->query == "COMMIT") close(e);
    }
  }

  void close(const binlog::Event& e) {
    m_current->file = m_decoder.file();
    m_current->end = e.position + e.header.event_size;
    m_last_gtid = m_gtid;
    if (!m_current->changes.empty()) m_read.transactions.push_back(std::move(*m_current));
    m_current.reset();
  }

  std::string m_database;
  my2pg::BinlogPosition m_position;
  my2pg::replica::LiveSource m_source;
  binlog::Decoder m_decoder;
  BinlogRead m_read;
  std::optional<Transaction> m_current;
  bool m_standalone = false;
  std::string m_gtid, m_last_gtid;
};

bool at_or_before(const Transaction& t, const my2pg::BinlogPosition& p) {
  if (t.file != p.file) return t.file < p.file;  // binlog names differ only in a fixed-width number
  return t.end <= p.pos;
}

// Applies a transaction's row changes to `state`; "" or what did not fit.
std::string apply(State& state, const Transaction& t) {
  for (const RowChange& c : t.changes) {
    Rows* rows = state.table(c.table);
    if (rows == nullptr) return "a change of unknown table " + c.table;
    for (const auto& before : c.before) {
      if (rows->erase(before.at(0)) != 1)
        return c.table + " row " + std::to_string(before.at(0)) + " changed but absent";
    }
    for (const auto& after : c.after) {
      const size_t width = c.table == "ledger" ? 3 : 2;
      const std::vector<int64_t> values(after.begin() + 1,
                                        after.begin() + static_cast<std::ptrdiff_t>(width));
      if (!rows->emplace(after.at(0), values).second)
        return c.table + " row " + std::to_string(after.at(0)) + " inserted twice";
    }
  }
  return {};
}

Rows rows_of(const my2pg::RowSet& r) {
  Rows out;
  for (const auto& row : r.rows) {
    std::vector<int64_t> values;
    for (size_t i = 1; i < row.size(); ++i) values.push_back(std::stoll(row.at(i).value()));
    out[std::stoll(row.at(0).value())] = std::move(values);
  }
  return out;
}

std::string row_text(const Rows::value_type& row) {
  std::string out = "(" + std::to_string(row.first);
  for (const int64_t v : row.second) out += ", " + std::to_string(v);
  return out + ")";
}

// "" when equal; otherwise the count of differing keys and the first few of them.
std::string difference(const Rows& expected, const Rows& actual) {
  std::string out;
  size_t differing = 0;
  auto note = [&](const std::string& what) {
    if (++differing <= 5) out += "\n  " + what;
  };
  for (const auto& row : expected) {
    const auto it = actual.find(row.first);
    if (it == actual.end()) {
      note("missing " + row_text(row));
    } else if (it->second != row.second) {
      note("expected " + row_text(row) + ", found " + row_text(*it));
    }
  }
  for (const auto& row : actual) {
    if (expected.count(row.first) == 0) note("unexpected " + row_text(row));
  }
  if (differing == 0) return {};
  return std::to_string(differing) + " row(s) differ:" + out;
}

void check_table(const std::string& table, const Rows& expected, const Rows& actual) {
  INFO(table << ": " << expected.size() << " rows expected, " << actual.size() << " found");
  CHECK(difference(expected, actual) == "");
}

void check_copy_matches_binlog(unsigned jobs) {
  TestDatabases db;
  create_source(db);
  const mysql::StreamStart from = my2pg::test::live::master_position(db.source());

  Writer writer(db.source_uri());
  while (writer.committed() < kCommittedBeforeMigrate && !writer.done()) std::this_thread::yield();
  my2pg::snapshot::MigrateOptions options;
  options.source_uri = db.source_uri();
  options.target_uri = db.target_uri();
  options.jobs = jobs;
  const auto report = my2pg::snapshot::run_migrate(options);
  writer.stop();
  CHECK(report.verified);
  const my2pg::BinlogPosition& at = report.position;
  REQUIRE(at.known());

  // The position is recorded for the snapshot and for every table.
  const std::string name = db.name();
  const std::string recorded = at.file + ":" + std::to_string(at.pos);
  CHECK(db.target_value("SELECT binlog_file || ':' || binlog_pos FROM my2pg.snapshot "
                        "WHERE source_database = '" +
                        name + "'") == recorded);
  CHECK(db.target_value("SELECT gtid_set FROM my2pg.snapshot WHERE source_database = '" + name +
                        "'") == at.gtid_set);
  CHECK(db.target_value("SELECT string_agg(DISTINCT binlog_file || ':' || binlog_pos, ' ') || ' ' "
                        "|| count(*) FROM my2pg.table_state WHERE source_database = '" +
                        name + "'") == recorded + " 3");

  BinlogReader reader(db, from, at);
  const BinlogRead read = reader.read();
  CHECK(read.position_is_event_end);
  CHECK_FALSE(read.inside_transaction_at_position);
  CHECK(read.gtid_at_position == at.gtid_set);  // one GTID domain on the sandbox
  State at_position = initial_state();
  size_t before = 0;
  for (const Transaction& t : read.transactions) {
    if (!at_or_before(t, at)) continue;
    ++before;
    INFO("transaction ending at " << t.file << ":" << t.end);
    REQUIRE(apply(at_position, t) == "");
  }
  const size_t after = read.transactions.size() - before;
  spdlog::info("writer: {} transactions committed before the snapshot's position {}, {} after",
               before, recorded, after);
  CHECK(before >= kCommittedBeforeMigrate);
  CHECK(after >= 20);  // the copy overlapped the writes (else make the filler table larger)

  // The replay is right: carried on to the end of the binlog, it gives the source as it is now.
  State at_end = at_position;
  for (const Transaction& t : read.transactions) {
    if (at_or_before(t, at)) continue;
    REQUIRE(apply(at_end, t) == "");
  }
  CHECK(static_cast<size_t>(writer.committed()) == read.transactions.size());
  auto& src = db.source();
  check_table("source accounts", at_end.accounts,
              rows_of(src.query("SELECT id, balance FROM accounts")));
  check_table("source ledger", at_end.ledger,
              rows_of(src.query("SELECT id, account, amount FROM ledger")));
  check_table("source filler", at_end.filler, rows_of(src.query("SELECT id, n FROM filler")));

  // The target is the source as of the recorded position, exactly.
  auto& tgt = db.target();
  const std::string s = "\"" + name + "\".";
  check_table("target accounts", at_position.accounts,
              rows_of(tgt.query("SELECT id, balance FROM " + s + "accounts")));
  check_table("target ledger", at_position.ledger,
              rows_of(tgt.query("SELECT id, account, amount FROM " + s + "ledger")));
  check_table("target filler", at_position.filler,
              rows_of(tgt.query("SELECT id, n FROM " + s + "filler")));
  // And consistent in itself, whatever the binlog says.
  CHECK(db.target_value("SELECT sum(balance) FROM " + s + "accounts") ==
        std::to_string(kAccounts * kInitialBalance));
  CHECK(db.target_value("SELECT count(*) FROM " + s + "accounts a LEFT JOIN (SELECT account, " +
                        "sum(amount) AS moved FROM " + s +
                        "ledger GROUP BY account) l ON l.account = a.id "
                        "WHERE a.balance <> " +
                        std::to_string(kInitialBalance) + " + coalesce(l.moved, 0)") == "0");
}

}  // namespace

TEST_CASE("a copy made during writes equals the source at its recorded position with 1 job",
          "[migrate_concurrent]") {
  check_copy_matches_binlog(1);
}

TEST_CASE("a copy made during writes equals the source at its recorded position with 2 jobs",
          "[migrate_concurrent]") {
  check_copy_matches_binlog(2);
}
