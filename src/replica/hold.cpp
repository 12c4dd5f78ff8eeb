#include "replica/hold.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "common/error.hpp"
#include "pg/connection.hpp"
#include "replica/monitor.hpp"
#include "replica/status.hpp"

namespace my2pg::replica {

std::string export_snapshot(pg::Connection& holder) {
  holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
  return holder.query("SELECT pg_export_snapshot()").rows.at(0).at(0).value_or("");
}

ReplicaHold::ReplicaHold(std::string target_uri, std::string database, double timeout_seconds)
    : m_target_uri(std::move(target_uri)), m_db(std::move(database)), m_timeout(timeout_seconds) {
  const auto replicas = read_status(m_target_uri, m_db, "");
  m_active = replicas.size() == 1 && replicas[0].running && replicas[0].state == "following";
  if (!m_active) return;
  m_conn = std::make_unique<pg::Connection>(m_target_uri);
  m_holder = std::make_unique<pg::Connection>(m_target_uri);
}

ReplicaHold::~ReplicaHold() {
  try {
    release();
  } catch (const std::exception& e) {
    spdlog::warn(
        "could not remove the hold on the replica of {} ({}); it lapses within a "
        "minute",
        m_db, e.what());
  }
}

void ReplicaHold::release() {
  if (!m_requested) return;
  m_requested = false;
  m_held_seconds = wall_seconds() - m_started;
  m_conn->query("DELETE FROM my2pg.replica_hold WHERE source_database = $1", {m_db});
}

namespace {

// Waits until the hold row's state is `state`; its paused position.
BinlogPosition wait_state(pg::Connection& conn, const std::string& db, const char* state,
                          double timeout, const char* what) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const RowSet r = conn.query(
        "SELECT state, paused_file, paused_pos FROM my2pg.replica_hold WHERE source_database = $1",
        {db});
    if (r.rows.empty()) {
      throw TargetError("the hold on the replica of " + db +
                        " was removed while it was waited "
                        "for (" +
                        what + "); run this again");
    }
    if (r.rows[0].at(0) == state) {
      return BinlogPosition{
          r.rows[0].at(1).value_or(""), std::stoull(r.rows[0].at(2).value_or("0")), {}};
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout) {
      // A replicate that waits out a conflict on the target cannot move on: say which.
      const RowSet why = conn.query(
          "SELECT r.last_error FROM my2pg.replica r JOIN my2pg.replica_progress p ON "
          "p.source_database = r.source_database WHERE r.source_database = $1 AND p.phase = "
          "'retrying'",
          {db});
      if (!why.rows.empty()) {
        throw TargetError("the running replicate of " + db + " did not " + what + " within " +
                          std::to_string(static_cast<int>(timeout)) +
                          " s: it waits out a conflict on the target (" +
                          why.rows[0].at(0).value_or("") +
                          "); run this again once that conflict is gone");
      }
      throw TargetError("the running replicate of " + db + " did not " + what + " within " +
                        std::to_string(static_cast<int>(timeout)) +
                        " s (it may be applying a large transaction, or stopped); run this "
                        "again later");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

void ReplicaHold::before() {
  if (!m_active) return;
  // One hold at a time: another verify, resync or cutover holding the replica keeps it.
  const RowSet mine = m_conn->query(
      "INSERT INTO my2pg.replica_hold (source_database, state) VALUES ($1, 'requested') ON "
      "CONFLICT (source_database) DO NOTHING RETURNING 1",
      {m_db});
  if (mine.rows.empty()) {
    throw TargetError("another my2pg verify, resync or cutover holds the replica of " + m_db +
                      " right now (my2pg.replica_hold); run this again when it is done (a hold "
                      "left by a process that died lapses within a minute)");
  }
  m_requested = true;
  m_started = wall_seconds();
  m_paused = wait_state(*m_conn, m_db, "paused", m_timeout, "pause");
  spdlog::debug("the replica of {} paused at {}:{}", m_db, m_paused.file, m_paused.pos);
}

std::string ReplicaHold::at(const BinlogPosition& source_position) {
  if (!m_active) return {};
  advance_to(source_position);
  const std::string snapshot = export_snapshot(*m_holder);
  release();
  spdlog::info("comparing as of {}:{}, where the running replica was held for {:.0f} ms",
               source_position.file, source_position.pos, m_held_seconds * 1000);
  return snapshot;
}

void ReplicaHold::advance_to(const BinlogPosition& source_position) {
  if (!m_active) return;
  m_conn->query(
      "UPDATE my2pg.replica_hold SET state = 'advancing', target_file = $2, target_pos = $3, "
      "updated_at = now() WHERE source_database = $1",
      {m_db, source_position.file, std::to_string(source_position.pos)});
  const BinlogPosition reached =
      wait_state(*m_conn, m_db, "reached", m_timeout, "reach the source snapshot's position");
  // Exactly there; or still where it paused, past the snapshot's position only by events that
  // are no transactions (every commit before the pause is in the snapshot).
  const bool still = reached.file == m_paused.file && reached.pos == m_paused.pos;
  const int order =
      compare_positions(reached.file, reached.pos, source_position.file, source_position.pos);
  if (order < 0 || (order > 0 && !still))
    throw TargetError("the replica of " + m_db + " stopped at " + reached.file + ":" +
                      std::to_string(reached.pos) + ", not at the source snapshot's " +
                      source_position.file + ":" + std::to_string(source_position.pos) +
                      "; run this again");
}

}  // namespace my2pg::replica
