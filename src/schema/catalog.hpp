#pragma once
// Builds the table model from the source's information_schema rows (read by mysql/catalog).
#include <string>
#include <vector>

#include "common/catalog_rows.hpp"
#include "schema/table.hpp"

namespace my2pg::schema {

// Tables in name order with columns in ordinal order, keys, indexes, foreign keys and checks,
// plus the other objects of the database. Unknown or missing row sets are skipped.
Catalog build_catalog(const std::string& database, const CatalogRows& rows);

// The tables alone, from the core row sets (see CatalogRows for their columns).
std::vector<Table> build_tables(const std::string& database, const RowSet& columns,
                                const RowSet& primary_keys, const RowSet& json_checks,
                                const RowSet& counters);

// A column default as information_schema.COLUMNS shows it (COLUMN_DEFAULT and EXTRA), which
// differs between MariaDB 10.2.7+ (literals quoted, NULL as the word NULL) and MySQL.
ColumnDefault parse_default(const std::optional<std::string>& column_default,
                            const std::string& extra, bool mariadb, bool temporal_column = true);

}  // namespace my2pg::schema
