#pragma once
// The information_schema rows that describe one source database, as mysql/catalog reads them and
// schema/catalog builds the table model from them. Empty row sets (no columns) mean "not read".
#include "common/row_set.hpp"

namespace my2pg {

struct CatalogRows {
  bool mariadb = false;
  RowSet columns;       // COLUMNS of base tables, by table and position
  RowSet primary_keys;  // TABLE_NAME, COLUMN_NAME of PRIMARY key parts, by table and sequence
  RowSet json_checks;   // MariaDB: TABLE_NAME, COLUMN_NAME of json_valid() checked columns
  RowSet counters;      // TABLE_NAME, AUTO_INCREMENT of base tables
  RowSet tables;        // TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT, CREATE_OPTIONS,
                        // DATA_LENGTH, TABLE_ROWS
  RowSet indexes;       // STATISTICS: TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX,
                        // COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE, EXPRESSION
  RowSet foreign_keys;  // TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
                        // REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, UPDATE_RULE, DELETE_RULE
  RowSet checks;        // TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL
  RowSet triggers;      // TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION
  RowSet routines;      // ROUTINE_NAME, ROUTINE_TYPE
  RowSet events;        // EVENT_NAME
};

}  // namespace my2pg
