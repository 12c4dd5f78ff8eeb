#pragma once
// Applies parsed definitions (schema/ddl_parser) to one table of the model as the server does:
// the column's type fields as information_schema shows them, character sets from the table's
// default, NOT NULL for key columns, the names the server makes up for unnamed indexes,
// foreign keys and checks, and the index it adds for a foreign key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "schema/ddl_parser.hpp"
#include "schema/ddl_tracker.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// Sorts indexes, foreign keys and checks in the order the catalog reads them: by name.
void sort_table_objects(Table& t);

// One statement's edits to table `t` of `schema`; failures go through `p`.
struct TableEdit {
  TrackedSchema& schema;
  Table& t;
  std::string collation;            // the table's default
  std::vector<std::string> origin;  // per column: its name before the statement ("" if new)
  Parser& p;
  int64_t m_check_counter = 1;  // MariaDB: the next n to try for an unnamed CONSTRAINT_n

  // The schema's server is MariaDB.
  bool mariadb() const { return schema.mariadb; }

  // The column named `name` (in any case), or nullptr.
  Column* find_column(const std::string& name);
  // The index of the column named `name` (in any case), or npos.
  size_t column_index(const std::string& name) const;
  // The index named `name` (in any case), or nullptr.
  Index* find_index(const std::string& name);

  // Sets c.default_value from d's DEFAULT clause, as the server stores it.
  void finish_default(Column& c, const ColumnDecl& d);
  // The column as the server keeps it; keys and checks it declares are added by add_column_keys.
  Column build_column(const ColumnDecl& d);
  // Adds the primary key, unique key and checks that column definition `d` declares.
  void add_column_keys(const ColumnDecl& d);
  // Inserts `c` at position `at`; `from` is its name before the statement ("" if new).
  void insert_column(Column c, const std::string& from, size_t at);
  // FIRST / AFTER c: where a column goes; npos when neither is given.
  size_t parse_position();
  // Drops a column with the key parts, foreign keys and checks that use it.
  void drop_column(const std::string& name);
  // Renames column `from` to `to` in keys, checks and the foreign keys that reference it.
  void rename_column_references(const std::string& from, const std::string& to);

  // Adds an index; returns false when IF NOT EXISTS found it there. `drop_generated`: drops
  // the indexes the server made for foreign keys that the new index serves.
  bool add_index(const IndexDecl& d, bool drop_generated);
  // Adds a key, index, foreign key or check; `in_alter` as add_index's drop_generated.
  void apply_element(const IndexDecl& d, bool in_alter);
  // Puts indexes, foreign keys and checks in the catalog's order.
  void sort_objects();
  // CONVERT TO CHARACTER SET: every character column takes `charset` and `coll`.
  void convert_to(const std::string& charset, const std::string& coll);

 private:
  // Fails through p, naming the statement's part.
  [[noreturn]] void fail(const std::string& what) const { p.fail(what); }
  // `column` is in the primary key.
  bool in_primary_key(const std::string& column) const;
  // Sets c's type fields from the declared type and the server's defaults.
  void finish_type(Column& c, const TypeDecl& ty);
  // Sets a character column's charset, collation, length and column_type.
  void finish_character(Column& c, const TypeDecl& ty);
  // Makes `parts` the primary key, whose columns become NOT NULL.
  void set_primary(const std::vector<IndexPart>& parts);
  // `base`, or base_2, base_3...: the first name no index has.
  std::string unique_index_name(const std::string& base) const;
  // The index the server makes of `d`: kind, shown prefixes, made-up name.
  Index make_index(const IndexDecl& d);
  // The table's engine is MEMORY, whose indexes are HASH by default.
  bool is_memory_engine() const;
  // An index (or the primary key) starts with the columns `cols`.
  bool fk_has_index(const std::vector<std::string>& cols) const;
  // `i` is the index the server made for foreign key `fk`.
  bool is_generated_fk_index(const Index& i, const ForeignKey& fk) const;
  // Drops the indexes made for foreign keys that `added` serves.
  void drop_covered_fk_indexes(const Index& added);
  // Adds a foreign key, naming it and indexing its columns as the server does.
  void add_foreign_key(const IndexDecl& d);
  // Adds a check, naming it as the server does when it has no name.
  void add_check(CheckConstraint k);
};

}  // namespace my2pg::schema
