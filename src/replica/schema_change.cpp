#include "replica/schema_change.hpp"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "common/error.hpp"
#include "pg/connection.hpp"
#include "typemap/pg_type.hpp"
#include "typemap/type_rules.hpp"

namespace my2pg::replica {
namespace {

using pg::quote_identifier;
using pg::quote_literal;
using snapshot::SourceModel;
using snapshot::Statement;

std::optional<size_t> find_table(const SourceModel& m, const std::string& name) {
  for (size_t i = 0; i < m.catalog.tables.size(); ++i) {
    if (m.catalog.tables[i].name == name) return i;
  }
  return std::nullopt;
}

// The plan's named objects (primary keys, indexes, foreign keys, checks, triggers, enum types)
// by source table and key.
using ObjectKey = std::pair<std::string, std::string>;
std::map<ObjectKey, const Statement*> objects_of(const SourceModel& m) {
  std::map<ObjectKey, const Statement*> out;
  auto add = [&](const std::vector<Statement>& list) {
    for (const Statement& s : list) {
      if (!s.key.empty()) out[{s.owner, s.key}] = &s;
    }
  };
  add(m.plan.pre_data);
  for (const auto& t : m.plan.tables) add(t.primary_key);
  add(m.plan.indexes);
  add(m.plan.foreign_keys);
  add(m.plan.checks);
  add(m.plan.triggers);
  return out;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_type(const std::string& key) {
  return starts_with(key, "type:");
}

std::string drop_object(const std::string& key, const std::string& schema, const std::string& table,
                        const std::string& name) {
  if (starts_with(key, "index:"))
    return "DROP INDEX IF EXISTS " + quote_identifier(schema) + "." + quote_identifier(name);
  if (key == "trigger") return "DROP TRIGGER IF EXISTS " + quote_identifier(name) + " ON " + table;
  if (is_type(key))
    return "DROP TYPE IF EXISTS " + quote_identifier(schema) + "." + quote_identifier(name);
  return "ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + quote_identifier(name);
}

std::string rename_object(const std::string& key, const std::string& schema,
                          const std::string& table, const std::string& from,
                          const std::string& to) {
  const std::string qualified_from = quote_identifier(schema) + "." + quote_identifier(from);
  if (starts_with(key, "index:"))
    return "ALTER INDEX IF EXISTS " + qualified_from + " RENAME TO " + quote_identifier(to);
  if (key == "trigger")
    return "ALTER TRIGGER " + quote_identifier(from) + " ON " + table + " RENAME TO " +
           quote_identifier(to);
  if (is_type(key)) return "ALTER TYPE " + qualified_from + " RENAME TO " + quote_identifier(to);
  if (key == "sequence")
    return "ALTER SEQUENCE IF EXISTS " + qualified_from + " RENAME TO " + quote_identifier(to);
  return "ALTER TABLE " + table + " RENAME CONSTRAINT " + quote_identifier(from) + " TO " +
         quote_identifier(to);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty() || from == to) return;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// A statement that stops the apply with `message` when `table` has rows: for changes whose
// effect on existing rows the source computed in a way PostgreSQL cannot repeat.
std::string fail_if_rows(const std::string& table, const std::string& message) {
  return "DO $my2pg$ BEGIN IF EXISTS (SELECT 1 FROM " + table + ") THEN RAISE EXCEPTION '%', " +
         quote_literal(message) + "; END IF; END $my2pg$";
}

// The value MySQL gives existing rows for a NOT NULL column added without a default (the
// type's implicit default), as a PostgreSQL literal; empty when there is none to give.
std::string implicit_value(const schema::Column& c, const typemap::TargetColumn& t) {
  static const std::set<std::string> numbers = {"tinyint", "smallint", "mediumint", "int", "bigint",
                                                "decimal", "float",    "double",    "year"};
  static const std::set<std::string> texts = {"char",       "varchar",  "tinytext", "text",
                                              "mediumtext", "longtext", "set"};
  static const std::set<std::string> bytes = {"binary", "varbinary",  "tinyblob",
                                              "blob",   "mediumblob", "longblob"};
  if (c.is_json) return {};
  if (numbers.count(c.data_type) != 0)
    return t.type.kind == typemap::TargetKind::boolean ? "false" : "0";
  if (texts.count(c.data_type) != 0) return "''";
  // BINARY pads with zero bytes to its length; BIT's zero is all bits off.
  if (c.data_type == "binary")
    return "'\\x" + std::string(static_cast<size_t>(2 * c.char_length.value_or(1)), '0') +
           "'::bytea";
  if (bytes.count(c.data_type) != 0) return "''::bytea";
  if (c.data_type == "bit" && t.type.kind == typemap::TargetKind::boolean) return "false";
  if (c.data_type == "bit" && t.type.sql.rfind("bit", 0) == 0)
    return "B'" + std::string(static_cast<size_t>(c.precision.value_or(1)), '0') + "'";
  if (c.data_type == "time") return "'00:00:00'";
  if (c.data_type == "enum") {
    const auto labels = typemap::enum_labels(c.column_type);
    return labels && !labels->empty() ? quote_literal(labels->front()) : std::string();
  }
  return {};
}

// What the source gave the rows of a column made NOT NULL without a value my2pg can repeat.
std::string unrepeatable_fill(const schema::Column& c) {
  if (c.data_type == "timestamp")
    return "the time of the statement, which the binary log does not carry";
  if (c.data_type == "date" || c.data_type == "datetime")
    return "a zero date, which PostgreSQL cannot store";
  return "the type's zero value, which PostgreSQL cannot store";
}

// PostgreSQL's name of the encoding of a MySQL character set, or empty when it has none.
std::string pg_encoding(const std::string& charset) {
  if (charset == "utf8mb4" || charset == "utf8mb3" || charset == "utf8") return "UTF8";
  if (charset == "latin1") return "WIN1252";  // MySQL's latin1 is Windows-1252
  if (charset == "ascii") return "SQL_ASCII";
  if (charset == "latin2") return "LATIN2";
  if (charset == "cp1251") return "WIN1251";
  if (charset == "koi8r") return "KOI8R";
  if (charset == "greek") return "ISO_8859_7";
  if (charset == "hebrew") return "ISO_8859_8";
  if (charset == "sjis") return "SJIS";
  if (charset == "gbk") return "GBK";
  if (charset == "big5") return "BIG5";
  if (charset == "euckr") return "EUC_KR";
  return {};
}

// The USING expression that converts column `col` as MySQL did for a change of type. Between
// bytes and text MySQL keeps the bytes (read in, or written out of, the text column's character
// set), where PostgreSQL's casts would give or read the bytea's escaped form. `problem` says why
// existing values would differ from the source's.
std::string converted(const std::string& col, const schema::Column& bs,
                      const typemap::TargetColumn& bc, const schema::Column& as,
                      const typemap::TargetColumn& ac, std::string& problem) {
  const bool from_bytes = bc.type.sql == "bytea", to_bytes = ac.type.sql == "bytea";
  if (from_bytes && typemap::is_text_type(ac.type.sql)) {
    const std::string encoding = pg_encoding(as.charset);
    if (encoding.empty()) {
      problem = "bytes read as " + as.charset + ", which PostgreSQL has no encoding for";
      return col + "::" + ac.type.sql;
    }
    return "convert_from(" + col + ", " + quote_literal(encoding) + ")::" + ac.type.sql;
  }
  if (typemap::is_text_type(bc.type.sql) && to_bytes) {
    const std::string encoding = pg_encoding(bs.charset);
    if (encoding.empty() || as.data_type == "binary") {
      problem = encoding.empty()
                    ? "text written as " + bs.charset + ", which PostgreSQL has no encoding for"
                    : "BINARY pads the bytes with zeros to its length";
      return col + "::bytea";
    }
    return "convert_to(" + col + ", " + quote_literal(encoding) + ")";
  }
  if (bs.data_type == "bit" && as.data_type == "bit" && bc.type.sql.rfind("bit", 0) == 0 &&
      ac.type.sql.rfind("bit", 0) == 0) {
    // MySQL keeps the number (b'101' stays 5 in BIT(9)); PostgreSQL's cast between lengths
    // pads or cuts on the right. Through an integer (BIT has at most 64 bits) it is the number.
    return col + "::bigint::" + ac.type.sql;
  }
  if (from_bytes != to_bytes) {
    problem = "MySQL reinterprets the bytes, PostgreSQL's cast would not";
    return col + "::" + ac.type.sql;
  }
  return col + "::" + ac.type.sql;
}

// The labels of an ENUM or SET column type, in order; nullopt for other types.
std::optional<std::vector<std::string>> labels_of(const schema::Column& c) {
  if (c.data_type == "enum") return typemap::enum_labels(c.column_type);
  if (c.data_type == "set" && c.column_type.rfind("set(", 0) == 0)
    return typemap::enum_labels("enum(" + c.column_type.substr(4));
  return std::nullopt;
}

std::string label_array(const std::vector<std::string>& labels) {
  std::string out = "ARRAY[";
  for (size_t i = 0; i < labels.size(); ++i)
    out.append(i == 0 ? "" : ", ").append(quote_literal(labels[i]));
  return out + "]::text[]";
}

// The bounds of an integer or DECIMAL type of MySQL, as numbers; nullopt for other types.
std::optional<std::pair<std::string, std::string>> numeric_bounds(const schema::Column& c) {
  static const std::map<std::string, std::pair<const char*, const char*>> signed_bounds = {
      {"tinyint", {"-128", "127"}},
      {"smallint", {"-32768", "32767"}},
      {"mediumint", {"-8388608", "8388607"}},
      {"int", {"-2147483648", "2147483647"}},
      {"bigint", {"-9223372036854775808", "9223372036854775807"}}};
  static const std::map<std::string, const char*> unsigned_max = {
      {"tinyint", "255"},
      {"smallint", "65535"},
      {"mediumint", "16777215"},
      {"int", "4294967295"},
      {"bigint", "18446744073709551615"}};
  if (const auto it = signed_bounds.find(c.data_type); it != signed_bounds.end()) {
    if (c.is_unsigned) return std::make_pair(std::string("0"), unsigned_max.at(c.data_type));
    return std::make_pair(std::string(it->second.first), std::string(it->second.second));
  }
  if (c.data_type == "decimal" && c.precision) {
    const int64_t scale = c.scale.value_or(0), whole = *c.precision - scale;
    // 10^whole - 10^-scale: nines on both sides of the point.
    std::string hi = whole > 0 ? std::string(static_cast<size_t>(whole), '9') : "0";
    if (scale > 0) hi += "." + std::string(static_cast<size_t>(scale), '9');
    return std::make_pair(c.is_unsigned ? std::string("0") : "-" + hi, hi);
  }
  return std::nullopt;
}

// How MySQL changes the values a column keeps when its type changes in ways PostgreSQL's casts
// do not repeat. Strict mode refuses the statement where a value would change, and the source's
// statement is here because it did not: without strict mode MySQL clamps numbers to the new
// range, empties ENUM values whose label went and drops SET members that went (keeping the rest
// in the new order). The same corrections are right in both modes: under strict mode they find
// nothing. `clamp` is the column's expression limited to the new range (for USING, before the
// cast); `fix` an UPDATE's "SET ... WHERE ..." for labels; `problem` what cannot be repeated.
struct KeptValues {
  std::string clamp, fix, problem;
};

KeptValues kept_values(const std::string& col, const schema::Column& bs, const schema::Column& as,
                       const typemap::TargetColumn& ac) {
  KeptValues k;
  if (bs.column_type == as.column_type) return k;
  const auto to = numeric_bounds(as);
  if (to && (numeric_bounds(bs) || bs.data_type == "year") && numeric_bounds(bs) != to) {
    // Not least()/greatest(), which take NULL for no value and would give NULLs a bound.
    k.clamp = "CASE WHEN " + col + " < " + to->first + " THEN " + to->first + " WHEN " + col +
              " > " + to->second + " THEN " + to->second + " ELSE " + col + " END";
    return k;
  }
  const auto labels = labels_of(as);
  if (!labels || ac.type.kind == typemap::TargetKind::pg_enum ||
      !typemap::is_text_type(ac.type.sql))
    return k;
  if (bs.data_type != as.data_type) {
    k.problem = "MySQL reads the values as " + as.data_type +
                " members (numbers as positions or bit sets, other text as no member), which "
                "PostgreSQL cannot repeat";
    return k;
  }
  const std::string list = label_array(*labels);
  if (as.data_type == "enum") {
    // A label kept under another case is the new spelling; one that went is ''.
    k.fix = "SET " + col + " = coalesce((SELECT l FROM unnest(" + list +
            ") AS l WHERE lower(l) = " + "lower(" + col + ") LIMIT 1), '') WHERE " + col +
            " <> ALL (" + list + ")";
  } else {
    k.fix = "SET " + col + " = coalesce((SELECT string_agg(l, ',' ORDER BY o) FROM unnest(" + list +
            ") WITH ORDINALITY AS u (l, o) WHERE lower(l) = ANY (string_to_array(lower(" + col +
            "), ','))), '') WHERE " + col + " <> ''";
  }
  return k;
}

class Planner {
 public:
  Planner(const SourceModel& before, const SourceModel& after) : m_before(before), m_after(after) {
    m_schema = !after.targets.empty()    ? after.targets.front().schema
               : !before.targets.empty() ? before.targets.front().schema
                                         : std::string();
  }

  std::vector<Statement> plan(const std::vector<schema::TableChange>& changes) {
    follow(changes);
    drop_tables();
    rename_tables();
    rename_objects();
    const auto before_objects = objects_of(m_before);
    const auto after_objects = objects_of(m_after);
    find_column_renames();
    drop_objects(before_objects, after_objects);
    create_types(before_objects, after_objects);
    for (const auto& [table, kept] : m_altered) alter_columns(table, kept);
    create_tables();
    create_objects(before_objects, after_objects);
    drop_types(before_objects, after_objects);
    return std::move(m_out);
  }

 private:
  void add(std::string sql, std::string what, bool may_fail = false) {
    m_out.push_back({std::move(sql), std::move(what), may_fail});
  }

  // Which table of `before` each table of `after` was, through the statement's changes.
  void follow(const std::vector<schema::TableChange>& changes) {
    for (const auto& t : m_before.catalog.tables) m_was[t.name] = t.name;
    for (const schema::TableChange& c : changes) {
      switch (c.kind) {
        case schema::TableChange::Kind::created:
          m_was.erase(c.table);
          m_created.insert(c.table);
          break;
        case schema::TableChange::Kind::dropped:
          if (auto it = m_was.find(c.table); it != m_was.end()) {
            m_dropped.insert(it->second);
            m_was.erase(it);
          }
          m_created.erase(c.table);
          break;
        case schema::TableChange::Kind::renamed:
          if (auto it = m_was.find(c.old_name); it != m_was.end()) {
            const std::string was = it->second;
            m_was.erase(it);
            m_was[c.table] = was;
          } else if (m_created.erase(c.old_name) != 0) {
            m_created.insert(c.table);
          }
          break;
        case schema::TableChange::Kind::altered:
          m_altered[c.table] = c.kept_columns;
          break;
      }
    }
    // Tables outside the replica's selection are not in the mapped models: nothing to do.
    std::erase_if(m_was, [&](const auto& e) {
      return !find_table(m_after, e.first) || !find_table(m_before, e.second);
    });
    std::erase_if(m_created, [&](const std::string& t) { return !find_table(m_after, t); });
    std::erase_if(m_dropped, [&](const std::string& t) { return !find_table(m_before, t); });
    std::erase_if(m_altered, [&](const auto& e) { return m_was.count(e.first) == 0; });
    for (const auto& [now, was] : m_was) m_became[was] = now;
  }

  const typemap::TargetTable& before_target(const std::string& table) const {
    return m_before.targets[*find_table(m_before, table)];
  }
  const typemap::TargetTable& after_target(const std::string& table) const {
    return m_after.targets[*find_table(m_after, table)];
  }

  void drop_tables() {
    for (const std::string& t : m_dropped) {
      add("DROP TABLE IF EXISTS " + snapshot::qualified_name(before_target(t)) + " CASCADE",
          "drop table " + m_before.catalog.database + "." + t);
    }
  }

  // Renames go through temporary names, so that swaps (a to b, b to a) never collide.
  void rename_tables() {
    std::vector<std::pair<std::string, std::string>> moves;  // temporary name, final name
    for (const auto& [now, was] : m_was) {
      const std::string& from = before_target(was).name;
      const std::string& to = after_target(now).name;
      if (from == to) continue;
      const std::string temporary = "my2pg_rename_" + std::to_string(moves.size());
      add("ALTER TABLE " + snapshot::qualified_name(before_target(was)) + " RENAME TO " +
              quote_identifier(temporary),
          "rename table " + was);
      moves.emplace_back(temporary, to);
    }
    for (const auto& [temporary, to] : moves) {
      add("ALTER TABLE " + quote_identifier(m_schema) + "." + quote_identifier(temporary) +
              " RENAME TO " + quote_identifier(to),
          "rename table to " + to);
    }
  }

  // Objects of renamed tables whose planned names follow the table's name (primary keys,
  // indexes, checks, triggers, enum types, the sequences of AUTO_INCREMENT columns): renamed as
  // well, through temporary names, so that a table made later under the old name finds them
  // free.
  void rename_objects() {
    const auto before_objects = objects_of(m_before);
    const auto after_objects = objects_of(m_after);
    struct Move {
      std::string key, table, temporary, to;
    };
    std::vector<Move> moves;
    for (const auto& [now, was] : m_was) {
      if (now == was) continue;
      const typemap::TargetTable& bt = before_target(was);
      const typemap::TargetTable& at = after_target(now);
      for (const typemap::TargetColumn& ac : at.columns) {
        for (const typemap::TargetColumn& bc : bt.columns) {
          if (bc.name != ac.name || bc.serial == typemap::Serial::none ||
              ac.serial == typemap::Serial::none || bc.sequence.empty() || ac.sequence.empty() ||
              bc.sequence == ac.sequence)
            continue;
          const std::string table = snapshot::qualified_name(at);
          const std::string temporary = "my2pg_rename_object_" + std::to_string(moves.size());
          add(rename_object("sequence", m_schema, table, bc.sequence, temporary),
              "rename the sequence of " + now + "." + ac.name);
          moves.push_back({"sequence", table, temporary, ac.sequence});
        }
      }
    }
    for (const auto& [key, after] : after_objects) {
      const auto was = m_was.find(key.first);
      if (was == m_was.end() || was->second == key.first) continue;
      const auto before = before_objects.find({was->second, key.second});
      if (before == before_objects.end() || before->second->object == after->object) continue;
      const std::string table = snapshot::qualified_name(after_target(key.first));
      const std::string temporary = "my2pg_rename_object_" + std::to_string(moves.size());
      add(rename_object(key.second, m_schema, table, before->second->object, temporary),
          "rename " + key.second + " of " + key.first);
      moves.push_back({key.second, table, temporary, after->object});
    }
    for (const Move& m : moves) {
      add(rename_object(m.key, m_schema, m.table, m.temporary, m.to), "rename " + m.key);
      m_renamed_objects.insert(m.to);
    }
  }

  // The before statement of an object as the after plan would write it if nothing but names
  // had changed (renamed tables and objects): equal to the after statement when the object
  // itself is unchanged.
  std::string as_after(const Statement& before, const Statement& after) const {
    std::string sql = before.sql;
    replace_all(sql, quote_identifier(before.object), quote_identifier(after.object));
    for (const auto& [now, was] : m_was) {
      replace_all(sql, snapshot::qualified_name(before_target(was)),
                  snapshot::qualified_name(after_target(now)));
    }
    // Renamed columns: PostgreSQL renamed them in the object too. The owner's own columns come
    // before REFERENCES, the referenced table's after it.
    const size_t references = sql.find(" REFERENCES ");
    std::string head = sql.substr(0, references);
    std::string tail = references == std::string::npos ? std::string() : sql.substr(references);
    if (const auto it = m_column_renames.find(after.owner); it != m_column_renames.end())
      rename_in_parentheses(head, it->second);
    for (const auto& [table, renames] : m_column_renames) {
      if (tail.rfind(" REFERENCES " + snapshot::qualified_name(after_target(table)) + " (", 0) == 0)
        rename_in_parentheses(tail, renames);
    }
    return head + tail;
  }

  // Column names are inside parentheses (key and index columns, expressions); the table's and
  // the object's names, which a column may share, are not.
  static void rename_in_parentheses(
      std::string& sql, const std::vector<std::pair<std::string, std::string>>& renames) {
    std::string out;
    size_t depth = 0, start = 0;
    for (size_t i = 0; i < sql.size(); ++i) {
      if (sql[i] == '(' && depth++ == 0) {
        out += sql.substr(start, i + 1 - start);
        start = i + 1;
      } else if (sql[i] == ')' && depth > 0 && --depth == 0) {
        std::string inside = sql.substr(start, i - start);
        rename_columns(inside, renames);
        out += inside;
        start = i;
      }
    }
    out += sql.substr(start);
    sql = std::move(out);
  }

  // Each quoted old name to its new one, through placeholders (a to b and b to a at once).
  static void rename_columns(std::string& sql,
                             const std::vector<std::pair<std::string, std::string>>& renames) {
    for (size_t i = 0; i < renames.size(); ++i)
      replace_all(sql, quote_identifier(renames[i].first), "\x01" + std::to_string(i) + "\x01");
    for (size_t i = 0; i < renames.size(); ++i)
      replace_all(sql, "\x01" + std::to_string(i) + "\x01", quote_identifier(renames[i].second));
  }

  // The target names of the columns each altered table renamed (by its name after).
  void find_column_renames() {
    for (const auto& [table, kept] : m_altered) {
      const schema::Table& bs = m_before.catalog.tables[*find_table(m_before, m_was.at(table))];
      const schema::Table& as = m_after.catalog.tables[*find_table(m_after, table)];
      const typemap::TargetTable& bt = before_target(m_was.at(table));
      const typemap::TargetTable& at = after_target(table);
      for (const auto& [from, to] : kept) {
        const auto b = column_index(bs, from);
        const auto a = column_index(as, to);
        if (bt.columns[b].name != at.columns[a].name)
          m_column_renames[table].emplace_back(bt.columns[b].name, at.columns[a].name);
      }
    }
  }

  static size_t column_index(const schema::Table& t, const std::string& name) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i].name == name) return i;
    }
    throw Error("internal: " + t.qualified_name() + " has no column " + name);
  }

  // The object's name on the target now (renamed with its table, or as it was).
  std::string current_name(const Statement& before, const Statement* after) const {
    if (after != nullptr && m_renamed_objects.count(after->object) != 0) return after->object;
    return before.object;
  }

  // Objects that changed or went, foreign keys first (a key they depend on cannot go before
  // them). A foreign key onto a primary key or unique index that goes is dropped as well, and
  // made again (create_objects) if it stays.
  void drop_objects(const std::map<ObjectKey, const Statement*>& before_objects,
                    const std::map<ObjectKey, const Statement*>& after_objects) {
    std::set<ObjectKey> drops;  // before keys
    for (const auto& [key, before] : before_objects) {
      if (is_type(key.second) || m_dropped.count(key.first) != 0) continue;
      const auto now = m_became.find(key.first);
      if (now == m_became.end()) continue;
      const auto after = after_objects.find({now->second, key.second});
      if (after == after_objects.end() || as_after(*before, *after->second) != after->second->sql)
        drops.insert(key);
    }
    for (const ObjectKey& key : std::set<ObjectKey>(drops)) {
      const Statement& s = *before_objects.at(key);
      const bool unique =
          key.second == "primary key" ||
          (starts_with(key.second, "index:") && starts_with(s.sql, "CREATE UNIQUE INDEX"));
      if (!unique) continue;
      const std::string onto =
          " REFERENCES " + snapshot::qualified_name(before_target(key.first)) + " (";
      for (const auto& [fk, statement] : before_objects) {
        if (!starts_with(fk.second, "foreign key:") || m_dropped.count(fk.first) != 0 ||
            statement->sql.find(onto) == std::string::npos)
          continue;
        drops.insert(fk);
        if (const auto now = m_became.find(fk.first); now != m_became.end())
          m_recreate.insert({now->second, fk.second});
      }
    }
    for (const bool foreign : {true, false}) {
      for (const ObjectKey& key : drops) {
        if (starts_with(key.second, "foreign key:") != foreign) continue;
        const auto became = m_became.find(key.first);
        if (became == m_became.end()) continue;  // its table left the replica
        const std::string& now = became->second;
        const auto after = after_objects.find({now, key.second});
        const Statement* a = after == after_objects.end() ? nullptr : after->second;
        add(drop_object(key.second, m_schema, snapshot::qualified_name(after_target(now)),
                        current_name(*before_objects.at(key), a)),
            "drop " + key.second + " of " + key.first);
      }
    }
  }

  // Enum types (opt-in mapping of ENUM columns) of added columns, before the columns.
  void create_types(const std::map<ObjectKey, const Statement*>& before_objects,
                    const std::map<ObjectKey, const Statement*>& after_objects) {
    for (const auto& [key, after] : after_objects) {
      if (!is_type(key.second) || m_created.count(key.first) != 0) continue;
      const auto was = m_was.find(key.first);
      if (was == m_was.end()) continue;
      const auto before = before_objects.find({was->second, key.second});
      if (before == before_objects.end()) {
        add(after->sql, after->what);
      } else if (as_after(*before->second, *after) != after->sql) {
        throw Error("the source changed the labels of ENUM column " + m_after.catalog.database +
                    "." + key.first + "." + key.second.substr(5) +
                    ", which the mapping made a PostgreSQL enum type; my2pg does not change enum "
                    "types while replicating. Map it to text (the default), or copy the table "
                    "again after changing the type yourself");
      }
    }
  }

  void drop_types(const std::map<ObjectKey, const Statement*>& before_objects,
                  const std::map<ObjectKey, const Statement*>& after_objects) {
    for (const auto& [key, before] : before_objects) {
      if (!is_type(key.second)) continue;
      const auto now = m_became.find(key.first);
      const bool kept = now != m_became.end() &&
                        after_objects.count({now->second, key.second}) != 0 &&
                        m_dropped.count(key.first) == 0;
      if (!kept) add(drop_object(key.second, m_schema, {}, before->object), before->what);
    }
  }

  void alter_columns(const std::string& table,
                     const std::vector<std::pair<std::string, std::string>>& kept) {
    const schema::Table& bs = m_before.catalog.tables[*find_table(m_before, m_was.at(table))];
    const schema::Table& as = m_after.catalog.tables[*find_table(m_after, table)];
    const typemap::TargetTable& bt = before_target(m_was.at(table));
    const typemap::TargetTable& at = after_target(table);
    const std::string q = snapshot::qualified_name(at);
    const std::string label = as.qualified_name();
    const auto index_of = column_index;
    std::set<std::string> kept_before, kept_after;
    for (const auto& [from, to] : kept) {
      kept_before.insert(from);
      kept_after.insert(to);
    }
    for (size_t i = 0; i < bs.columns.size(); ++i) {
      if (kept_before.count(bs.columns[i].name) != 0) continue;
      add("ALTER TABLE " + q + " DROP COLUMN IF EXISTS " + quote_identifier(bt.columns[i].name) +
              " CASCADE",
          "drop column " + label + "." + bs.columns[i].name);
    }
    // Renames through temporary names (a to b, b to a).
    std::vector<std::pair<std::string, std::string>> moves;
    for (const auto& [from, to] : kept) {
      const std::string& old_name = bt.columns[index_of(bs, from)].name;
      const std::string& new_name = at.columns[index_of(as, to)].name;
      if (old_name == new_name) continue;
      const std::string temporary = "my2pg_rename_column_" + std::to_string(moves.size());
      add("ALTER TABLE " + q + " RENAME COLUMN " + quote_identifier(old_name) + " TO " +
              quote_identifier(temporary),
          "rename column " + label + "." + from);
      moves.emplace_back(temporary, new_name);
    }
    for (const auto& [temporary, to] : moves) {
      add("ALTER TABLE " + q + " RENAME COLUMN " + quote_identifier(temporary) + " TO " +
              quote_identifier(to),
          "rename column to " + to);
    }
    for (const auto& [from, to] : kept)
      change_column(q, label, bs.columns[index_of(bs, from)], bt.columns[index_of(bs, from)],
                    as.columns[index_of(as, to)], at.columns[index_of(as, to)], at);
    for (size_t i = 0; i < as.columns.size(); ++i) {
      if (kept_after.count(as.columns[i].name) != 0) continue;
      add_column(q, label, as.columns[i], at.columns[i], at);
    }
    if (bs.comment != as.comment) {
      add("COMMENT ON TABLE " + q + " IS " +
              (as.comment.empty() ? std::string("NULL") : quote_literal(as.comment)),
          "comment on " + label);
    }
  }

  static std::string sequence_of(const typemap::TargetTable& t, const typemap::TargetColumn& c) {
    return quote_identifier(t.schema) + "." +
           quote_identifier(c.sequence.empty() ? t.name + "_" + c.name + "_seq" : c.sequence);
  }

  void add_serial(const std::string& q, const typemap::TargetTable& t,
                  const typemap::TargetColumn& c, const std::string& what) {
    const std::string col = quote_identifier(c.name);
    if (c.serial == typemap::Serial::identity) {
      add("ALTER TABLE " + q + " ALTER COLUMN " + col + " ADD GENERATED BY DEFAULT AS IDENTITY",
          what);
    } else if (c.serial == typemap::Serial::sequence) {
      const std::string seq = sequence_of(t, c);
      add("CREATE SEQUENCE IF NOT EXISTS " + seq + " AS bigint OWNED BY " + q + "." + col, what);
      add("ALTER TABLE " + q + " ALTER COLUMN " + col + " SET DEFAULT nextval(" +
              quote_literal(seq) + "::regclass)",
          what);
    }
  }

  void change_column(const std::string& q, const std::string& label, const schema::Column& bs,
                     const typemap::TargetColumn& bc, const schema::Column& as,
                     const typemap::TargetColumn& ac, const typemap::TargetTable& at) {
    const std::string col = quote_identifier(ac.name);
    const std::string column = label + "." + as.name;
    const std::string what = "column " + column;
    const std::string alter = "ALTER TABLE " + q + " ALTER COLUMN " + col;
    const bool retyped = bc.type.sql != ac.type.sql;
    const bool serial_changed = bc.serial != ac.serial;
    if (serial_changed && bc.serial == typemap::Serial::identity)
      add(alter + " DROP IDENTITY IF EXISTS", what);
    const bool default_changed = bc.default_sql != ac.default_sql || serial_changed || retyped;
    if (default_changed && (!bc.default_sql.empty() || bc.serial == typemap::Serial::sequence))
      add(alter + " DROP DEFAULT", what);
    const KeptValues kept = kept_values(col, bs, as, ac);
    if (!kept.problem.empty()) {
      add(fail_if_rows(q, "the source changed column " + column + " from " + bs.column_type +
                              " to " + as.column_type + ": " + kept.problem +
                              "; copy the table again (my2pg resync --table " + label + ")"),
          what);
    }
    if (!kept.clamp.empty() && !retyped) {
      add("UPDATE " + q + " SET " + col + " = " + kept.clamp + " WHERE " + col +
              " IS DISTINCT FROM " + kept.clamp,
          what);
    }
    if (retyped) {
      std::string problem;
      const std::string expression =
          converted(kept.clamp.empty() ? col : kept.clamp, bs, bc, as, ac, problem);
      if (!problem.empty())
        add(fail_if_rows(q, "the source changed column " + column + " from " + bs.column_type +
                                " to " + as.column_type + ": " + problem +
                                "; copy the table again (my2pg resync --table " + label + ")"),
            what);
      // With a problem the table is empty: any expression of the type will do.
      add(alter + " TYPE " + ac.type.sql + " USING " +
              (problem.empty() ? expression : "NULL::" + ac.type.sql),
          what);
    }
    if (!kept.fix.empty()) add("UPDATE " + q + " " + kept.fix, what);
    if (default_changed && !ac.default_sql.empty() && ac.serial == typemap::Serial::none)
      add(alter + " SET DEFAULT " + ac.default_sql, what);
    if (!bc.not_null && ac.not_null) {
      // MySQL gave the NULLs the type's zero value (or refused, and the statement is not here);
      // for an ENUM that is '', its error value, not the first label.
      const std::string zero = as.data_type != "enum" ? implicit_value(as, ac)
                               : ac.type.kind == typemap::TargetKind::pg_enum ? std::string()
                                                                              : "''";
      if (zero.empty()) {
        add(fail_if_rows(q + " WHERE " + col + " IS NULL",
                         "the source made " + column + " NOT NULL, giving its NULLs " +
                             unrepeatable_fill(as) +
                             "; copy the table again (my2pg resync --table " + label + ")"),
            what);
      } else {
        add("UPDATE " + q + " SET " + col + " = " + zero + " WHERE " + col + " IS NULL", what);
      }
    }
    if (bc.not_null != ac.not_null)
      add(alter + (ac.not_null ? " SET" : " DROP") + " NOT NULL", what);
    if (serial_changed) add_serial(q, at, ac, what);
    if (bs.comment != as.comment) {
      add("COMMENT ON COLUMN " + q + "." + col + " IS " +
              (as.comment.empty() ? std::string("NULL") : quote_literal(as.comment)),
          "comment on " + what);
    }
  }

  void add_column(const std::string& q, const std::string& label, const schema::Column& s,
                  const typemap::TargetColumn& c, const typemap::TargetTable& t) {
    const std::string what = "column " + label + "." + s.name;
    const std::string col = quote_identifier(c.name);
    if (c.serial != typemap::Serial::none) {
      add(fail_if_rows(q, "the source added AUTO_INCREMENT column " + label + "." + s.name +
                              " to a table with rows, numbering them in its own row order, "
                              "which PostgreSQL cannot repeat; copy the table again "
                              "(my2pg resync --table " +
                              label + ")"),
          what);
    } else if (s.generated != schema::Generated::no) {
      add(fail_if_rows(q, "the source added generated column " + label + "." + s.name +
                              " to a table with rows, computing its values with MySQL's "
                              "expression; copy the table again (my2pg resync --table " +
                              label + ")"),
          what);
    }
    std::string sql = "ALTER TABLE " + q + " ADD COLUMN " + col + " " + c.type.sql;
    std::string fill;  // the value existing rows get, for NOT NULL columns without a default
    if (c.serial == typemap::Serial::none && !c.default_sql.empty()) {
      const bool volatile_default =
          s.default_value.kind == schema::DefaultKind::current_timestamp ||
          s.default_value.kind == schema::DefaultKind::expression;
      if (volatile_default) {
        add(fail_if_rows(q, "the source added column " + label + "." + s.name + " with DEFAULT " +
                                s.default_value.value +
                                " to a table with rows: the values it gave them are not in "
                                "the binary log; copy the table again (my2pg resync --table " +
                                label + ")"),
            what);
      }
      sql += " DEFAULT " + c.default_sql;
    } else if (c.serial == typemap::Serial::none && c.not_null) {
      fill = implicit_value(s, c);
      if (fill.empty()) {
        add(fail_if_rows(q, "the source added NOT NULL column " + label + "." + s.name +
                                " without a default to a table with rows, giving them " +
                                unrepeatable_fill(s) +
                                "; copy the table again (my2pg resync --table " + label + ")"),
            what);
      } else {
        sql += " DEFAULT " + fill;
      }
    }
    if (c.not_null) sql += " NOT NULL";
    add(sql, what);
    if (!fill.empty()) add("ALTER TABLE " + q + " ALTER COLUMN " + col + " DROP DEFAULT", what);
    add_serial(q, t, c, what);
    if (!s.comment.empty()) {
      add("COMMENT ON COLUMN " + q + "." + col + " IS " + quote_literal(s.comment),
          "comment on " + what);
    }
  }

  void create_tables() {
    for (const std::string& t : m_created) {
      const size_t i = *find_table(m_after, t);
      for (const Statement& s : m_after.plan.pre_data) {
        const bool mine = s.owner == t && is_type(s.key);
        const bool shared = starts_with(s.what, "function ") || starts_with(s.what, "schema ");
        if (mine || shared) m_out.push_back(s);
      }
      for (const Statement& s : m_after.plan.tables[i].create) m_out.push_back(s);
    }
  }

  void create_objects(const std::map<ObjectKey, const Statement*>& before_objects,
                      const std::map<ObjectKey, const Statement*>& after_objects) {
    bool on_update_function = false;
    // Foreign keys after the keys and indexes they refer to (a table's own, or its parent's).
    for (const bool foreign : {false, true}) {
      for (const auto& [key, after] : after_objects) {
        if (is_type(key.second) || starts_with(key.second, "foreign key:") != foreign) continue;
        if (m_created.count(key.first) == 0) {
          const auto was = m_was.find(key.first);
          if (was == m_was.end()) continue;
          const auto before = before_objects.find({was->second, key.second});
          if (before != before_objects.end() && as_after(*before->second, *after) == after->sql &&
              m_recreate.count(key) == 0)
            continue;
          if (key.second == "trigger" && !on_update_function) {
            on_update_function = true;
            for (const Statement& s : m_after.plan.pre_data) {
              if (starts_with(s.what, "function ")) m_out.push_back(s);
            }
          }
        }
        Statement s = *after;
        // Checked when the replica is cut over (cutover validates NOT VALID constraints): the
        // source's rows satisfied it, and a scan of the child here would hold up the stream.
        if (starts_with(key.second, "foreign key:")) s.sql += " NOT VALID";
        m_out.push_back(std::move(s));
      }
    }
  }

  const SourceModel& m_before;
  const SourceModel& m_after;
  std::string m_schema;
  std::map<std::string, std::string> m_was;     // after table -> before table (kept ones)
  std::map<std::string, std::string> m_became;  // before table -> after table
  std::set<std::string> m_created;              // after names
  std::set<std::string> m_dropped;              // before names
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> m_altered;
  std::set<std::string> m_renamed_objects;  // their new names
  // Target column names (before, after) by altered table (its name after).
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> m_column_renames;
  std::set<ObjectKey> m_recreate;  // foreign keys (after keys) dropped with the key they use
  std::vector<Statement> m_out;
};

}  // namespace

std::vector<snapshot::Statement> target_changes(const snapshot::SourceModel& before,
                                                const snapshot::SourceModel& after,
                                                const std::vector<schema::TableChange>& changes) {
  return Planner(before, after).plan(changes);
}

}  // namespace my2pg::replica
