#pragma once
// Holding a running replica at one source position, so that `my2pg verify` compares both sides
// as of the same point while replication goes on (see my2pg.replica_hold in migration 0007).
// The replica pauses for the time it takes to apply up to the source snapshot's position and
// export a target snapshot: typically well under a second.
#include <memory>
#include <string>

#include "common/position.hpp"
#include "snapshot/verify_job.hpp"

namespace my2pg::pg {
class Connection;
}

namespace my2pg::replica {

// Opens a REPEATABLE READ transaction on `holder` and exports its snapshot, for verify to read
// the target as of this moment from its own connection (valid while the transaction is open).
std::string export_snapshot(pg::Connection& holder);

class ReplicaHold : public snapshot::TargetAlignment {
 public:
  // Active only when a replicate process follows `database` into the target right now.
  ReplicaHold(std::string target_uri, std::string database, double timeout_seconds = 60);
  ~ReplicaHold() override;
  ReplicaHold(const ReplicaHold&) = delete;
  ReplicaHold& operator=(const ReplicaHold&) = delete;

  bool active() const { return m_active; }
  // Asks the replica to pause between transactions; returns once it has.
  void before() override;
  // Lets it apply exactly up to `source_position`, exports a snapshot of the target there (kept
  // valid while this object lives) and lets the replica go on. Throws TargetError naming the
  // replica's state when it does not get there in time.
  std::string at(const BinlogPosition& source_position) override;
  double held_seconds() const { return m_held_seconds; }

  // The parts of at(), for work done while the replica stays held (resync): apply exactly up to
  // `source_position`, and let go.
  void advance_to(const BinlogPosition& source_position);
  void release();

  std::string m_target_uri, m_db;
  double m_timeout;
  bool m_active = false;
  bool m_requested = false;
  double m_held_seconds = 0, m_started = 0;
  BinlogPosition m_paused;
  std::unique_ptr<pg::Connection> m_conn;    // requests and answers
  std::unique_ptr<pg::Connection> m_holder;  // the exported snapshot's transaction
};

}  // namespace my2pg::replica
