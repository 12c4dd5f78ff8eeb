#pragma once
// A replicated schema change on the target. The source's statement has moved the tracked model
// (schema/ddl_tracker) from one version to the next; both versions are mapped and planned as
// migrate maps and plans a catalog, and the target is taken from the one to the other: tables
// created, dropped and renamed; columns added, dropped, renamed, retyped, their defaults and
// NOT NULL; primary keys; and the indexes, foreign keys, checks and triggers whose planned
// statements differ. What PostgreSQL cannot reproduce (an AUTO_INCREMENT column added to a
// table with rows, whose values the source numbered in its own order) fails at apply time with
// a message saying so, instead of giving different values.
#include <vector>

#include "schema/ddl_tracker.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/target_ddl.hpp"

namespace my2pg::replica {

// The statements, in order, for `changes` (one source statement's), from `before` to `after`.
std::vector<snapshot::Statement> target_changes(const snapshot::SourceModel& before,
                                                const snapshot::SourceModel& after,
                                                const std::vector<schema::TableChange>& changes);

}  // namespace my2pg::replica
