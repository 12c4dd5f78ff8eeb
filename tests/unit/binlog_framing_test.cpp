// Transaction framing over real binlogs of every shape: MySQL GTIDs, anonymous GTIDs, payloads,
// MariaDB GTIDs (standalone and transactional), logs without GTIDs, and DDL on its own.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "binlog/decoder.hpp"
#include "binlog/file_source.hpp"
#include "binlog/transaction_framer.hpp"

using namespace my2pg::binlog;

namespace {

struct Framed {
  std::vector<TxInfo> committed;
  size_t rollbacks = 0;
  bool open_at_end = false;
};

// Feeds every event of `file` through a framer and checks the roles are well nested.
Framed frame(const std::string& relative) {
  const std::string path = std::string(MY2PG_FIXTURES_DIR) + "/" + relative;
  Framed f;
  FileSource source({path}, false);
  Decoder decoder;
  TransactionFramer framer;
  std::vector<Event> events;
  RawEvent raw;
  bool open = false;
  while (source.next(raw)) {
    decoder.set_file(raw.file);
    events.clear();
    decoder.decode(raw.bytes, raw.position, events);
    for (const auto& e : events) {
      const TxRole role = framer.add(e, raw.file);
      INFO(relative << " at " << e.position << " " << event_type_name(e.header.type));
      switch (role) {
        case TxRole::begin:
          CHECK_FALSE(open);
          open = true;
          break;
        case TxRole::change:
          CHECK(open);
          break;
        case TxRole::commit:
          f.committed.push_back(framer.current());
          open = false;
          break;
        case TxRole::rollback:
          ++f.rollbacks;
          open = false;
          break;
        case TxRole::outside:
          CHECK_FALSE(open);
          break;
      }
    }
  }
  f.open_at_end = framer.in_transaction();
  return f;
}

bool have_fixtures() {
  if (std::filesystem::is_directory(MY2PG_FIXTURES_DIR)) return true;
  WARN("skipped: the binlog fixtures in ../shared are absent");
  return false;
}

}  // namespace

TEST_CASE("MySQL 8 GTID transactions frame with resume positions", "[binlog][framing]") {
  if (!have_fixtures()) return;
  const Framed f = frame("maxwell/binlog.000004");
  REQUIRE(f.committed.size() == 21);  // 21 GTIDs: 16 DDL and 5 row transactions
  CHECK(f.committed.front().gtid == "83759871-1141-11ed-b12d-0242ac130003:6");
  size_t ddl = 0, rows = 0;
  for (size_t i = 0; i < f.committed.size(); ++i) {
    const TxInfo& t = f.committed[i];
    CHECK_FALSE(t.gtid.empty());
    CHECK(t.end_pos > t.start_pos);
    if (i > 0) CHECK(t.start_pos == f.committed[i - 1].end_pos);  // nothing between transactions
    ddl += t.ddl ? 1 : 0;
    rows += t.row_events;
  }
  CHECK(ddl == 16);
  CHECK(rows == 5);
  CHECK_FALSE(f.open_at_end);
}

TEST_CASE("a transaction inside a TRANSACTION_PAYLOAD resumes after the payload",
          "[binlog][framing]") {
  if (!have_fixtures()) return;
  const Framed f = frame("mysql-binlog-connector-java/mysql-bin.compressed");
  REQUIRE(f.committed.size() == 1);
  CHECK(f.committed[0].gtid == "ANONYMOUS");
  CHECK(f.committed[0].start_pos == 157);  // the ANONYMOUS_GTID event
  CHECK(f.committed[0].end_pos == 724);    // the end of the payload (the ROTATE follows)
  CHECK(f.committed[0].row_events == 1);
}

TEST_CASE("MariaDB GTIDs: standalone DDL and transactional groups", "[binlog][framing]") {
  if (!have_fixtures()) return;
  const Framed f = frame("mariadb-poc/domain_id_1/mariadb-repl-bin.000002");
  REQUIRE(f.committed.size() == 12);
  CHECK(f.committed.front().gtid == "1-10-1");
  CHECK(f.committed.back().gtid == "1-10-12");
  // MariaDB 10.5 with row events: two GTID ... XID transactions of one row event each.
  const Framed z = frame("rust_mysql_common/mariadb-bin.000001");
  REQUIRE(z.committed.size() == 2);
  for (const auto& t : z.committed) {
    CHECK(t.gtid.rfind("0-", 0) == 0);
    CHECK(t.row_events == 1);
    CHECK_FALSE(t.ddl);
  }
  CHECK(z.committed[0].end_pos == 702);
  CHECK(z.committed[1].start_pos == 702);
}

TEST_CASE("logs without GTIDs frame by BEGIN and XID", "[binlog][framing]") {
  if (!have_fixtures()) return;
  const Framed f = frame("canal/mysql-bin.000002");
  REQUIRE(f.committed.size() == 1);
  CHECK(f.committed[0].gtid.empty());
  CHECK(f.committed[0].row_events == 1);
  const Framed c = frame("canal/mysql-bin.000001");
  CHECK(c.committed.size() == 111);  // 89 BEGIN ... XID transactions and 22 DDL statements
  CHECK_FALSE(c.open_at_end);
}

namespace {

Event make(uint64_t position, uint32_t size, EventBody body) {
  Event e;
  e.position = position;
  e.header.event_size = size;
  e.body = std::move(body);
  return e;
}

QueryEvent query(std::string text) {
  QueryEvent q;
  q.query = std::move(text);
  return q;
}

}  // namespace

TEST_CASE("standalone DDL, XA, rollback and savepoints frame correctly", "[binlog][framing]") {
  TransactionFramer f;
  MariaGtidEvent standalone;
  standalone.flags2 = 1;  // FL_STANDALONE
  standalone.seq_no = 7;
  CHECK(f.add(make(100, 40, standalone), "b.1") == TxRole::begin);
  CHECK(f.add(make(140, 60, query("CREATE TABLE t (a INT)")), "b.1") == TxRole::commit);
  CHECK(f.current().ddl);
  CHECK(f.current().gtid == "0-0-7");
  CHECK(f.current().start_pos == 100);
  CHECK(f.current().end_pos == 200);
  CHECK_FALSE(f.in_transaction());

  CHECK(f.add(make(200, 30, query("BEGIN")), "b.1") == TxRole::begin);
  CHECK(f.add(make(230, 30, query("SAVEPOINT s1")), "b.1") == TxRole::change);
  CHECK(f.add(make(260, 30, query("ROLLBACK TO s1")), "b.1") == TxRole::change);
  CHECK(f.add(make(290, 30, query("ROLLBACK")), "b.1") == TxRole::rollback);

  CHECK(f.add(make(320, 30, query("XA START 'x'")), "b.1") == TxRole::begin);
  CHECK(f.add(make(350, 30, query("XA END 'x'")), "b.1") == TxRole::change);
  CHECK(f.add(make(380, 40, XaPrepareEvent{}), "b.1") == TxRole::commit);
  CHECK(f.current().end_pos == 420);
  CHECK(f.current().xa_prepared);  // may still roll back

  // MySQL's XA COMMIT ... ONE PHASE: the same event, marked one-phase, commits.
  CHECK(f.add(make(320, 30, query("XA START 'y'")), "b.1") == TxRole::begin);
  CHECK(f.add(make(350, 30, query("XA END 'y'")), "b.1") == TxRole::change);
  XaPrepareEvent one_phase;
  one_phase.one_phase = true;
  CHECK(f.add(make(380, 40, one_phase), "b.1") == TxRole::commit);
  CHECK_FALSE(f.current().xa_prepared);
  CHECK(f.add(make(320, 30, query("BEGIN")), "b.1") == TxRole::begin);
  CHECK(f.add(make(350, 27, XidEvent{}), "b.1") == TxRole::commit);
  CHECK_FALSE(f.current().xa_prepared);

  CHECK(f.add(make(420, 27, XidEvent{}), "b.1") == TxRole::outside);  // no transaction open
  CHECK(f.add(make(447, 50, RotateEvent{}), "b.1") == TxRole::outside);
}
