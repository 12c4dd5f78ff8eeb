#pragma once
// Brings the target's `my2pg` control schema to the version this binary was built with, applying
// each embedded migrations/NNNN_name.sql once, in order, each in its own transaction.
#include "pg/connection.hpp"

namespace my2pg::control {

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
};

// Safe to run concurrently from several processes (serialised by an advisory lock). Throws
// TargetError when the target's control schema is newer than this binary knows.
MigrationResult migrate_control_schema(pg::Connection& conn);

}  // namespace my2pg::control
