#include "schema/ddl_tracker.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "common/json_writer.hpp"
#include "common/sql_text.hpp"
#include "common/utf8.hpp"
#include "schema/ddl_parser.hpp"
#include "schema/mysql_types.hpp"
#include "schema/table_edit.hpp"

namespace my2pg::schema {
namespace {

// ---------------------------------------------------------------------------------------------
// Statements

struct Session {
  TrackedSchema& schema;
  const std::string& current_db;
  const std::function<bool(const std::string&)>& selected;
  std::vector<TableChange> changes;

  std::string database_of(const QualifiedName& q) const {
    return q.database.empty() ? current_db : q.database;
  }
  bool ours(const QualifiedName& q) const { return database_of(q) == schema.database; }
  bool tracked_name(const QualifiedName& q) const { return ours(q) && selected(q.name); }
  std::string display(const QualifiedName& q) const { return database_of(q) + "." + q.name; }
  std::string collation_of(const std::string& table) const {
    const auto it = schema.table_collations.find(table);
    if (it != schema.table_collations.end()) return it->second;
    return database_collation();
  }
  std::string database_collation() const {
    return schema.default_collation.empty()
               ? default_collation(canonical_charset(schema.default_charset), schema.mariadb)
               : canonical_collation(schema.default_collation);
  }
};

// Table options after the definition (CREATE) or as ALTER specs; returns false at a word that
// is not a table option.
bool parse_table_option(Parser& p, TableEdit& e, std::string& charset, std::string& coll) {
  const size_t start = p.pos();
  p.accept("DEFAULT");
  if (p.accept_all({"CHARACTER", "SET"}) || p.accept("CHARSET")) {
    p.accept_symbol('=');
    charset =
        p.accept("DEFAULT") ? std::string("DEFAULT") : canonical_charset(p.ident("a charset"));
    return true;
  }
  if (p.accept("COLLATE")) {
    p.accept_symbol('=');
    coll = canonical_collation(p.ident("a collation"));
    return true;
  }
  if (p.pos() != start) {
    p.set_pos(start);
    return false;
  }
  const std::string w = p.word();
  if (w == "ENGINE" || w == "TYPE") {
    p.take();
    p.accept_symbol('=');
    std::string engine = p.ident("an engine");
    for (const char* known : {"InnoDB", "MyISAM", "MEMORY", "Aria", "CSV", "ARCHIVE", "BLACKHOLE",
                              "MRG_MyISAM", "ROCKSDB", "HEAP"})
      if (ascii_iequal(engine, known)) engine = known;
    if (engine == "HEAP") engine = "MEMORY";
    e.t.engine = engine;
    return true;
  }
  if (w == "COMMENT") {
    p.take();
    p.accept_symbol('=');
    e.t.comment = p.string_literal("a comment");
    return true;
  }
  if (w == "PARTITION" || w == "PARTITIONS" || w == "SUBPARTITION") {
    p.fail("PARTITION BY is not replicated");
  }
  if (w == "WITH" && p.is("SYSTEM", 1)) p.fail("system versioning is not replicated");
  if (w == "DATA" || w == "INDEX") {
    if (!p.is("DIRECTORY", 1)) return false;
    p.take();
    p.take();
    p.accept_symbol('=');
    p.skip_value();
    return true;
  }
  static const char* const kSkipped[] = {"AUTO_INCREMENT",
                                         "AVG_ROW_LENGTH",
                                         "CHECKSUM",
                                         "TABLE_CHECKSUM",
                                         "COMPRESSION",
                                         "CONNECTION",
                                         "DELAY_KEY_WRITE",
                                         "ENCRYPTED",
                                         "ENCRYPTION",
                                         "ENCRYPTION_KEY_ID",
                                         "IETF_QUOTES",
                                         "INSERT_METHOD",
                                         "KEY_BLOCK_SIZE",
                                         "MAX_ROWS",
                                         "MIN_ROWS",
                                         "PACK_KEYS",
                                         "PAGE_CHECKSUM",
                                         "PAGE_COMPRESSED",
                                         "PAGE_COMPRESSION_LEVEL",
                                         "PASSWORD",
                                         "ROW_FORMAT",
                                         "SEQUENCE",
                                         "STATS_AUTO_RECALC",
                                         "STATS_PERSISTENT",
                                         "STATS_SAMPLE_PAGES",
                                         "TABLESPACE",
                                         "TRANSACTIONAL",
                                         "UNION",
                                         "START",
                                         "ENGINE_ATTRIBUTE",
                                         "SECONDARY_ENGINE_ATTRIBUTE",
                                         "AUTOEXTEND_SIZE",
                                         "STORAGE"};
  for (const char* name : kSkipped) {
    if (w != name) continue;
    p.take();
    if (w == "START")
      p.expect("TRANSACTION");
    else if (w == "STORAGE")
      p.ident("DISK or MEMORY");
    else {
      p.accept_symbol('=');
      p.skip_value();
    }
    return true;
  }
  return false;
}

void apply_table_charset(Session& s, TableEdit& e, const std::string& charset,
                         const std::string& coll) {
  if (charset.empty() && coll.empty()) return;
  if (charset == "DEFAULT") {
    e.collation = s.database_collation();
    return;
  }
  e.collation = !coll.empty() ? coll : default_collation(charset, s.schema.mariadb);
}

void parse_table_options(Parser& p, TableEdit& e, Session& s) {
  std::string charset, coll;
  while (!p.at_end()) {
    if (p.accept_symbol(',')) continue;
    if (!parse_table_option(p, e, charset, coll)) break;
  }
  apply_table_charset(s, e, charset, coll);
}

struct Definition {
  std::vector<ColumnDecl> columns;
  std::vector<IndexDecl> elements;
};

// `(element, ...)`: columns and keys. They are applied after the table options, which give
// the default character set the columns need.
Definition parse_definition(Parser& p) {
  Definition def;
  p.expect_symbol('(');
  do {
    if (p.is("PERIOD")) p.fail("PERIOD FOR is not replicated");
    if (is_element_keyword(p) && !p.is_symbol(',', 1) && !p.is_symbol(')', 1)) {
      if (auto d = parse_table_element(p)) {
        def.elements.push_back(std::move(*d));
        continue;
      }
    }
    const std::string name = p.ident("a column name");
    if (p.is_symbol(',') || p.is_symbol(')')) p.fail("column " + name + " has no data type");
    def.columns.push_back(parse_column(p, name));
  } while (p.accept_symbol(','));
  p.expect_symbol(')');
  return def;
}

void apply_definition(TableEdit& e, const Definition& def) {
  for (const auto& d : def.columns) e.insert_column(e.build_column(d), "", e.t.columns.size());
  for (const auto& d : def.columns) e.add_column_keys(d);
  // Explicit keys before foreign keys: a key declared anywhere serves a foreign key.
  for (const auto& d : def.elements)
    if (d.what != IndexDecl::What::foreign) e.apply_element(d, false);
  for (const auto& d : def.elements)
    if (d.what == IndexDecl::What::foreign) e.apply_element(d, false);
}

void rename_table(Session& s, const std::string& from, const std::string& to) {
  auto node = s.schema.tables.extract(from);
  node.key() = to;
  Table& t = node.mapped();
  t.name = to;
  // InnoDB renames the generated names of foreign keys (and MySQL of checks) with the table.
  for (auto& fk : t.foreign_keys) {
    if (fk.name.rfind(from + "_ibfk_", 0) == 0) fk.name = to + fk.name.substr(from.size());
  }
  if (!s.schema.mariadb) {
    for (auto& k : t.checks)
      if (k.name.rfind(from + "_chk_", 0) == 0) k.name = to + k.name.substr(from.size());
  }
  s.schema.tables.insert(std::move(node));
  for (auto& [name, other] : s.schema.tables) {
    for (auto& fk : other.foreign_keys)
      if (fk.ref_database == s.schema.database && fk.ref_table == from) fk.ref_table = to;
    sort_table_objects(other);
  }
  if (auto c = s.schema.table_collations.extract(from)) {
    c.key() = to;
    s.schema.table_collations.insert(std::move(c));
  }
}

TableEdit edit(Session& s, Table& t, Parser& p) {
  TableEdit e{s.schema, t, s.collation_of(t.name), {}, p};
  for (const auto& c : t.columns) e.origin.push_back(c.name);
  return e;
}

void create_table(Parser& p, Session& s, bool or_replace) {
  const bool if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
  const QualifiedName q = p.qualified("a table name");
  p.set_head("CREATE TABLE " + s.display(q));
  if (!s.tracked_name(q)) return;
  if (s.schema.tables.count(q.name) != 0) {
    if (if_not_exists) return;
    if (!or_replace) p.fail("the table already exists in the tracked schema");
    s.schema.tables.erase(q.name);
    s.schema.table_collations.erase(q.name);
    s.changes.push_back({TableChange::Kind::dropped, q.name, {}, {}});
  }
  const bool paren_like = p.is_symbol('(') && p.is("LIKE", 1);
  if (paren_like) p.take();
  if (p.accept("LIKE")) {
    const QualifiedName from = p.qualified("a table name");
    if (paren_like) p.expect_symbol(')');
    if (!s.ours(from) || s.schema.tables.count(from.name) == 0)
      p.fail("LIKE " + s.display(from) + ": that table is not tracked, its definition is unknown");
    Table t = s.schema.tables.at(from.name);
    t.name = q.name;
    t.foreign_keys.clear();  // CREATE TABLE ... LIKE copies no foreign keys
    t.auto_increment_next.reset();
    s.schema.tables[q.name] = std::move(t);
    s.schema.table_collations[q.name] = s.collation_of(from.name);
    s.changes.push_back({TableChange::Kind::created, q.name, {}, {}});
    return;
  }
  if (!p.is_symbol('(')) p.fail("CREATE TABLE ... SELECT without a column list is not replicated");
  const Definition def = parse_definition(p);
  Table& t = s.schema.tables[q.name];
  t = Table{};
  t.database = s.schema.database;
  t.name = q.name;
  t.engine = "InnoDB";
  TableEdit e{s.schema, t, s.database_collation(), {}, p};
  parse_table_options(p, e, s);
  p.accept("IGNORE");
  p.accept("REPLACE");
  p.accept("AS");
  // MySQL 8.0.21+ logs CREATE TABLE ... SELECT as one transaction: the table's definition
  // followed by START TRANSACTION, then its rows.
  p.accept_all({"START", "TRANSACTION"});
  if (!p.at_end() && !p.is("SELECT") && !p.is_symbol('(') && !p.is_symbol(';'))
    p.fail(p.where() + " is not understood");
  apply_definition(e, def);
  e.sort_objects();
  s.schema.table_collations[q.name] = e.collation;
  s.changes.push_back({TableChange::Kind::created, q.name, {}, {}});
}

// A table leaving the tracked set by a rename: into another database or an unselected name.
void rename_out(Session& s, const std::string& from) {
  s.schema.tables.erase(from);
  s.schema.table_collations.erase(from);
  s.changes.push_back({TableChange::Kind::dropped, from, {}, {}});
}

// RENAME TABLE a TO b, c TO d: one pair at a time. A table parked under an unselected name of
// the database (a swap's temporary name) stays in the model until the statement ends.
void rename_tables(Parser& p, Session& s) {
  p.set_head("RENAME TABLE");
  std::set<std::string> parked;
  do {
    const QualifiedName from = p.qualified("a table name");
    p.expect("TO");
    const QualifiedName to = p.qualified("a table name");
    const bool from_known = s.ours(from) && s.schema.tables.count(from.name) != 0;
    const bool to_tracked = s.tracked_name(to);
    if (from_known && s.ours(to)) {
      rename_table(s, from.name, to.name);
      s.changes.push_back({TableChange::Kind::renamed, to.name, from.name, {}});
      parked.erase(from.name);
      if (!to_tracked) parked.insert(to.name);
    } else if (from_known) {
      rename_out(s, from.name);
    } else if (to_tracked) {
      p.fail(s.display(from) + " TO " + s.display(to) +
             ": the table is not tracked, its definition is unknown");
    }
  } while (p.accept_symbol(','));
  for (const auto& name : parked) rename_out(s, name);
}

void drop_tables(Parser& p, Session& s) {
  p.accept_all({"IF", "EXISTS"});  // a missing table changes nothing either way
  p.set_head("DROP TABLE");
  do {
    const QualifiedName q = p.qualified("a table name");
    if (s.ours(q) && s.schema.tables.count(q.name) != 0) rename_out(s, q.name);
  } while (p.accept_symbol(','));
  p.accept("RESTRICT");
  p.accept("CASCADE");
}

// ALGORITHM=x, LOCK=x, WAIT n, NOWAIT after index statements.
void skip_online_options(Parser& p) {
  for (;;) {
    if (p.accept("ALGORITHM") || p.accept("LOCK")) {
      p.accept_symbol('=');
      p.skip_value();
    } else if (p.accept("WAIT")) {
      p.skip_value();
    } else if (!p.accept("NOWAIT")) {
      return;
    }
  }
}

Table* table_for(Parser& p, Session& s, const QualifiedName& q) {
  if (!s.tracked_name(q)) return nullptr;
  const auto it = s.schema.tables.find(q.name);
  if (it == s.schema.tables.end()) p.fail("the table is not in the tracked schema");
  return &it->second;
}

void finish_alter(Session& s, TableEdit& e) {
  e.sort_objects();
  s.schema.table_collations[e.t.name] = e.collation;
  TableChange change{TableChange::Kind::altered, e.t.name, {}, {}};
  for (size_t i = 0; i < e.t.columns.size(); ++i)
    if (!e.origin[i].empty()) change.kept_columns.emplace_back(e.origin[i], e.t.columns[i].name);
  s.changes.push_back(std::move(change));
}

void create_index(Parser& p, Session& s, IndexDecl::What what) {
  IndexDecl d;
  d.what = what;
  d.if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
  d.name = p.ident("an index name");
  parse_index_options(p, d);
  p.expect("ON");
  const QualifiedName q = p.qualified("a table name");
  p.set_head("CREATE INDEX " + d.name + " ON " + s.display(q));
  d.parts = parse_parts(p);
  parse_index_options(p, d);
  skip_online_options(p);
  Table* t = table_for(p, s, q);
  if (t == nullptr) return;
  TableEdit e = edit(s, *t, p);
  if (e.add_index(d, true)) finish_alter(s, e);
}

void drop_index(Parser& p, Session& s) {
  const bool if_exists = p.accept_all({"IF", "EXISTS"});
  const std::string name = p.ident("an index name");
  p.expect("ON");
  const QualifiedName q = p.qualified("a table name");
  p.set_head("DROP INDEX " + name + " ON " + s.display(q));
  skip_online_options(p);
  Table* t = table_for(p, s, q);
  if (t == nullptr) return;
  TableEdit e = edit(s, *t, p);
  if (ascii_iequal(name, "PRIMARY")) {
    t->primary_key.clear();
  } else if (e.find_index(name) != nullptr) {
    std::erase_if(t->indexes, [&](const Index& i) { return ascii_iequal(i.name, name); });
  } else if (if_exists) {
    return;
  } else {
    p.fail("the table has no index " + name);
  }
  finish_alter(s, e);
}

// --- ALTER TABLE ---

void move_column(TableEdit& e, size_t from, size_t to) {
  if (to == std::string::npos || to == from || to == from + 1) return;
  Column c = std::move(e.t.columns[from]);
  std::string o = std::move(e.origin[from]);
  e.t.columns.erase(e.t.columns.begin() + static_cast<std::ptrdiff_t>(from));
  e.origin.erase(e.origin.begin() + static_cast<std::ptrdiff_t>(from));
  if (to > from) --to;
  e.t.columns.insert(e.t.columns.begin() + static_cast<std::ptrdiff_t>(to), std::move(c));
  e.origin.insert(e.origin.begin() + static_cast<std::ptrdiff_t>(to), std::move(o));
}

void alter_add(Parser& p, TableEdit& e) {
  const bool column_word = p.accept("COLUMN");
  if (!column_word && p.is("PARTITION")) p.fail("ADD PARTITION is not replicated");
  if (!column_word && p.is("PERIOD")) p.fail("ADD PERIOD is not replicated");
  if (!column_word && is_element_keyword(p)) {
    if (auto d = parse_table_element(p)) {
      if (d->what == IndexDecl::What::check && d->if_not_exists) return;
      e.apply_element(*d, true);
      return;
    }
  }
  const bool if_not_exists = p.accept_all({"IF", "NOT", "EXISTS"});
  auto one = [&] {
    const std::string name = p.ident("a column name");
    const ColumnDecl d = parse_column(p, name);
    const size_t at = e.parse_position();
    if (if_not_exists && e.column_index(name) != std::string::npos) return;
    e.insert_column(e.build_column(d), "", at == std::string::npos ? e.t.columns.size() : at);
    e.add_column_keys(d);
  };
  if (p.accept_symbol('(')) {
    do {
      one();
    } while (p.accept_symbol(','));
    p.expect_symbol(')');
  } else {
    one();
  }
}

void alter_drop(Parser& p, TableEdit& e) {
  Table& t = e.t;
  if (p.accept_all({"PRIMARY", "KEY"})) {
    if (t.primary_key.empty()) p.fail("DROP PRIMARY KEY: the table has no primary key");
    t.primary_key.clear();
    return;
  }
  if (p.accept("INDEX") || p.accept("KEY")) {
    const bool if_exists = p.accept_all({"IF", "EXISTS"});
    const std::string name = p.ident("an index name");
    if (e.find_index(name) == nullptr) {
      if (if_exists) return;
      p.fail("DROP INDEX " + name + ": the table has no such index");
    }
    std::erase_if(t.indexes, [&](const Index& i) { return ascii_iequal(i.name, name); });
    return;
  }
  if (p.accept_all({"FOREIGN", "KEY"})) {
    const bool if_exists = p.accept_all({"IF", "EXISTS"});
    const std::string name = p.ident("a foreign key name");
    const size_t before = t.foreign_keys.size();
    std::erase_if(t.foreign_keys, [&](const ForeignKey& f) { return ascii_iequal(f.name, name); });
    if (before == t.foreign_keys.size() && !if_exists)
      p.fail("DROP FOREIGN KEY " + name + ": the table has no such foreign key");
    return;
  }
  if (p.accept("CONSTRAINT") || p.accept("CHECK")) {
    const bool if_exists = p.accept_all({"IF", "EXISTS"});
    const std::string name = p.ident("a constraint name");
    auto named = [&](const auto& x) { return ascii_iequal(x.name, name); };
    if (std::erase_if(t.checks, named) != 0) return;
    if (std::erase_if(t.foreign_keys, named) != 0) return;
    if (std::erase_if(t.indexes, [&](const Index& i) { return i.unique && named(i); }) != 0) return;
    if (!if_exists) p.fail("DROP CONSTRAINT " + name + ": the table has no such constraint");
    return;
  }
  if (p.is("PARTITION")) p.fail("DROP PARTITION is not replicated");
  if (p.is("PERIOD")) p.fail("DROP PERIOD is not replicated");
  p.accept("COLUMN");
  const bool if_exists = p.accept_all({"IF", "EXISTS"});
  const std::string name = p.ident("a column name");
  if (if_exists && e.column_index(name) == std::string::npos) return;
  if (e.column_index(name) == std::string::npos)
    p.fail("DROP COLUMN " + name + ": the table has no column " + name);
  e.drop_column(name);
  p.accept("RESTRICT");
  p.accept("CASCADE");
}

// MODIFY and CHANGE: a new definition for an existing column, which keeps its keys.
void alter_redefine(Parser& p, TableEdit& e, bool change) {
  p.accept("COLUMN");
  const bool if_exists = p.accept_all({"IF", "EXISTS"});
  const std::string old_name = p.ident("a column name");
  const std::string verb = change ? "CHANGE " : "MODIFY ";
  const std::string new_name = change ? p.ident("a column name") : old_name;
  const ColumnDecl d = parse_column(p, new_name);
  const size_t i = e.column_index(old_name);
  if (i == std::string::npos) {
    if (if_exists) {
      e.parse_position();
      return;
    }
    p.fail(verb + old_name + ": the table has no column " + old_name);
  }
  const std::string real_old = e.t.columns[i].name;
  if (!ascii_iequal(real_old, new_name) && e.column_index(new_name) != std::string::npos)
    p.fail(verb + old_name + ": the table already has a column " + new_name);
  e.rename_column_references(real_old, new_name);
  e.t.columns[i] = e.build_column(d);
  e.add_column_keys(d);
  move_column(e, i, e.parse_position());
}

void alter_column(Parser& p, TableEdit& e) {
  const std::string name = p.ident("a column name");
  Column* c = e.find_column(name);
  if (c == nullptr) p.fail("ALTER COLUMN " + name + ": the table has no column " + name);
  if (p.accept_all({"DROP", "DEFAULT"})) {
    c->default_value = {};
    if (c->nullable && e.mariadb()) c->default_value.kind = DefaultKind::null;
  } else if (p.accept_all({"SET", "DEFAULT"})) {
    ColumnDecl d;
    d.def = parse_default(p);
    const bool generated = c->generated != Generated::no;
    if (generated) p.fail("ALTER COLUMN " + name + ": a generated column has no default");
    e.finish_default(*c, d);
    if (c->default_value.kind == DefaultKind::null && !c->nullable) c->default_value = {};
  } else if (p.accept_all({"SET", "VISIBLE"}) || p.accept_all({"SET", "INVISIBLE"})) {
  } else {
    p.fail("ALTER COLUMN " + name + ": " + p.where() + " is not understood");
  }
}

void alter_rename(Parser& p, TableEdit& e, std::optional<QualifiedName>& new_name) {
  if (p.accept("COLUMN")) {
    const std::string from = p.ident("a column name");
    p.expect("TO");
    const std::string to = p.ident("a column name");
    const size_t i = e.column_index(from);
    if (i == std::string::npos)
      p.fail("RENAME COLUMN " + from + ": the table has no column " + from);
    if (!ascii_iequal(from, to) && e.column_index(to) != std::string::npos)
      p.fail("RENAME COLUMN " + from + ": the table already has a column " + to);
    e.rename_column_references(e.t.columns[i].name, to);
    e.t.columns[i].name = to;
    return;
  }
  if (p.accept("INDEX") || p.accept("KEY")) {
    const std::string from = p.ident("an index name");
    p.expect("TO");
    const std::string to = p.ident("an index name");
    Index* index = e.find_index(from);
    if (index == nullptr) p.fail("RENAME INDEX " + from + ": the table has no such index");
    if (!ascii_iequal(from, to) && e.find_index(to) != nullptr)
      p.fail("RENAME INDEX " + from + ": the table already has an index " + to);
    index->name = to;
    return;
  }
  if (!p.accept("TO")) p.accept("AS");
  new_name = p.qualified("a table name");
}

// ALTER TABLE of a table the model does not track: nothing, unless it is renamed into the
// tracked set, which cannot be followed.
void alter_untracked(Parser& p, Session& s) {
  while (!p.at_end()) {
    if (p.accept("RENAME") && !p.is("COLUMN") && !p.is("INDEX") && !p.is("KEY")) {
      if (!p.accept("TO")) p.accept("AS");
      const QualifiedName to = p.qualified("a table name");
      if (s.tracked_name(to))
        p.fail("RENAME TO " + s.display(to) +
               ": the table is not tracked, its definition is "
               "unknown");
    } else {
      p.take();
    }
  }
}

void alter_table(Parser& p, Session& s) {
  p.accept_all({"IF", "EXISTS"});
  const QualifiedName q = p.qualified("a table name");
  p.set_head("ALTER TABLE " + s.display(q));
  if (!s.tracked_name(q)) {
    alter_untracked(p, s);
    return;
  }
  const auto it = s.schema.tables.find(q.name);
  if (it == s.schema.tables.end()) p.fail("the table is not in the tracked schema");
  TableEdit e = edit(s, it->second, p);
  std::optional<QualifiedName> new_name;
  std::string charset, coll;
  const std::string head = p.head();
  do {
    p.set_head(head);
    if (p.at_end()) break;
    const std::string w = p.word();
    if (p.accept("ADD")) {
      alter_add(p, e);
    } else if (p.accept("DROP")) {
      alter_drop(p, e);
    } else if (p.accept("MODIFY")) {
      alter_redefine(p, e, false);
    } else if (p.accept("CHANGE")) {
      alter_redefine(p, e, true);
    } else if (p.accept("RENAME")) {
      alter_rename(p, e, new_name);
    } else if (p.accept("ALTER")) {
      if (p.accept("INDEX") || p.accept("KEY")) {
        const std::string name = p.ident("an index name");
        if (e.find_index(name) == nullptr) p.fail("ALTER INDEX " + name + ": no such index");
        p.accept("NOT");
        if (!p.accept("VISIBLE") && !p.accept("INVISIBLE") && !p.accept("IGNORED"))
          p.fail("ALTER INDEX " + name + ": " + p.where() + " is not understood");
      } else if (p.accept("CHECK") || p.accept("CONSTRAINT")) {
        const std::string name = p.ident("a constraint name");
        const bool enforced = !p.accept("NOT");
        p.expect("ENFORCED");
        auto k = std::find_if(e.t.checks.begin(), e.t.checks.end(),
                              [&](const CheckConstraint& c) { return ascii_iequal(c.name, name); });
        if (k == e.t.checks.end()) p.fail("ALTER CHECK " + name + ": no such check constraint");
        k->enforced = enforced;
      } else {
        p.accept("COLUMN");
        alter_column(p, e);
      }
    } else if (p.accept("CONVERT")) {
      p.expect("TO");
      if (!p.accept_all({"CHARACTER", "SET"})) p.expect("CHARSET");
      std::string cs = p.accept("DEFAULT") ? charset_of_collation(s.database_collation())
                                           : canonical_charset(p.ident("a character set"));
      std::string cl = p.accept("COLLATE") ? canonical_collation(p.ident("a collation"))
                                           : default_collation(cs, s.schema.mariadb);
      if (cs == "binary") p.fail("CONVERT TO CHARACTER SET binary is not replicated");
      e.convert_to(cs, cl);
    } else if (w == "ALGORITHM" || w == "LOCK") {
      p.take();
      p.accept_symbol('=');
      p.skip_value();
    } else if (p.accept("FORCE") || p.accept_all({"ENABLE", "KEYS"}) ||
               p.accept_all({"DISABLE", "KEYS"}) || p.accept_all({"WITH", "VALIDATION"}) ||
               p.accept_all({"WITHOUT", "VALIDATION"})) {
    } else if (p.accept("ORDER")) {  // the rows' physical order: nothing in the model
      p.expect("BY");
      do {
        p.ident("a column");
        if (!p.accept("ASC")) p.accept("DESC");
      } while (p.accept_symbol(','));
    } else if (p.accept("DISCARD") || p.accept("IMPORT")) {
      p.expect("TABLESPACE");
    } else if (w == "PARTITION" || w == "REMOVE" || w == "COALESCE" || w == "REORGANIZE" ||
               w == "EXCHANGE" || w == "ANALYZE" || w == "CHECK" || w == "OPTIMIZE" ||
               w == "REBUILD" || w == "REPAIR" || w == "TRUNCATE") {
      if (w == "CHECK" || w == "ANALYZE" || w == "OPTIMIZE" || w == "REBUILD" || w == "REPAIR" ||
          w == "TRUNCATE" || w == "COALESCE" || w == "REORGANIZE" || w == "EXCHANGE" ||
          w == "REMOVE")
        p.fail(w + " PARTITION... is not replicated");
      p.fail("PARTITION BY is not replicated");
    } else if (!parse_table_option(p, e, charset, coll)) {
      p.fail(p.where() + " is not understood");
    }
  } while (p.accept_symbol(',') || (!p.at_end() && !p.is_symbol(';')));
  apply_table_charset(s, e, charset, coll);
  if (new_name && !(s.database_of(*new_name) == s.schema.database && new_name->name == q.name)) {
    if (s.ours(*new_name) && s.schema.tables.count(new_name->name) != 0)
      p.fail("RENAME TO " + s.display(*new_name) + ": that table exists");
    if (!s.tracked_name(*new_name)) {
      rename_out(s, q.name);
      return;
    }
    const std::string coll_now = e.collation;
    const std::vector<std::string> origin = e.origin;
    rename_table(s, q.name, new_name->name);
    s.changes.push_back({TableChange::Kind::renamed, new_name->name, q.name, {}});
    TableEdit moved = edit(s, s.schema.tables.at(new_name->name), p);
    moved.collation = coll_now;
    moved.origin = origin;
    finish_alter(s, moved);
    return;
  }
  finish_alter(s, e);
}

void database_statement(Parser& p, Session& s, const std::string& verb) {
  p.accept_all({"IF", "NOT", "EXISTS"});
  p.accept_all({"IF", "EXISTS"});
  std::string name = s.current_db;
  if (p.is_ident() && !p.is("DEFAULT") && !p.is("CHARACTER") && !p.is("CHARSET") &&
      !p.is("COLLATE"))
    name = p.ident("a database name");
  p.set_head(verb + " DATABASE " + name);
  if (name != s.schema.database) return;
  if (verb == "DROP") {
    std::vector<std::string> names;
    for (const auto& entry : s.schema.tables) names.push_back(entry.first);
    for (const auto& n : names) rename_out(s, n);
    return;
  }
  if (verb != "ALTER") return;
  std::string charset, coll;
  while (!p.at_end()) {
    p.accept("DEFAULT");
    if (p.accept_all({"CHARACTER", "SET"}) || p.accept("CHARSET")) {
      p.accept_symbol('=');
      charset = canonical_charset(p.ident("a character set"));
    } else if (p.accept("COLLATE")) {
      p.accept_symbol('=');
      coll = canonical_collation(p.ident("a collation"));
    } else {
      p.take();
    }
  }
  if (!coll.empty()) {
    s.schema.default_collation = coll;
    s.schema.default_charset = charset_of_collation(coll);
  } else if (!charset.empty()) {
    s.schema.default_charset = charset;
    s.schema.default_collation.clear();
  }
}

void apply_statement(Parser& p, Session& s) {
  if (p.accept("RENAME")) {
    if (!p.accept("TABLE") && !p.accept("TABLES")) p.fail("RENAME: only RENAME TABLE is tracked");
    rename_tables(p, s);
    return;
  }
  const std::string verb = p.word();
  if (!p.accept("CREATE") && !p.accept("ALTER") && !p.accept("DROP")) {
    p.fail("statement " + (verb.empty() ? std::string("(empty)") : verb) +
           " is not a schema statement");
  }
  const bool or_replace = p.accept_all({"OR", "REPLACE"});
  p.accept("ONLINE");
  p.accept("OFFLINE");
  p.accept("IGNORE");
  if (p.accept("TEMPORARY")) return;  // never logged in ROW format, never replicated
  if (p.accept("TABLE")) {
    if (verb == "CREATE")
      create_table(p, s, or_replace);
    else if (verb == "ALTER")
      alter_table(p, s);
    else
      drop_tables(p, s);
    return;
  }
  if (p.accept("DATABASE") || p.accept("SCHEMA")) {
    database_statement(p, s, verb);
    return;
  }
  IndexDecl::What what = IndexDecl::What::plain;
  if (p.accept("UNIQUE"))
    what = IndexDecl::What::unique;
  else if (p.accept("FULLTEXT"))
    what = IndexDecl::What::fulltext;
  else if (p.accept("SPATIAL"))
    what = IndexDecl::What::spatial;
  if (p.accept("INDEX")) {
    p.set_head(verb + " INDEX");
    if (verb == "CREATE")
      create_index(p, s, what);
    else if (verb == "DROP")
      drop_index(p, s);
    else
      p.fail("ALTER INDEX is not a statement");
    return;
  }
  p.fail(verb + " " + p.word() + " is not a schema statement the model follows");
}

// --- create_table_statement ---

std::string quote_ident(const std::string& name) {
  std::string out = "`";
  for (char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

std::string quote_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\'':
        out += "''";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\x1A':
        out += "\\Z";
        break;
      default:
        out.push_back(c);
    }
  }
  return out + "'";
}

std::string hex_literal(const std::string& bytes) {
  std::string out = "x'";
  append_hex(bytes, out);
  return out + "'";
}

std::string column_sql(const Column& c) {
  std::string out = quote_ident(c.name) + " ";
  out += c.is_json ? std::string("json") : c.column_type;
  if (!c.charset.empty()) out += " CHARACTER SET " + c.charset + " COLLATE " + c.collation;
  if (c.generated != Generated::no) {
    out += " GENERATED ALWAYS AS (" + c.generation_expression + ")";
    out += c.generated == Generated::stored ? " STORED" : " VIRTUAL";
  }
  out += c.nullable ? " NULL" : " NOT NULL";
  switch (c.default_value.kind) {
    case DefaultKind::none:
    case DefaultKind::null:
      break;
    case DefaultKind::literal:
      // Bytes that are no UTF-8 (a binary column's) as a hex literal: the statement is kept
      // as text.
      out += " DEFAULT " + (c.data_type == "bit" ? c.default_value.value
                            : is_valid_utf8(c.default_value.value)
                                ? quote_string(c.default_value.value)
                                : hex_literal(c.default_value.value));
      break;
    case DefaultKind::current_timestamp:
      out += " DEFAULT " + c.default_value.value;
      break;
    case DefaultKind::expression:
      out += " DEFAULT (" + c.default_value.value + ")";
      break;
  }
  if (c.on_update_current_timestamp) {
    out += " ON UPDATE CURRENT_TIMESTAMP";
    if (c.fsp && *c.fsp > 0) out += "(" + std::to_string(*c.fsp) + ")";
  }
  if (c.auto_increment) out += " AUTO_INCREMENT";
  if (!c.comment.empty()) out += " COMMENT " + quote_string(c.comment);
  return out;
}

std::string parts_sql(const std::vector<IndexPart>& parts, bool spatial) {
  std::string out = "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    const IndexPart& part = parts[i];
    if (i != 0) out += ", ";
    if (!part.expression.empty())
      out += "(" + part.expression + ")";
    else
      out += quote_ident(part.column);
    if (part.prefix && !spatial) out += "(" + std::to_string(*part.prefix) + ")";
    if (part.descending) out += " DESC";
  }
  return out + ")";
}

std::string names_sql(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + quote_ident(names[i]);
  return out + ")";
}

}  // namespace

std::vector<TableChange> apply_ddl(TrackedSchema& schema, std::string_view sql,
                                   const std::string& current_db,
                                   const std::function<bool(const std::string&)>& selected,
                                   bool backslash_escapes) {
  TrackedSchema work = schema;
  Session s{work, current_db, selected, {}};
  Parser p(sql, {}, backslash_escapes);
  apply_statement(p, s);
  schema = std::move(work);
  return std::move(s.changes);
}

std::string create_table_statement(const Table& table, const std::string& default_collation) {
  std::vector<std::string> lines;
  for (const auto& c : table.columns) lines.push_back(column_sql(c));
  if (!table.primary_key.empty()) lines.push_back("PRIMARY KEY " + names_sql(table.primary_key));
  for (const auto& i : table.indexes) {
    std::string kind = i.kind == "FULLTEXT"  ? "FULLTEXT KEY "
                       : i.kind == "SPATIAL" ? "SPATIAL KEY "
                       : i.unique            ? "UNIQUE KEY "
                                             : "KEY ";
    std::string line = kind + quote_ident(i.name) + " " + parts_sql(i.parts, i.kind == "SPATIAL");
    if (i.kind == "HASH") line += " USING HASH";
    lines.push_back(line);
  }
  for (const auto& fk : table.foreign_keys) {
    lines.push_back("CONSTRAINT " + quote_ident(fk.name) + " FOREIGN KEY " + names_sql(fk.columns) +
                    " REFERENCES " + quote_ident(fk.ref_database) + "." +
                    quote_ident(fk.ref_table) + " " + names_sql(fk.ref_columns) + " ON DELETE " +
                    fk.on_delete + " ON UPDATE " + fk.on_update);
  }
  for (const auto& k : table.checks) {
    lines.push_back("CONSTRAINT " + quote_ident(k.name) + " CHECK (" + k.clause + ")" +
                    (k.enforced ? "" : " NOT ENFORCED"));
  }
  std::string out = "CREATE TABLE " + quote_ident(table.name) + " (\n";
  for (size_t i = 0; i < lines.size(); ++i)
    out += "  " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  out += ")";
  if (!table.engine.empty()) out += " ENGINE=" + table.engine;
  if (!default_collation.empty())
    out += " DEFAULT CHARSET=" + charset_of_collation(default_collation) +
           " COLLATE=" + default_collation;
  out += " COMMENT=" + quote_string(table.comment);
  return out;
}

Catalog catalog_of(const TrackedSchema& schema) {
  Catalog c;
  c.database = schema.database;
  for (const auto& [name, table] : schema.tables) c.tables.push_back(table);
  return c;
}

}  // namespace my2pg::schema
