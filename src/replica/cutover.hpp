#pragma once
// `my2pg wait` and `my2pg cutover`: the switch from the source to PostgreSQL.
//
// cutover, step by step: optionally make the source read-only; read its final position; wait
// until the replica has applied everything up to it (following the binlog itself when no
// replicate process runs); verify every table; mark the replica detached (a running replicate
// stops, and none resumes by accident); move identity and sequence values past the copied
// maxima; validate constraints left NOT VALID; report a timeline.
#include <cstdint>
#include <string>
#include <vector>

#include "common/position.hpp"
#include "snapshot/migrate.hpp"
#include "snapshot/verify_job.hpp"

namespace my2pg::replica {

struct WaitOptions {
  std::string target_uri;
  std::string source_uri;  // optional: lags against the source's position read now
  std::string database;    // empty: the source URI's, or the target's only replica
  double max_lag_seconds = 2;
  double timeout_seconds = 600;
  double poll_seconds = 0.5;
};

// Returns the apply lag reached; throws Error(ExitCode::timeout) when it is not reached in time,
// ConfigError when no replica exists or none runs while the lag is over the bound.
double wait_for_lag(const WaitOptions& options);

struct CutoverOptions {
  std::string source_uri;
  std::string target_uri;
  snapshot::ModelOptions model;  // as the copy was made (for verify and the generators)
  bool dry_run = false;
  bool set_source_read_only = false;
  bool verify = true;
  double timeout_seconds = 600;  // for catching up
  uint64_t chunk_rows = 250000;  // verify's key ranges
};

struct CutoverEvent {
  std::string what;  // "writes stopped", "caught up", "verified", "detached", "done"...
  double at = 0;     // seconds since the epoch
  std::string detail;
};

struct CutoverReport {
  std::string source_database, target_schema;
  bool dry_run = false;
  std::vector<std::string> plan;  // the steps, in words
  BinlogPosition final_position;  // the source's position when writes stopped (or cutover began)
  std::vector<CutoverEvent> timeline;
  bool source_read_only = false;
  bool equal = false;  // verify found both sides equal (or verify was skipped)
  snapshot::VerifyReport verify;
  std::vector<std::string> generators;  // "schema.table.column -> next value"
  std::vector<std::string> constraints_validated;
  double write_downtime_seconds = 0;  // writes stopped until done (with --set-source-read-only)
  std::vector<std::string> warnings;
};

// Throws on failure (the report so far is in the message); a verify that finds differences
// returns with equal == false, leaving the replica attached and the source as it is.
CutoverReport run_cutover(const CutoverOptions& options);

std::string cutover_text(const CutoverReport& report);
std::string cutover_json(const CutoverReport& report);

}  // namespace my2pg::replica
