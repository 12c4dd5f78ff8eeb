#pragma once
// Groups decoded events into whole source transactions for the applier: GTID/BEGIN ... XID/COMMIT
// (or ROLLBACK), a DDL statement on its own, MySQL transaction payloads, MariaDB standalone GTIDs
// and logs without GTIDs. The framer holds no events (a huge transaction streams through it);
// it says what each event is to its transaction and keeps the transaction's identity and the
// positions a replica needs: where it starts, and where to resume after its commit.
#include <cstdint>
#include <string>

#include "binlog/events.hpp"

namespace my2pg::binlog {

enum class TxRole : uint8_t {
  outside,   // not part of a transaction: FORMAT_DESCRIPTION, ROTATE, PREVIOUS_GTIDS, heartbeats...
  begin,     // the transaction starts here (GTID event, or BEGIN without GTIDs)
  change,    // inside: table maps, row events, statements, annotations
  commit,    // the transaction is complete and committed; TxInfo's end is where to resume
  rollback,  // the transaction ended without committing (ROLLBACK; nothing of it is to be applied)
};

struct TxInfo {
  std::string gtid;  // "uuid:gno", "uuid:tag:gno" or MariaDB "domain-server-seq"; empty if none
  std::string start_file;  // position of the transaction's first event
  uint64_t start_pos = 0;
  std::string end_file;  // position just after its last event: where a replica resumes
  uint64_t end_pos = 0;
  uint32_t timestamp = 0;  // commit event's timestamp (seconds)
  bool ddl = false;        // a statement that commits on its own (CREATE, ALTER, ...)
  // Ended by XA PREPARE: prepared, not committed (XA COMMIT or XA ROLLBACK comes later, as a
  // transaction of its own). MySQL's XA COMMIT ... ONE PHASE ends with the same event, marked
  // one-phase: that one is committed.
  bool xa_prepared = false;
  uint64_t row_events = 0;
};

class TransactionFramer {
 public:
  // The role of `event`, which comes from `file`, in stream order. After TxRole::commit or
  // TxRole::rollback, current() describes the whole transaction until the next call.
  TxRole add(const Event& event, const std::string& file);
  const TxInfo& current() const { return m_tx; }
  bool in_transaction() const { return m_state != State::idle; }

 private:
  enum class State : uint8_t { idle, after_gtid, open, standalone };
  void start(const Event& event, const std::string& file, std::string gtid);
  TxRole finish(const Event& event, const std::string& file, TxRole role);

  State m_state = State::idle;
  TxInfo m_tx;
  uint64_t m_payload_end = 0;  // end of the TRANSACTION_PAYLOAD whose inner events come now
};

}  // namespace my2pg::binlog
