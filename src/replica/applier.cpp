#include "replica/applier.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "common/error.hpp"
#include "common/pg_names.hpp"
#include "common/row_set.hpp"
#include "typemap/value_encoder.hpp"

namespace my2pg::replica {
namespace {

// Per-entry bookkeeping of the hash maps, counted against the batch's byte budget.
constexpr size_t kEntryOverhead = 64;

std::string qualified(const typemap::TargetTable& t) {
  return pg::quote_identifier(t.schema) + "." + pg::quote_identifier(t.name);
}

std::string column_list(const typemap::TargetTable& t, const std::vector<size_t>& columns,
                        const std::string& prefix = {}) {
  std::string list;
  for (size_t i : columns) {
    list.append(list.empty() ? "" : ", ")
        .append(prefix)
        .append(pg::quote_identifier(t.columns[i].name));
  }
  return list;
}

std::vector<size_t> all_columns(const typemap::TargetTable& t) {
  std::vector<size_t> all(t.columns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

// Creating a staging table: made again rather than reused, because one that a rolled-back
// schema change had dropped is back, with the columns of the definition before it.
std::string fresh_staging(const std::string& name) {
  return "DROP TABLE IF EXISTS pg_temp." + name + "; CREATE TEMP TABLE " + name;
}

// The staging table of a route: its key columns (or, without a key, all columns), typed as the
// target's, private to this session.
std::string staging_name(size_t route) {
  return "my2pg_staging_" + std::to_string(route);
}

// "id=5" or "a=1, b=x" from a key's COPY fields, for messages.
std::string describe_key(const Route& r, std::string_view key) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i < r.key.size(); ++i) {
    const size_t end = std::min(key.find('\t', start), key.size());
    out.append(i == 0 ? "" : ", ").append(r.target->columns[r.key[i]].name).append("=");
    out.append(key.substr(start, std::min<size_t>(end - start, 80)));
    start = end + 1;
  }
  return out;
}

void put_line(pg::CopyWriter& copy, std::string_view line) {
  copy.write(line);
  copy.write("\n");
}

// Rows this large are moved into the batch rather than copied, and the encoding buffer does
// not keep their size afterwards.
constexpr size_t kLargeRow = size_t{1} << 20;

}  // namespace

struct Applier::Buffer {
  struct KeyState {
    bool existed = false;            // the key's first change found it on the target
    std::optional<std::string> row;  // its row after the batch, as a COPY line
  };
  std::unordered_map<std::string, KeyState> keyed;  // tables with a primary key
  std::unordered_map<std::string, int64_t> counts;  // tables without: net copies of each row
  bool touched = false;                             // listed in its batch's `touched`
};

std::vector<Route> make_routes(const std::vector<schema::Table>& sources,
                               const std::vector<typemap::TargetTable>& targets) {
  std::vector<Route> routes;
  routes.reserve(sources.size());
  for (size_t t = 0; t < sources.size(); ++t) {
    Route r;
    r.source = &sources[t];
    r.target = &targets[t];
    r.name = sources[t].database + "." + sources[t].name;
    if (sources[t].columns.size() != targets[t].columns.size())
      throw Error("internal: " + r.name + " has " + std::to_string(sources[t].columns.size()) +
                  " source columns but " + std::to_string(targets[t].columns.size()) +
                  " target columns");
    for (const auto& c : sources[t].columns) r.display.push_back(display_format(c));
    for (const std::string& k : targets[t].primary_key) {
      for (size_t i = 0; i < targets[t].columns.size(); ++i) {
        if (targets[t].columns[i].name == k) r.key.push_back(i);
      }
    }
    if (r.key.size() != targets[t].primary_key.size()) r.key.clear();
    r.update_in_place =
        !r.key.empty() && std::none_of(sources[t].indexes.begin(), sources[t].indexes.end(),
                                       [](const schema::Index& i) { return i.unique; });
    routes.push_back(std::move(r));
  }
  // Foreign keys whose actions change rows, onto a replicated parent's primary key.
  for (size_t c = 0; c < routes.size(); ++c) {
    const schema::Table& child = sources[c];
    for (const schema::ForeignKey& fk : child.foreign_keys) {
      const bool acts = fk.on_delete == "CASCADE" || fk.on_delete == "SET NULL" ||
                        fk.on_update == "CASCADE" || fk.on_update == "SET NULL";
      if (!acts || fk.ref_database != child.database) continue;
      for (size_t p = 0; p < routes.size(); ++p) {
        Route& parent = routes[p];
        if (sources[p].name != fk.ref_table || parent.key.empty() ||
            fk.ref_columns.size() != parent.key.size())
          continue;
        Cascade cascade{c, {}, fk.on_delete, fk.on_update, fk.name};
        for (size_t k : parent.key) {
          const std::string& parent_column = sources[p].columns[k].name;
          for (size_t i = 0; i < fk.ref_columns.size(); ++i) {
            if (fk.ref_columns[i] != parent_column) continue;
            for (size_t j = 0; j < child.columns.size(); ++j) {
              if (child.columns[j].name == fk.columns[i]) cascade.columns.push_back(j);
            }
          }
        }
        if (cascade.columns.size() == parent.key.size()) parent.cascades.push_back(cascade);
      }
    }
  }
  return routes;
}

void Applier::Batch::clear() {
  for (size_t route : touched) {
    buffers[route]->keyed.clear();
    buffers[route]->counts.clear();
    buffers[route]->touched = false;
  }
  touched.clear();
  bytes = 0;
  changes = 0;
}

Applier::Applier(pg::Connection& target, const std::vector<Route>& routes)
    : m_target(target),
      m_routes(routes),
      m_staging(routes.size(), false),
      m_staging_rows(routes.size(), false) {
  for (Batch* b : {&m_filling, &m_applying}) {
    b->buffers.reserve(routes.size());
    for (size_t i = 0; i < routes.size(); ++i) b->buffers.push_back(std::make_unique<Buffer>());
  }
}

Applier::~Applier() {
  if (m_worker.joinable()) m_worker.join();
  if (m_open) {
    try {
      m_target.execute("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): the connection is going away
    }
  }
}

void Applier::encode(size_t route, const binlog::RowImage& image,
                     const std::vector<binlog::ColumnInfo>& columns, const std::string& where,
                     std::string& line, std::string* key) {
  const Route& r = m_routes[route];
  const size_t n = r.target->columns.size();
  // An image may have more values than the table columns: the server's hidden ones, last
  // (the table's map was checked against the definition), which are not applied.
  if (image.values.size() < n || columns.size() != n) {
    throw Error("the binlog's row of " + r.name + " at " + where + " has " +
                std::to_string(image.values.size()) + " columns, the table " + std::to_string(n) +
                ": the table was changed in a way the replica's schema history did not "
                "follow; copy the table again (my2pg resync --table)");
  }
  line.clear();
  m_offsets.clear();
  size_t raw = 0;
  for (const binlog::Value& v : image.values) raw += v.bytes.size();
  // A large row is encoded into room made once (bytea doubles in hex), not grown by doubling.
  if (raw >= kLargeRow) line.reserve(raw * 2 + n * 8);
  for (size_t i = 0; i < n; ++i) {
    if (!image.present[i]) {
      throw Error("the binlog's row of " + r.name + " at " + where + " lacks column " +
                  r.target->columns[i].name +
                  ": the source logs partial row images; set binlog_row_image = FULL on the "
                  "source (SET GLOBAL binlog_row_image = 'FULL', and in its configuration file)");
    }
    if (i != 0) line.push_back('\t');
    m_offsets.push_back(line.size());
    const char* problem = append_copy_field(r.target->columns[i].codec, image.values[i], columns[i],
                                            line, r.display[i]);
    if (problem != nullptr) {
      std::string k;
      if (!r.key.empty() && i > r.key.back()) {
        // Key columns before this one are encoded already.
        for (size_t c : r.key) {
          const size_t end = c + 1 < m_offsets.size() ? m_offsets[c + 1] - 1 : line.size();
          k.append(k.empty() ? "" : "\t").append(line, m_offsets[c], end - m_offsets[c]);
        }
        k = describe_key(r, k);
      } else {
        k = r.key.empty() ? "(no primary key)" : "(key not yet read)";
      }
      throw MappingError("cannot apply a change to " + r.name + " at binlog " + where +
                         ": column " + r.source->columns[i].name + ", key " + k + ": " + problem +
                         "; change the value on the source or the column's mapping or policy "
                         "(--mapping), " +
                         kResumeAdvice);
    }
  }
  if (key != nullptr) {
    key->clear();
    m_offsets.push_back(line.size() + 1);
    for (size_t c : r.key) {
      key->append(key->empty() ? "" : "\t")
          .append(line, m_offsets[c], m_offsets[c + 1] - 1 - m_offsets[c]);
    }
  }
}

void Applier::add(size_t route, const binlog::RowsEvent& rows,
                  const std::vector<binlog::ColumnInfo>& columns, const std::string& where) {
  try {
    add_rows(route, rows, columns, where);
  } catch (const MappingError& e) {
    throw TableError(e.what(), ExitCode::data, route);
  }
}

void Applier::add_rows(size_t route, const binlog::RowsEvent& rows,
                       const std::vector<binlog::ColumnInfo>& columns, const std::string& where) {
  const Route& r = m_routes[route];
  Buffer& b = *m_filling.buffers[route];
  if (!b.touched) {
    b.touched = true;
    m_filling.touched.push_back(route);
  }
  size_t& bytes = m_filling.bytes;
  thread_local std::string line, key;
  const bool keyed = !r.key.empty();
  auto remove = [&](const binlog::RowImage& image) {
    encode(route, image, columns, where, line, keyed ? &key : nullptr);
    if (keyed) {
      auto [it, inserted] = b.keyed.try_emplace(key);
      if (inserted) {
        it->second.existed = true;
        bytes += key.size() + kEntryOverhead;
      } else if (it->second.row) {
        bytes -= it->second.row->size();
      }
      it->second.row.reset();
    } else {
      auto [it, inserted] = b.counts.try_emplace(line, 0);
      if (inserted) bytes += line.size() + kEntryOverhead;
      --it->second;
    }
  };
  auto put = [&](const binlog::RowImage& image) {
    encode(route, image, columns, where, line, keyed ? &key : nullptr);
    if (keyed) {
      auto [it, inserted] = b.keyed.try_emplace(key);
      if (inserted) {
        bytes += key.size() + kEntryOverhead;
      } else if (it->second.row) {
        // A row added over one that is there: the source refuses that, so the binlog cannot say
        // it; keep the later image, as the source's state is.
        bytes -= it->second.row->size();
      }
      bytes += line.size();
      if (line.size() >= kLargeRow) {
        it->second.row = std::move(line);
        line = std::string();
      } else {
        it->second.row = line;
      }
    } else {
      auto [it, inserted] = b.counts.try_emplace(line, 0);
      if (inserted) bytes += line.size() + kEntryOverhead;
      ++it->second;
    }
  };
  switch (rows.kind) {
    case binlog::RowsKind::write:
      for (const auto& image : rows.after) put(image);
      break;
    case binlog::RowsKind::erase:
      for (const auto& image : rows.before) remove(image);
      break;
    case binlog::RowsKind::update:
    case binlog::RowsKind::partial_update:
      for (size_t i = 0; i < rows.after.size(); ++i) {
        remove(rows.before.at(i));
        put(rows.after[i]);
      }
      break;
  }
  m_filling.changes += std::max(rows.before.size(), rows.after.size());
  if (line.capacity() >= kLargeRow) line = std::string();
  if (key.capacity() >= kLargeRow) key = std::string();
}

void Applier::begin() {
  if (m_open) return;
  // A batch touches few rows of each table: matching them through the primary key's index
  // beats hashing the whole table, which the planner picks for staged rows it has no statistics
  // of (measured: 86 against 170 ms for 10,000 keys of a 200,000-row table).
  m_target.execute("BEGIN; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off");
  m_open = true;
}

void Applier::flush_keyed(size_t route, Buffer& b, const std::string& where) {
  const Route& r = m_routes[route];
  const std::string table = qualified(*r.target);
  std::string match;  // t.k1 = s.k1 AND ...
  for (size_t i = 0; i < r.key.size(); ++i) {
    const std::string c = pg::quote_identifier(r.target->columns[r.key[i]].name);
    match.append(i == 0 ? "" : " AND ").append("t." + c + " = s." + c);
  }
  auto diverged = [&](const char* what, uint64_t expected, uint64_t found) {
    return MismatchError("the target table " + table + " no longer equals the source " + r.name +
                         ": the binlog up to " + where + " " + what + " " +
                         std::to_string(expected) + " existing row(s), but the target holds " +
                         std::to_string(found) +
                         " of them. Something else changed the target; run my2pg verify to see "
                         "the rows, then copy the table again (my2pg migrate --replace)");
  };
  // Keys that were there: removed for good, or (in place) changed.
  uint64_t removed = 0, changed = 0, added = 0;
  for (const auto& [key, state] : b.keyed) {
    if (state.existed && (!state.row || !r.update_in_place)) ++removed;
    if (state.existed && state.row && r.update_in_place) ++changed;
    if (state.row && (!state.existed || !r.update_in_place)) ++added;
  }
  if (removed != 0) {
    const std::string staging = staging_name(route);
    if (!m_staging[route]) {
      m_target.execute(fresh_staging(staging) + " AS SELECT " + column_list(*r.target, r.key) +
                       " FROM " + table + " WITH NO DATA");
      m_staging[route] = true;
    }
    pg::CopyWriter keys = m_target.copy_in("COPY " + staging + " FROM STDIN");
    for (const auto& [key, state] : b.keyed) {
      if (state.existed && (!state.row || !r.update_in_place)) put_line(keys, key);
    }
    keys.finish();
    const uint64_t deleted =
        m_target.execute("DELETE FROM " + table + " t USING " + staging + " s WHERE " + match);
    m_target.execute("TRUNCATE " + staging);
    if (deleted != removed) throw diverged("deletes or changes", removed, deleted);
  }
  std::vector<size_t> others;  // the columns an in-place update sets
  for (size_t i = 0; i < r.target->columns.size(); ++i) {
    if (std::find(r.key.begin(), r.key.end(), i) == r.key.end()) others.push_back(i);
  }
  if (changed != 0 && !others.empty()) {
    const std::string staging = staging_name(route) + "_rows";
    if (!m_staging_rows[route]) {
      m_target.execute(fresh_staging(staging) + " AS SELECT " +
                       column_list(*r.target, all_columns(*r.target)) + " FROM " + table +
                       " WITH NO DATA");
      m_staging_rows[route] = true;
    }
    pg::CopyWriter rows = m_target.copy_in("COPY " + staging + " FROM STDIN");
    for (const auto& [key, state] : b.keyed) {
      if (state.existed && state.row) put_line(rows, *state.row);
    }
    rows.finish();
    std::string sql = "UPDATE " + table + " t SET ";
    for (size_t i = 0; i < others.size(); ++i) {
      const std::string c = pg::quote_identifier(r.target->columns[others[i]].name);
      sql.append(i == 0 ? "" : ", ").append(c + " = s." + c);
    }
    const uint64_t updated = m_target.execute(sql + " FROM " + staging + " s WHERE " + match);
    m_target.execute("TRUNCATE " + staging);
    if (updated != changed) throw diverged("changes", changed, updated);
  }
  if (added == 0) return;
  pg::CopyWriter copy = m_target.copy_in(
      "COPY " + table + " (" + column_list(*r.target, all_columns(*r.target)) + ") FROM STDIN");
  for (const auto& [key, state] : b.keyed) {
    if (state.row && (!state.existed || !r.update_in_place)) put_line(copy, *state.row);
  }
  try {
    copy.finish();
  } catch (const TargetError& e) {
    if (e.sqlstate() != "23505") throw;
    throw MismatchError("the target table " + table + " no longer equals the source " + r.name +
                        ": a row the binlog up to " + where + " adds is already there (" +
                        e.what() +
                        "). Something else changed the target; run my2pg verify to see the rows, "
                        "then copy the table again (my2pg migrate --replace)");
  }
}

void Applier::flush_keyless(size_t route, Buffer& b, const std::string& where) {
  const Route& r = m_routes[route];
  const std::string table = qualified(*r.target);
  const std::string staging = staging_name(route);
  const std::vector<size_t> all = all_columns(*r.target);
  uint64_t removed = 0;
  for (const auto& [line, n] : b.counts) removed += n < 0 ? static_cast<uint64_t>(-n) : 0;
  if (removed != 0) {
    if (!m_staging[route]) {
      m_target.execute(fresh_staging(staging) + " AS SELECT " + column_list(*r.target, all) +
                       " FROM " + table + " WITH NO DATA");
      m_staging[route] = true;
    }
    pg::CopyWriter rows = m_target.copy_in("COPY " + staging + " FROM STDIN");
    for (const auto& [line, n] : b.counts) {
      for (int64_t i = n; i < 0; ++i) {
        put_line(rows, line);
      }
    }
    rows.finish();
    // One target row for each row removed, matched by its whole value as PostgreSQL prints it
    // (every type has a text form; not every type has equality).
    const std::string whole_t = "ROW(" + column_list(*r.target, all, "x.") + ")::text";
    const std::string whole_s = "ROW(" + column_list(*r.target, all, "s.") + ")::text";
    // Matched by value over the whole table: hashing is right here (the batch turned it off
    // for the keyed statements).
    m_target.execute("SET LOCAL enable_hashjoin = on");
    const uint64_t deleted = m_target.execute(
        "WITH want AS (SELECT " + whole_s + " AS r, count(*) AS n FROM " + staging +
        " s GROUP BY 1), have AS (SELECT x.ctid AS id, " + whole_t +
        " AS r, row_number() OVER (PARTITION BY " + whole_t + ") AS k FROM " + table + " x WHERE " +
        whole_t + " IN (SELECT r FROM want)) DELETE FROM " + table +
        " WHERE ctid IN (SELECT h.id FROM have h JOIN want w ON w.r = h.r AND h.k <= w.n)");
    m_target.execute("SET LOCAL enable_hashjoin = off");
    m_target.execute("TRUNCATE " + staging);
    if (deleted != removed) {
      throw MismatchError(
          "the target table " + table + " no longer equals the source " + r.name +
          " (a table without a primary key, matched by whole rows): the binlog up to " + where +
          " removes " + std::to_string(removed) + " row(s), but the target holds " +
          std::to_string(deleted) +
          " of them. Something else changed the target; run my2pg verify, then copy the table "
          "again (my2pg migrate --replace)");
    }
  }
  bool adds = false;
  for (const auto& [line, n] : b.counts) adds = adds || n > 0;
  if (!adds) return;
  pg::CopyWriter copy =
      m_target.copy_in("COPY " + table + " (" + column_list(*r.target, all) + ") FROM STDIN");
  for (const auto& [line, n] : b.counts) {
    for (int64_t i = 0; i < n; ++i) {
      put_line(copy, line);
    }
  }
  copy.finish();
}

namespace {

// A COPY text field as its value (nullopt for \N): the escapes the encoder writes undone.
std::optional<std::string> copy_field_value(std::string_view field) {
  if (field == "\\N") return std::nullopt;
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    const char c = field[++i];
    out.push_back(c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c);
  }
  return out;
}

std::vector<std::string_view> key_fields(std::string_view key) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    const size_t tab = key.find('\t', start);
    fields.push_back(
        key.substr(start, tab == std::string_view::npos ? key.size() - start : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

void Applier::stage_keys(size_t route, const std::vector<std::string>& keys) {
  const Route& r = m_routes[route];
  const std::string staging = staging_name(route);
  if (!m_staging[route]) {
    m_target.execute(fresh_staging(staging) + " AS SELECT " + column_list(*r.target, r.key) +
                     " FROM " + qualified(*r.target) + " WITH NO DATA");
    m_staging[route] = true;
  }
  pg::CopyWriter copy = m_target.copy_in("COPY " + staging + " FROM STDIN");
  for (const std::string& key : keys) put_line(copy, key);
  copy.finish();
}

// Rows of `route` with these keys are gone: what their foreign keys' ON DELETE actions do.
void Applier::removed(size_t route, const std::vector<std::string>& keys, const std::string& where,
                      int depth) {
  if (keys.empty()) return;
  if (depth > 64) {
    throw Error("foreign-key cascades from " + m_routes[route].name + " at binlog " + where +
                " go more than 64 levels deep; my2pg stops rather than guess");
  }
  const Route& parent = m_routes[route];
  for (const Cascade& c : parent.cascades) {
    if (m_routes[c.child].paused) continue;  // set aside: nothing of it is applied
    if (c.on_delete != "CASCADE" && c.on_delete != "SET NULL") continue;
    const Route& child = m_routes[c.child];
    const std::string table = qualified(*child.target);
    stage_keys(route, keys);
    std::string match;
    for (size_t i = 0; i < parent.key.size(); ++i) {
      match.append(i == 0 ? "" : " AND ")
          .append("t." + pg::quote_identifier(child.target->columns[c.columns[i]].name) + " = s." +
                  pg::quote_identifier(parent.target->columns[parent.key[i]].name));
    }
    std::vector<std::string> gone;
    if (c.on_delete == "CASCADE") {
      std::string returning;
      for (size_t k : child.key) {
        returning.append(returning.empty() ? "" : ", ")
            .append("t." + pg::quote_identifier(child.target->columns[k].name) + "::text");
      }
      const RowSet rows =
          m_target.query("DELETE FROM " + table + " t USING " + staging_name(route) + " s WHERE " +
                         match + (returning.empty() ? "" : " RETURNING " + returning));
      for (const auto& row : rows.rows) {
        std::string key;
        for (size_t i = 0; i < row.size(); ++i) {
          if (i != 0) key.push_back('\t');
          if (!row[i]) {
            key += "\\N";
          } else if (typemap::append_text(*row[i], typemap::ValuePolicy{},
                                          typemap::TextForm::copy_text, key) != nullptr) {
            throw Error("internal: a key of " + child.name + " cannot be staged");
          }
        }
        gone.push_back(std::move(key));
      }
    } else {
      std::string set;
      for (size_t col : c.columns) {
        set.append(set.empty() ? "" : ", ")
            .append(pg::quote_identifier(child.target->columns[col].name) + " = NULL");
      }
      m_target.execute("UPDATE " + table + " t SET " + set + " FROM " + staging_name(route) +
                       " s WHERE " + match);
    }
    m_target.execute("TRUNCATE " + staging_name(route));
    if (!child.key.empty()) removed(c.child, gone, where, depth + 1);
  }
}

void Applier::cascade(size_t route, const binlog::RowsEvent& rows,
                      const std::vector<binlog::ColumnInfo>& columns, const std::string& where) {
  if (rows.kind == binlog::RowsKind::write) return;
  const Route& r = m_routes[route];
  std::string line, before, after;
  std::vector<std::string> gone;
  std::vector<std::pair<std::string, std::string>> moved;  // old key, new key
  for (size_t i = 0; i < rows.before.size(); ++i) {
    encode(route, rows.before[i], columns, where, line, &before);
    if (rows.kind == binlog::RowsKind::erase) {
      gone.push_back(before);
      continue;
    }
    encode(route, rows.after.at(i), columns, where, line, &after);
    if (after != before) moved.emplace_back(before, after);
  }
  if (gone.empty() && moved.empty()) return;
  flush(where);  // the event itself, and everything before it
  begin();
  // A changed key: ON UPDATE actions, row by row (keys rarely change). Parameter types follow
  // from the columns they are compared with.
  for (const auto& [old_key, new_key] : moved) {
    const auto old_fields = key_fields(old_key), new_fields = key_fields(new_key);
    for (const Cascade& c : r.cascades) {
      if (m_routes[c.child].paused) continue;
      if (c.on_update != "CASCADE" && c.on_update != "SET NULL") continue;
      const Route& child = m_routes[c.child];
      std::vector<std::optional<std::string>> params;
      std::string set, match;
      for (size_t k = 0; k < c.columns.size(); ++k) {
        const std::string column = pg::quote_identifier(child.target->columns[c.columns[k]].name);
        params.push_back(copy_field_value(old_fields.at(k)));
        match.append(k == 0 ? "" : " AND ").append(column + " = $" + std::to_string(params.size()));
        if (c.on_update == "CASCADE") {
          params.push_back(copy_field_value(new_fields.at(k)));
          set.append(k == 0 ? "" : ", ").append(column + " = $" + std::to_string(params.size()));
        } else {
          set.append(k == 0 ? "" : ", ").append(column + " = NULL");
        }
      }
      m_target.query("UPDATE " + qualified(*child.target) + " SET " + set + " WHERE " + match,
                     params);
    }
  }
  removed(route, gone, where, 0);
}

// After the table's statements, which waited for the resync's lock on it: the resync's copy
// committed (its pause row is gone) or the table goes aside again.
void Applier::check_resumed(size_t route) {
  const Route& r = m_routes[route];
  const RowSet row = m_target.query(
      "SELECT 1 FROM my2pg.paused_table WHERE source_database = $1 AND source_table = $2",
      {r.source->database, r.source->name});
  if (row.rows.empty()) return;
  throw MismatchError("the resync that took " + r.name +
                      " back did not finish (it stopped or failed before its copy committed), "
                      "so the table still holds its rows from before the pause; it stays paused. "
                      "Run my2pg resync --table " +
                      r.source->name + " again");
}

void Applier::flush_batch(Batch& batch, const std::string& where) {
  if (batch.touched.empty()) return;
  begin();
  for (size_t route : batch.touched) {
    Buffer& b = *batch.buffers[route];
    try {
      if (m_routes[route].key.empty()) {
        flush_keyless(route, b, where);
      } else {
        flush_keyed(route, b, where);
      }
      if (m_routes[route].resumed) check_resumed(route);
    } catch (const MismatchError& e) {
      throw TableError(e.what(), ExitCode::mismatch, route);
    } catch (const MappingError& e) {
      throw TableError(e.what(), ExitCode::data, route);
    } catch (const TargetError& e) {
      // Data exceptions and constraint violations (SQLSTATE classes 22 and 23) are the table's.
      if (e.sqlstate().rfind("22", 0) != 0 && e.sqlstate().rfind("23", 0) != 0) throw;
      throw TableError(e.what(), ExitCode::target, route);
    }
  }
  batch.clear();
}

void Applier::flush(const std::string& where) {
  wait();
  flush_batch(m_filling, where);
}

void Applier::wait() {
  if (m_worker.joinable()) m_worker.join();
  if (m_error) {
    std::exception_ptr e = std::move(m_error);
    m_error = nullptr;
    std::rethrow_exception(e);
  }
}

uint64_t Applier::commit(const std::string& control_sql,
                         std::vector<std::optional<std::string>> params, const std::string& where) {
  wait();
  std::swap(m_filling, m_applying);
  m_busy = true;
  const uint64_t number = ++m_commits_started;
  m_worker = std::thread([this, control_sql, params = std::move(params), where, number] {
    const auto started = std::chrono::steady_clock::now();
    try {
      flush_batch(m_applying, where);
      begin();
      // The control row must be there, and this replica's: one row, or nothing commits.
      if (m_target.query(control_sql, params).rows.size() != 1) {
        throw DetachedError(
            "the replica's row in my2pg.replica is gone or detached (another my2pg run "
            "replaced the copy, or cutover detached it); this run stops without applying more");
      }
      m_target.execute("COMMIT");
      m_open = false;
      m_commit_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      m_commits_done = number;
    } catch (...) {
      m_applying.clear();
      m_error = std::current_exception();
    }
    m_busy = false;
  });
  return number;
}

void Applier::run(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                  const std::string& where) {
  flush(where);
  begin();
  m_target.query(sql, params);
}

void Applier::truncate(size_t route, const std::string& where) {
  flush(where);
  begin();
  m_target.execute("TRUNCATE " + qualified(*m_routes[route].target));
}

std::vector<snapshot::NotMigrated> Applier::run_statements(
    const std::vector<snapshot::Statement>& statements, const std::string& where) {
  flush(where);
  begin();
  // All or nothing: a refused statement leaves the transaction as it was before the first.
  m_target.execute("SAVEPOINT my2pg_schema_change");
  std::vector<snapshot::NotMigrated> refused;
  for (const snapshot::Statement& s : statements) {
    try {
      snapshot::apply_statements(m_target, {s}, refused);
    } catch (const TargetError& e) {
      m_target.execute("ROLLBACK TO SAVEPOINT my2pg_schema_change");
      // What to do about a refusal; anything else (a lock, a timeout, a full disk) is the
      // target's state, not the statement's.
      const std::string advice =
          e.refused() ? "\nChange the target so that it can run and start again; or, with "
                        "replicate stopped, make the change on the target yourself (the columns "
                        "the statement adds, with their types), go on with --on-ddl skip (the "
                        "statement is recorded as skipped), then copy the tables it changes "
                        "again with my2pg resync --table"
                      : "";
      throw TargetError("the schema change at binlog " + where + " could not be made on " +
                            "PostgreSQL: " + e.what() + "\nThe statement was: " + s.sql + advice,
                        e.sqlstate());
    }
  }
  m_target.execute("RELEASE SAVEPOINT my2pg_schema_change");
  return refused;
}

void Applier::routes_changed(const std::vector<size_t>& changed) {
  for (size_t route : changed) {
    if (route >= m_staging.size()) continue;
    if (m_staging[route] || m_staging_rows[route]) {
      begin();
      m_target.execute("DROP TABLE IF EXISTS pg_temp." + staging_name(route) + ", pg_temp." +
                       staging_name(route) + "_rows");
    }
    m_staging[route] = false;
    m_staging_rows[route] = false;
  }
  m_staging.resize(m_routes.size(), false);
  m_staging_rows.resize(m_routes.size(), false);
  for (Batch* b : {&m_filling, &m_applying}) {
    while (b->buffers.size() < m_routes.size()) b->buffers.push_back(std::make_unique<Buffer>());
  }
}

void Applier::rollback() {
  try {
    wait();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): rolled back below
  }
  m_filling.clear();
  m_applying.clear();
  if (m_open) {
    m_open = false;
    // Staging tables created in the transaction are gone with it.
    m_staging.assign(m_staging.size(), false);
    m_staging_rows.assign(m_staging_rows.size(), false);
    try {
      m_target.execute("ROLLBACK");
    } catch (const TargetError& e) {
      if (!e.connection_lost()) throw;  // a lost session's transaction is rolled back anyway
    }
  }
}

}  // namespace my2pg::replica
