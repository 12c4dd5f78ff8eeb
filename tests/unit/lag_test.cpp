// The three lags from what the replica's threads saw and the source's position.
#include <catch2/catch.hpp>

#include "replica/monitor.hpp"

using my2pg::BinlogPosition;
using my2pg::replica::bytes_behind;
using my2pg::replica::compute_lag;
using my2pg::replica::Observed;
using my2pg::replica::ServerPosition;

namespace {

BinlogPosition at(const std::string& file, uint64_t pos, const std::string& gtid = {}) {
  BinlogPosition p;
  p.file = file;
  p.pos = pos;
  p.gtid_set = gtid;
  return p;
}

ServerPosition server_at(const BinlogPosition& p, double checked_at) {
  ServerPosition s;
  s.current = p;
  s.checked_at = checked_at;
  s.files = {{"b.000001", 1000}, {"b.000002", 500}, {"b.000003", p.pos}};
  return s;
}

}  // namespace

TEST_CASE("bytes behind span binlog files", "[lag]") {
  const ServerPosition s = server_at(at("b.000003", 300), 1);
  CHECK(bytes_behind("b.000003", 100, s) == 200U);
  CHECK(bytes_behind("b.000003", 300, s) == 0U);
  CHECK(bytes_behind("b.000003", 400, s) == 0U);  // ahead of a position read earlier
  CHECK(bytes_behind("b.000002", 100, s) == 400U + 300U);
  CHECK(bytes_behind("b.000001", 900, s) == 100U + 500U + 300U);
  CHECK_FALSE(bytes_behind("a.000001", 4, s).has_value());  // not a file the server lists
  CHECK_FALSE(bytes_behind("b.000003", 4, ServerPosition{}).has_value());
}

TEST_CASE("caught up at the check means zero lag", "[lag]") {
  Observed seen;
  seen.received = at("b.000003", 300, "0-1-50");
  seen.applied = at("b.000003", 300, "0-1-50");
  seen.applied_commit = 900;  // long ago: an idle source
  seen.received_commit = 900;
  const auto lag = compute_lag(seen, server_at(at("b.000003", 300, "0-1-50"), 1000), 1000.4);
  CHECK(lag.source_seconds == 0.0);
  CHECK(lag.apply_seconds == 0.0);
  CHECK(lag.bytes == 0U);
  CHECK(lag.transactions == 0U);
  CHECK(lag.reader_caught_up);
  CHECK(lag.applier_caught_up);
}

TEST_CASE("behind: lags from commit times and the last caught-up moment", "[lag]") {
  Observed seen;
  seen.received = at("b.000003", 300);
  seen.received_commit = 1005;
  seen.applied = at("b.000003", 100, "0-1-40");
  seen.applied_commit = 990;
  seen.applier_caught_up = 1000;  // idle until then: the backlog began after it
  const auto lag = compute_lag(seen, server_at(at("b.000003", 300, "0-1-52"), 1010), 1010.5);
  CHECK(lag.source_seconds == 0.0);  // the stream had everything the server had logged
  REQUIRE(lag.apply_seconds.has_value());
  CHECK(*lag.apply_seconds == Approx(10.5));
  CHECK(lag.bytes == 200U);
  CHECK(lag.transactions == 12U);
  CHECK_FALSE(lag.applier_caught_up);

  SECTION("a reader behind the server shows source lag") {
    seen.received = at("b.000003", 200);
    const auto l = compute_lag(seen, server_at(at("b.000003", 300, "0-1-52"), 1010), 1010.5);
    REQUIRE(l.source_seconds.has_value());
    CHECK(*l.source_seconds == Approx(5.5));
  }
  SECTION("without GTIDs the transactions are unknown") {
    seen.applied.gtid_set.clear();
    const auto l = compute_lag(seen, server_at(at("b.000003", 300), 1010), 1010.5);
    CHECK_FALSE(l.transactions.has_value());
    CHECK(l.bytes == 200U);
  }
  SECTION("an unreachable source leaves positions unknown, times still count") {
    const auto l = compute_lag(seen, ServerPosition{}, 1010.5);
    CHECK_FALSE(l.bytes.has_value());
    CHECK_FALSE(l.transactions.has_value());
    REQUIRE(l.apply_seconds.has_value());
    CHECK(*l.apply_seconds == Approx(10.5));
    REQUIRE(l.source_seconds.has_value());
    CHECK(*l.source_seconds == Approx(5.5));
  }
  SECTION("nothing ever seen: unknown") {
    const auto l = compute_lag(Observed{}, ServerPosition{}, 1010.5);
    CHECK_FALSE(l.apply_seconds.has_value());
    CHECK_FALSE(l.source_seconds.has_value());
  }
}

TEST_CASE("live state keeps the newest received and applied positions", "[lag]") {
  my2pg::replica::LiveState live({"db.t"});
  // A v4 header: timestamp 1000, type 30 (WRITE_ROWS), log_pos 500.
  uint8_t header[19] = {};
  header[0] = 0xe8;
  header[1] = 0x03;
  header[4] = 30;
  header[13] = 0xf4;
  header[14] = 0x01;
  live.received("b.000001", header, sizeof header, 1000.5);
  header[4] = 27;  // a heartbeat says nothing new
  header[13] = 0xff;
  header[14] = 0x0f;
  live.received("b.000001", header, sizeof header, 1000.5);
  auto seen = live.observed();
  CHECK(seen.received.pos == 500);
  CHECK(seen.received_commit == Approx(1000.5));  // read within its second
  CHECK(live.events() == 2);
  live.applied(at("b.000001", 400), 999);
  live.applied(at("b.000001", 300), 998);  // never backwards
  seen = live.observed();
  CHECK(seen.applied.pos == 400);
  CHECK(seen.applied_commit == 999);
  live.committed_batch(2, 7, 0.01, {{3, 2, 2}});
  CHECK(live.transactions() == 2);
  CHECK(live.rows() == 7);
  CHECK(live.table_rows().at(0) == std::array<uint64_t, 3>{3, 2, 2});
}

TEST_CASE("heartbeat times convert to epoch seconds and give end-to-end lag", "[lag]") {
  using my2pg::replica::epoch_seconds;
  CHECK(epoch_seconds(1970, 1, 1, 0, 0, 0, 0) == 0);
  CHECK(epoch_seconds(2000, 3, 1, 0, 0, 0, 0) == 951868800);
  CHECK(epoch_seconds(2024, 2, 29, 23, 59, 59, 0) == 1709251199);
  CHECK(epoch_seconds(2026, 11, 22, 11, 0, 0, 500000) == Approx(1795345200.5));
  Observed seen;
  seen.heartbeat_written = 1000.25;
  seen.heartbeat_delay = 0.1;
  auto lag = compute_lag(seen, ServerPosition{}, 1001.0);
  REQUIRE(lag.end_to_end_seconds.has_value());
  CHECK(*lag.end_to_end_seconds == Approx(0.1));  // the newest heartbeat's delay
  lag = compute_lag(seen, ServerPosition{}, 1005.0);
  REQUIRE(lag.end_to_end_seconds.has_value());
  CHECK(*lag.end_to_end_seconds == Approx(3.75));  // the next, due at 1001.25, is not applied
  CHECK_FALSE(compute_lag(Observed{}, ServerPosition{}, 1001.0).end_to_end_seconds.has_value());
}

TEST_CASE("commit times take the read time when the stream reads them live", "[lag]") {
  using my2pg::replica::commit_time_estimate;
  CHECK(commit_time_estimate(1000, 1000.3) == Approx(1000.3));  // read in its second: live
  CHECK(commit_time_estimate(1000, 1003.2) == 1000);            // a backlog: the timestamp
  CHECK(commit_time_estimate(1000, 999.9) == 1000);             // clocks apart: the timestamp
}
