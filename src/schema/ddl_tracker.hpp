#pragma once
// The schema history of one source database: the table model kept up to date by the schema
// statements of the binary log (CREATE/ALTER/DROP/RENAME TABLE, CREATE/DROP INDEX, CREATE/DROP
// DATABASE), read by a parser of that subset of MySQL's and MariaDB's grammar. The model it
// keeps is the one schema/catalog builds from information_schema, field for field, so that a
// table created or altered by a statement maps to PostgreSQL exactly as a copied one.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// A statement outside the supported subset, or one the model cannot follow (ALTER of a column
// the table does not have...). what() names the statement's part and why.
class DdlError : public Error {
 public:
  explicit DdlError(const std::string& what) : Error(what, ExitCode::source) {}
};

// The tables of one database, as its schema statements leave them.
struct TrackedSchema {
  std::string database;
  bool mariadb = true;  // the flavour decides column_type spellings ("int(11)" or "int")
  // The database's defaults, for columns and tables that name no character set or collation.
  std::string default_charset = "utf8mb4";
  std::string default_collation;        // empty: the charset's default collation
  std::map<std::string, Table> tables;  // by name
  // Each table's own default collation (its charset is the name's prefix), for the columns an
  // ALTER adds without one. A table missing here uses the database's defaults.
  std::map<std::string, std::string> table_collations;
};

// What one statement did to the model, per table.
struct TableChange {
  enum class Kind { created, dropped, renamed, altered };
  Kind kind = Kind::altered;
  std::string table;     // its name after the statement (dropped: its name before)
  std::string old_name;  // renamed: its name before
  // altered: the columns the table kept, as (name before, name after), in the new order;
  // columns not listed were dropped (before) or added (after).
  std::vector<std::pair<std::string, std::string>> kept_columns;
};

// Applies one statement (the text of a binlog QUERY event, run with default database
// `current_db`) to `schema`. Only tables of schema.database for which `selected(name)` is true
// are tracked; statements and parts about other tables change nothing. A statement may give
// several changes (DROP TABLE a, b; RENAME TABLE a TO b, b TO c; an ALTER with RENAME TO gives
// renamed then altered). Throws DdlError for statements outside the subset and for ones the
// model cannot follow; `schema` is then unchanged. `backslash_escapes` false: the statement ran
// under sql_mode NO_BACKSLASH_ESCAPES.
std::vector<TableChange> apply_ddl(TrackedSchema& schema, std::string_view sql,
                                   const std::string& current_db,
                                   const std::function<bool(const std::string&)>& selected,
                                   bool backslash_escapes = true);

// The tracked tables as a catalog (in name order), for mapping them as a copied catalog is.
Catalog catalog_of(const TrackedSchema& schema);

// A CREATE TABLE statement that apply_ddl reads back into `table` exactly (every field but
// auto_increment_next, data_length and estimated_rows), whatever the schema's defaults: each
// column names its type, character set and collation in full. For the control schema, which
// keeps the model between runs. `default_collation`, when given, becomes the table's default
// (TrackedSchema::table_collations), for the columns later statements add.
std::string create_table_statement(const Table& table, const std::string& default_collation = {});

}  // namespace my2pg::schema
