#pragma once
// The source database as the jobs see it (migrate, schema, verify): its catalog, each table
// mapped for PostgreSQL by the type rules and identifier options, and the DDL plan.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mysql/connection.hpp"
#include "pg/connection.hpp"
#include "schema/table.hpp"
#include "snapshot/migrate.hpp"
#include "snapshot/target_ddl.hpp"
#include "typemap/identifiers.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::snapshot {

struct SourceModel {
  schema::Catalog catalog;
  std::vector<typemap::TargetTable> targets;  // parallel to catalog.tables
  SchemaPlan plan;
  typemap::IdentifierMap names;
};

// Reads `database`'s catalog through `src`, keeps the tables `options` selects, maps them (for a
// target with PostGIS or not) and plans their DDL. Throws MappingError for values that do not
// fit their target type.
SourceModel load_model(mysql::Connection& src, const std::string& database,
                       const ModelOptions& options, bool target_postgis);

// The same for a given catalog (a replica's schema history rather than the source's): the
// tables `options` selects, in name order, mapped and planned as load_model does. No source
// reads.
SourceModel map_model(schema::Catalog catalog, const ModelOptions& options, bool target_postgis);

// Keeps a table's definition (schema::create_table_statement) in my2pg.source_table: $1 the
// source database, $2 the table, $3 the definition, $4 and $5 the binlog position of the
// statement it follows (NULL for a copy's).
extern const char* const kSaveDefinitionSql;

// Source names PostgreSQL got under another name, recorded in my2pg.identifier_map: through
// `run` (a statement with its parameters; a replica runs them in its apply transaction), or on
// `tgt`.
using SqlRunner = std::function<void(const std::string& sql,
                                     const std::vector<std::optional<std::string>>& params)>;
void record_names(const SqlRunner& run, const std::string& database,
                  const typemap::IdentifierMap& names);
void record_names(pg::Connection& tgt, const std::string& database,
                  const typemap::IdentifierMap& names);

bool has_postgis(pg::Connection& tgt);

// Moves each AUTO_INCREMENT column's generator (identity or sequence) past both the target's
// maximum and MySQL's own counter (which can be higher after deletes), so that new target rows
// get new values: after a copy, and at cutover (replicated rows carry their own values).
void sync_generators(pg::Connection& tgt, const schema::Table& source,
                     const typemap::TargetTable& t);

// The source URI parsed; ConfigError when it names no database.
mysql::Endpoint source_endpoint(const std::string& uri);

}  // namespace my2pg::snapshot
