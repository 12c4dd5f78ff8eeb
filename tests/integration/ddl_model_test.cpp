// The schema tracker against the real thing: each statement runs on MariaDB and is applied to a
// TrackedSchema, and after every statement the model must equal what schema::build_catalog
// builds from MariaDB's information_schema, field by field.
//
// Not compared, on purpose:
// - the text of expressions (generated columns, CHECK clauses, DEFAULT (expr)): the server
//   stores its own normalised spelling (`a` + 1 for a+1), which a parser cannot reproduce; the
//   kind of default and the check's name and enforcement are compared;
// - auto_increment_next, data_length and estimated_rows: statistics of the rows, not schema.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "mysql/catalog.hpp"
#include "schema/catalog.hpp"
#include "schema/ddl_tracker.hpp"
#include "support/servers.hpp"

using my2pg::schema::Table;
using my2pg::schema::TrackedSchema;
using my2pg::test::TestDatabases;

namespace {

template <typename T>
std::string show(const std::optional<T>& v) {
  if (!v) return "NULL";
  std::ostringstream out;
  out << *v;
  return out.str();
}

// Differences between the model and the catalog, one line each, naming table, column, field.
void diff_field(std::vector<std::string>& out, const std::string& where, const std::string& field,
                const std::string& model, const std::string& catalog) {
  if (model != catalog)
    out.push_back(where + " " + field + ": model '" + model + "', catalog '" + catalog + "'");
}

std::string default_kind(const my2pg::schema::ColumnDefault& d) {
  switch (d.kind) {
    case my2pg::schema::DefaultKind::none:
      return "none";
    case my2pg::schema::DefaultKind::null:
      return "null";
    case my2pg::schema::DefaultKind::literal:
      return "literal";
    case my2pg::schema::DefaultKind::current_timestamp:
      return "current_timestamp";
    case my2pg::schema::DefaultKind::expression:
      return "expression";
  }
  return "?";
}

void diff_tables(std::vector<std::string>& out, const Table& m, const Table& c) {
  const std::string t = "table " + c.name;
  diff_field(out, t, "engine", m.engine, c.engine);
  diff_field(out, t, "comment", m.comment, c.comment);
  diff_field(out, t, "column count", std::to_string(m.columns.size()),
             std::to_string(c.columns.size()));
  for (size_t i = 0; i < std::min(m.columns.size(), c.columns.size()); ++i) {
    const auto& a = m.columns[i];
    const auto& b = c.columns[i];
    const std::string w = t + " column " + b.name;
    diff_field(out, w, "name", a.name, b.name);
    diff_field(out, w, "data_type", a.data_type, b.data_type);
    diff_field(out, w, "column_type", a.column_type, b.column_type);
    diff_field(out, w, "nullable", std::to_string(a.nullable), std::to_string(b.nullable));
    diff_field(out, w, "is_unsigned", std::to_string(a.is_unsigned), std::to_string(b.is_unsigned));
    diff_field(out, w, "auto_increment", std::to_string(a.auto_increment),
               std::to_string(b.auto_increment));
    diff_field(out, w, "is_json", std::to_string(a.is_json), std::to_string(b.is_json));
    diff_field(out, w, "char_length", show(a.char_length), show(b.char_length));
    diff_field(out, w, "precision", show(a.precision), show(b.precision));
    diff_field(out, w, "scale", show(a.scale), show(b.scale));
    diff_field(out, w, "fsp", show(a.fsp), show(b.fsp));
    diff_field(out, w, "charset", a.charset, b.charset);
    diff_field(out, w, "collation", a.collation, b.collation);
    diff_field(out, w, "default kind", default_kind(a.default_value),
               default_kind(b.default_value));
    if (b.default_value.kind != my2pg::schema::DefaultKind::expression)
      diff_field(out, w, "default value", a.default_value.value, b.default_value.value);
    diff_field(out, w, "on_update_current_timestamp", std::to_string(a.on_update_current_timestamp),
               std::to_string(b.on_update_current_timestamp));
    diff_field(out, w, "generated", std::to_string(static_cast<int>(a.generated)),
               std::to_string(static_cast<int>(b.generated)));
    diff_field(out, w, "comment", a.comment, b.comment);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  diff_field(out, t, "primary key", join(m.primary_key), join(c.primary_key));
  auto indexes = [](const Table& x) {
    std::vector<std::string> v;
    for (const auto& i : x.indexes) {
      std::string s = i.name + (i.unique ? " UNIQUE " : " ") + i.kind + " (";
      for (const auto& p : i.parts) {
        s += p.column + (p.prefix ? "(" + std::to_string(*p.prefix) + ")" : "") +
             (p.descending ? " DESC" : "") + (p.expression.empty() ? "" : " expr") + " ";
      }
      v.push_back(s + ")");
    }
    return v;
  };
  const auto mi = indexes(m), ci = indexes(c);
  for (size_t i = 0; i < std::max(mi.size(), ci.size()); ++i)
    diff_field(out, t, "index #" + std::to_string(i + 1), i < mi.size() ? mi[i] : "(none)",
               i < ci.size() ? ci[i] : "(none)");
  auto fks = [&](const Table& x) {
    std::vector<std::string> v;
    for (const auto& f : x.foreign_keys) {
      v.push_back(f.name + " " + join(f.columns) + " -> " + f.ref_database + "." + f.ref_table +
                  " " + join(f.ref_columns) + " ON DELETE " + f.on_delete + " ON UPDATE " +
                  f.on_update);
    }
    return v;
  };
  const auto mf = fks(m), cf = fks(c);
  for (size_t i = 0; i < std::max(mf.size(), cf.size()); ++i)
    diff_field(out, t, "foreign key #" + std::to_string(i + 1), i < mf.size() ? mf[i] : "(none)",
               i < cf.size() ? cf[i] : "(none)");
  auto checks = [](const Table& x) {
    std::vector<std::string> v;
    for (const auto& k : x.checks) v.push_back(k.name + (k.enforced ? "" : " NOT ENFORCED"));
    return v;
  };
  const auto mk = checks(m), ck = checks(c);
  for (size_t i = 0; i < std::max(mk.size(), ck.size()); ++i)
    diff_field(out, t, "check #" + std::to_string(i + 1), i < mk.size() ? mk[i] : "(none)",
               i < ck.size() ? ck[i] : "(none)");
}

std::vector<std::string> diff_schema(const TrackedSchema& model,
                                     const my2pg::schema::Catalog& catalog) {
  std::vector<std::string> out;
  std::string model_names, catalog_names;
  for (const auto& [name, t] : model.tables) model_names += name + " ";
  for (const auto& t : catalog.tables) catalog_names += t.name + " ";
  diff_field(out, "schema", "tables", model_names, catalog_names);
  for (const auto& t : catalog.tables) {
    const auto it = model.tables.find(t.name);
    if (it != model.tables.end()) diff_tables(out, it->second, t);
  }
  return out;
}

struct Tracker {
  TestDatabases& db;
  TrackedSchema model;

  explicit Tracker(TestDatabases& d) : db(d) {
    const auto r = db.source().query(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
        "information_schema.SCHEMATA WHERE SCHEMA_NAME = '" +
        db.name() + "'");
    model.database = db.name();
    model.mariadb = true;
    model.default_charset = *r.rows.at(0).at(0);
    model.default_collation = *r.rows.at(0).at(1);
  }

  // Runs `sql` on MariaDB, applies it to the model, and compares the two.
  void run(const std::string& sql) {
    db.source().execute(sql);
    my2pg::schema::apply_ddl(model, sql, db.name(), [](const std::string&) { return true; });
    const auto catalog =
        my2pg::schema::build_catalog(db.name(), my2pg::mysql::read_catalog(db.source(), db.name()));
    const auto diffs = diff_schema(model, catalog);
    std::string all;
    for (const auto& d : diffs) all += "\n  " + d;
    INFO("after: " << sql << all);
    CHECK(diffs.empty());
  }
};

}  // namespace

TEST_CASE("ddl model: CREATE TABLE with every type of the type matrix equals the catalog",
          "[ddl_model]") {
  TestDatabases db;
  Tracker t(db);
  t.run(
      "CREATE TABLE ints (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, flag TINYINT(1), "
      "si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, "
      "iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, zf INT(8) UNSIGNED ZEROFILL, b BOOL, "
      "ig INTEGER, i1 INT1, i2 INT2, i3 INT3, i4 INT4, i8 INT8, mid MIDDLEINT, s SERIAL, "
      "tz TINYINT ZEROFILL, sg INT SIGNED)");
  t.run(
      "CREATE TABLE decs (id INT PRIMARY KEY, d65 DECIMAL(65,30), d10 DECIMAL(10,0), "
      "dz DECIMAL(6,2) UNSIGNED ZEROFILL, d DECIMAL, dc DEC(5), n NUMERIC(7,3), fx FIXED(4,1), "
      "f FLOAT, g DOUBLE, f10 FLOAT(10), f30 FLOAT(30), f73 FLOAT(7,3), r REAL, "
      "dp DOUBLE PRECISION, d102 DOUBLE(10,2), fu FLOAT UNSIGNED)");
  t.run(
      "CREATE TABLE dates (id INT PRIMARY KEY, d DATE, dt DATETIME, dt3 DATETIME(3), "
      "dt6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL, "
      "tsn TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, "
      "t TIME, t1 TIME(1), t6 TIME(6), y YEAR, y4 YEAR(4))");
  t.run("CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT, b8 BIT(8), b64 BIT(64))");
  t.run(
      "CREATE TABLE choices (id INT PRIMARY KEY, e ENUM('a b', 'it''s', 'say \"hi\"', "
      "'back\\\\slash', '\xC3\xA9', 'trail  '), s SET('a b', 'it''s', 'z'))");
  t.run("CREATE TABLE docs (id INT PRIMARY KEY, j JSON, j2 JSON NOT NULL)");
  t.run(
      "CREATE TABLE bytes (id INT PRIMARY KEY, b BINARY(8), b1 BINARY, vb VARBINARY(16), "
      "tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, b300 BLOB(300), b70k BLOB(70000), "
      "lvb LONG VARBINARY, cb CHAR(4) BYTE, cs VARCHAR(5) CHARACTER SET binary)");
  t.run(
      "CREATE TABLE texts (id INT PRIMARY KEY, v VARCHAR(32), c CHAR(8), c1 CHAR, tx TEXT, "
      "tt TINYTEXT, mt MEDIUMTEXT, lt LONGTEXT, t60 TEXT(60), t100 TEXT(100), "
      "l1 VARCHAR(16) CHARACTER SET latin1, asc7 VARCHAR(16) CHARACTER SET ascii, "
      "u3 VARCHAR(16) CHARACTER SET utf8mb3, u8 VARCHAR(16) CHARSET utf8, "
      "u16 VARCHAR(16) CHARACTER SET utf16, gb VARCHAR(16) CHARACTER SET gbk, c0 CHAR(0), "
      "nc NATIONAL CHAR(3), nv NVARCHAR(4), nvc NATIONAL VARCHAR(5), ncv NCHAR VARCHAR(6), "
      "cv CHARACTER VARYING(7), lv LONG VARCHAR, lg LONG, bn CHAR(5) BINARY, "
      "co VARCHAR(10) COLLATE utf8mb4_bin, lcol TEXT COLLATE latin1_german1_ci, "
      "aa VARCHAR(5) ASCII, un VARCHAR(5) UNICODE, lt1 TINYTEXT CHARACTER SET latin1)");
  t.run(
      "CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY NOT NULL, p POINT, l LINESTRING, "
      "pg POLYGON, mp MULTIPOINT, ml MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION, "
      "SPATIAL INDEX (g))");
  t.run("CREATE TABLE ids (id INT PRIMARY KEY, u UUID, i4 INET4, i6 INET6)");
  t.run(
      "CREATE TABLE defaults (id INT AUTO_INCREMENT PRIMARY KEY, a INT DEFAULT 5, "
      "b VARCHAR(10) DEFAULT 'it''s', c VARCHAR(10) DEFAULT NULL, d INT NOT NULL, "
      "g DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, "
      "h DATETIME(3) DEFAULT NOW(3), i INT DEFAULT (1 + 2), j DOUBLE DEFAULT -1.5e3, "
      "k BIT(3) DEFAULT b'101', ks BIT(8) DEFAULT 'a', kn BIT(8) DEFAULT '5', "
      "kw BIT(16) DEFAULT 'ab', l DECIMAL(5,2) DEFAULT 3.1, m DATE DEFAULT '2020-01-01', "
      "n VARCHAR(10) DEFAULT '', p INT DEFAULT '7', q CHAR(3) DEFAULT 0x414243, "
      "r VARCHAR(5) DEFAULT UPPER('x'), s BLOB DEFAULT 'x', u TIMESTAMP(2) NULL DEFAULT "
      "CURRENT_TIMESTAMP(2), v BOOL DEFAULT TRUE, w INT AS (a + 1) VIRTUAL, "
      "x INT GENERATED ALWAYS AS (a * 2) STORED, y INT AS (a) PERSISTENT COMMENT 'yc', "
      "z FLOAT DEFAULT 1.1, ye YEAR DEFAULT 2000, tm TIME DEFAULT '10:00:00', "
      "dt DATETIME(3) DEFAULT '2020-01-01', inv INT INVISIBLE DEFAULT 1, "
      "intro VARCHAR(10) DEFAULT _utf8mb4'x' COLLATE utf8mb4_bin, neg INT DEFAULT -3, "
      "hex INT DEFAULT 0x10, e ENUM('a','b') NOT NULL DEFAULT 'b', big DOUBLE DEFAULT 1e20) "
      "COMMENT 'all the defaults' ENGINE=MyISAM");
}

TEST_CASE("ddl model: keys and implicit names and checks and foreign keys equal the catalog",
          "[ddl_model]") {
  TestDatabases db;
  Tracker t(db);
  t.run(
      "CREATE TABLE p (id INT PRIMARY KEY, a INT UNIQUE, b VARCHAR(10), "
      "c VARCHAR(10) CHARACTER SET latin1, d VARCHAR(5) COLLATE latin1_bin, e JSON, "
      "f TEXT CHARSET utf8mb4, g INT CHECK (g > 0), h INT, KEY (b), KEY (b, h), "
      "INDEX (b(3) DESC), UNIQUE (h), UNIQUE KEY uk (a, b), CHECK (h < 5), "
      "CONSTRAINT named CHECK (h <> 3), CHECK (h > -1), FULLTEXT (b), l GEOMETRY NOT NULL, "
      "SPATIAL (l), KEY pre (b(10))) DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci");
  t.run(
      "CREATE TABLE c1 (id INT, pid INT, FOREIGN KEY (pid) REFERENCES p(id), "
      "CONSTRAINT myfk FOREIGN KEY (id) REFERENCES p (id) ON DELETE CASCADE ON UPDATE SET NULL, "
      "qq INT, CONSTRAINT FOREIGN KEY (qq) REFERENCES p(id) ON DELETE NO ACTION, zz INT, "
      "FOREIGN KEY zfk (zz) REFERENCES p(id), k INT, KEY (k), FOREIGN KEY (k) REFERENCES p(id))");
  t.run(
      "CREATE TABLE `we``ird` (`a b` INT NOT NULL, `Mixed` VARCHAR(3), PRIMARY KEY (`a b`, "
      "`Mixed`)) /*!40100 DEFAULT CHARSET=latin1 */");
  t.run("CREATE TABLE IF NOT EXISTS p (x INT)");
  t.run("CREATE TABLE c2 LIKE c1");
  t.run("CREATE TABLE h (id INT PRIMARY KEY, v VARCHAR(5)) ENGINE=MEMORY");
  t.run("CREATE INDEX hv ON h (v)");
  t.run("CREATE INDEX hb USING BTREE ON h (v, id)");
}

TEST_CASE("ddl model: ALTER TABLE and index statements and renames and drops equal the catalog",
          "[ddl_model]") {
  TestDatabases db;
  Tracker t(db);
  t.run(
      "CREATE TABLE t (id INT NOT NULL, a INT, b VARCHAR(20), c TEXT, d DATETIME, "
      "KEY k2 (a, b), KEY (b)) CHARSET latin1");
  t.run("ALTER TABLE t ADD PRIMARY KEY (id)");
  t.run("ALTER TABLE t ADD COLUMN e INT NOT NULL DEFAULT 1 AFTER a");
  t.run("ALTER TABLE t ADD f VARCHAR(5) FIRST, ADD g JSON");
  t.run("ALTER TABLE t ADD COLUMN (h INT UNIQUE, i DECIMAL(4,1) DEFAULT 2.25)");
  t.run("ALTER TABLE t ADD COLUMN IF NOT EXISTS h INT");
  t.run("ALTER TABLE t MODIFY b VARCHAR(40) NOT NULL DEFAULT 'x' COMMENT 'bee'");
  t.run("ALTER TABLE t MODIFY COLUMN d DATETIME(3) AFTER id");
  t.run("ALTER TABLE t CHANGE a a2 BIGINT UNSIGNED");
  t.run("ALTER TABLE t CHANGE COLUMN e e INT NOT NULL DEFAULT 2 FIRST");
  t.run("ALTER TABLE t RENAME COLUMN a2 TO a3");
  t.run("ALTER TABLE t ALTER COLUMN b SET DEFAULT 'y', ALTER e DROP DEFAULT");
  t.run("ALTER TABLE t ALTER COLUMN i DROP DEFAULT");
  t.run("ALTER TABLE t ADD INDEX (a3), ADD UNIQUE KEY u1 (b, a3), ADD FULLTEXT KEY ft (c)");
  t.run("ALTER TABLE t ADD CONSTRAINT ck CHECK (e > 0), ADD CHECK (a3 < 100)");
  t.run("ALTER TABLE t ADD CHECK (id > 0)");
  t.run("ALTER TABLE t DROP CONSTRAINT ck");
  t.run("ALTER TABLE t DROP INDEX u1, DROP KEY IF EXISTS nope");
  // MariaDB refuses to drop a column of a multi-column UNIQUE key (error 1072).
  t.run("ALTER TABLE t DROP COLUMN a3");
  t.run("ALTER TABLE t RENAME INDEX k2 TO k3");
  t.run("ALTER TABLE t RENAME KEY b TO b_idx");
  t.run("CREATE UNIQUE INDEX ui ON t (h, e)");
  t.run("DROP INDEX ui ON t");
  t.run("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, e)");
  t.run("ALTER TABLE t COMMENT 'now commented', ENGINE=InnoDB, ROW_FORMAT=DYNAMIC");
  t.run("ALTER TABLE t DEFAULT CHARACTER SET utf8mb4");
  t.run("ALTER TABLE t ADD z VARCHAR(3)");
  t.run("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
  t.run("ALTER TABLE t FORCE, ALGORITHM=COPY, LOCK=SHARED");
  t.run("CREATE TABLE parent (id INT PRIMARY KEY, code INT, KEY (code))");
  t.run("ALTER TABLE t ADD CONSTRAINT t_parent FOREIGN KEY (h) REFERENCES parent (id)");
  t.run("ALTER TABLE t ADD FOREIGN KEY (e) REFERENCES parent (code) ON DELETE CASCADE");
  t.run("ALTER TABLE t ADD INDEX e_cover (e, h)");
  t.run("ALTER TABLE t DROP FOREIGN KEY t_parent");
  t.run("ALTER TABLE parent CHANGE code code2 INT");
  t.run("ALTER TABLE t RENAME TO t2");
  t.run("RENAME TABLE t2 TO t3, parent TO parent2");
  t.run("CREATE TABLE other (x INT)");
  t.run("RENAME TABLE t3 TO tmp, other TO t3, tmp TO other");
  t.run("ALTER TABLE other RENAME AS t4, ADD COLUMN w INT");
  t.run("DROP TABLE IF EXISTS t3, missing");
  t.run("CREATE TABLE uni (a INT, b INT, UNIQUE (a), KEY (a, b), KEY (b), KEY (a))");
  t.run("ALTER TABLE uni ADD KEY (a), DROP COLUMN b");
  t.run("DROP TABLE t4, parent2, uni");
}
