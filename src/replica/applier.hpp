#pragma once
// The set-based applier: binlog row changes of whole source transactions become, per target
// table, the net effect of the batch, applied in one PostgreSQL transaction with the control row.
//
// Tables with a primary key: per key, whether the row existed before the batch (the key's first
// change is an UPDATE or DELETE of it) and its row after the batch (or none). Applied as one
// DELETE of the keys that existed (through a staged key list) and one COPY of the rows that
// exist after. The target held the source's state at the batch's start, so this gives the
// source's state at its end; the rows present at any moment are a subset of a state the source
// had, so unique constraints cannot fail on the way. A DELETE that finds fewer rows than the
// binlog changed, or a COPY that meets an existing key, means the target no longer equals the
// source: an error, never a silent repair.
//
// Tables without a primary key: rows are multisets, so the net effect is a count per whole row;
// rows removed are matched by their whole value (one target row per removed row) and must all be
// found, rows added are COPYed.
//
// The batch runs with session_replication_role = replica: the source's triggers and cascades
// already produced the changes the binlog holds, so the target's must not fire again.
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "binlog/events.hpp"
#include "common/error.hpp"
#include "pg/connection.hpp"
#include "replica/row_encoder.hpp"
#include "schema/table.hpp"
#include "snapshot/target_ddl.hpp"
#include "typemap/target_table.hpp"

namespace my2pg::replica {

// The replica's control row is gone or detached (cutover): the batch did not commit, and the
// run ends without applying more. An expected end, not a failure.
class DetachedError : public TargetError {
 public:
  using TargetError::TargetError;
};

// How a value error on one table ends in its message; a table paused by it is copied again
// instead (the pause replaces these words).
inline constexpr const char* kResumeAdvice =
    "then start replicate again (it resumes before this transaction)";

// An error of one replicated table (a value it cannot store, a target table that no longer
// equals the source), with the table's route, so that --on-table-error pause can set the table
// aside. Keeps the exit code of the error it stands for.
class TableError : public Error {
 public:
  TableError(const std::string& what, ExitCode code, size_t route)
      : Error(what, code), m_route(route) {}
  size_t route() const { return m_route; }

 private:
  size_t m_route;
};

// A foreign key of a replicated table onto another's primary key whose ON DELETE or ON UPDATE
// action changes the referencing rows. InnoDB runs those actions without logging them, so the
// applier runs them itself, right after the change that set them off.
struct Cascade {
  size_t child = 0;                  // the referencing route
  std::vector<size_t> columns;       // its referencing columns, in the order of the parent's key
  std::string on_delete, on_update;  // CASCADE, SET NULL, RESTRICT, NO ACTION
  std::string name;
};

// One replicated table: the source table and its target, as migrate mapped them.
struct Route {
  const schema::Table* source = nullptr;
  const typemap::TargetTable* target = nullptr;
  std::vector<DisplayFormat> display;  // per column
  std::vector<size_t> key;             // primary-key column indexes; empty: the table has none
  // No unique key besides the primary key: a row that is there before and after a batch can
  // be updated in place (an UPDATE of many rows could otherwise meet a unique value another row
  // gives up later in the same statement, which PostgreSQL checks row by row).
  bool update_in_place = false;
  std::vector<Cascade> cascades;  // foreign keys onto this table whose actions change rows
  // The copy of this table holds every change before this position; later ones are applied.
  std::string copied_file;
  uint64_t copied_pos = 0;
  std::string name;  // "db.table", for messages
  // Set aside (--on-table-error pause): its changes are not applied until it is copied again.
  bool paused = false;
  // Taken back by a resync whose copy had not committed yet when it let the replica go on: each
  // batch that changes the table checks that the copy did commit (its pause row is gone), so
  // that a resync that died does not leave the table followed on top of its old rows.
  bool resumed = false;
  // The source dropped the table (or renamed it out of the replica): no changes come for it.
  bool dropped = false;
  // my2pg.paused_table as read before this time (wall_seconds()) does not speak for this
  // route: this run paused, made or renamed it since. Infinite while the batch that made or
  // renamed it has not committed (the list still has the rows of the table before it).
  double settled_at = 0;
};

// Routes for the tables of a migrated database: key columns and display formats filled.
// `sources` and `targets` are parallel and must outlive the routes.
std::vector<Route> make_routes(const std::vector<schema::Table>& sources,
                               const std::vector<typemap::TargetTable>& targets);

class Applier {
 public:
  // `routes` must outlive the applier and keep their addresses.
  Applier(pg::Connection& target, const std::vector<Route>& routes);
  ~Applier();
  Applier(const Applier&) = delete;
  Applier& operator=(const Applier&) = delete;

  // Adds the changes of one rows event of `route` (index into the routes). `columns` are the
  // event's column definitions (with what the catalog adds); `where` names the event's position
  // for messages. Throws MappingError naming table, column, key and position for a value that
  // cannot be stored, Error for an image without every column.
  void add(size_t route, const binlog::RowsEvent& rows,
           const std::vector<binlog::ColumnInfo>& columns, const std::string& where);

  // Applies what is buffered inside the open PostgreSQL transaction (opened when needed) and
  // empties the buffers: for a source transaction too large to hold. Throws MismatchError
  // when the target does not hold the rows the changes apply to.
  void flush(const std::string& where);
  // Hands what is buffered to the applying thread, which flushes it, runs `control_sql` with
  // `params` (the control-row update) and commits, while new changes are buffered. Waits for
  // the previous commit first. Its errors surface from the next wait().
  // `control_sql` must return one row (RETURNING), or the commit fails. Returns the commit's
  // number: it has committed once commits_done() reaches it.
  uint64_t commit(const std::string& control_sql, std::vector<std::optional<std::string>> params,
                  const std::string& where);
  uint64_t commits_done() const { return m_commits_done.load(); }
  // How long the last committed batch took on the applier's thread: applying it, the control
  // row and COMMIT.
  double last_commit_seconds() const { return m_commit_seconds.load(); }
  // Waits for the commit in flight; rethrows its error.
  void wait();
  // A commit is in flight.
  bool busy() const { return m_busy.load(); }
  // After a rows event of a route with cascades: applies what is buffered (the event too), then
  // what the source's foreign-key actions did to the referencing rows for the rows the event
  // deleted or whose key it changed (CASCADE, SET NULL; through every level).
  void cascade(size_t route, const binlog::RowsEvent& rows,
               const std::vector<binlog::ColumnInfo>& columns, const std::string& where);
  // Runs `sql` inside the open transaction (opened when needed), after what is buffered.
  void run(const std::string& sql, const std::vector<std::optional<std::string>>& params,
           const std::string& where);
  // TRUNCATE of a route's table, in order: what is buffered is applied first.
  void truncate(size_t route, const std::string& where);
  // A replicated schema change: what is buffered is applied first, then `statements` run in the
  // open transaction (a may_fail one that PostgreSQL refuses is rolled back to a savepoint and
  // returned). Throws TargetError naming the statement and `where` when one fails.
  std::vector<snapshot::NotMigrated> run_statements(
      const std::vector<snapshot::Statement>& statements, const std::string& where);
  // The routes changed (after run_statements, nothing buffered): `changed` were altered and
  // their staging tables are made again; routes added at the end get buffers.
  void routes_changed(const std::vector<size_t>& changed);
  // Waits for the commit in flight (ignoring its error), drops the buffers and rolls back the
  // open transaction, if any.
  void rollback();

  size_t buffered_bytes() const { return m_filling.bytes; }
  uint64_t buffered_changes() const { return m_filling.changes; }
  // Changes of the buffered transactions are already in an open PostgreSQL transaction.
  bool in_transaction() const { return m_open.load(); }

 private:
  void add_rows(size_t route, const binlog::RowsEvent& rows,
                const std::vector<binlog::ColumnInfo>& columns, const std::string& where);
  struct Buffer;
  // The changes of one batch, per route.
  struct Batch {
    std::vector<std::unique_ptr<Buffer>> buffers;  // parallel to the routes
    std::vector<size_t> touched;                   // routes with changes
    size_t bytes = 0;
    uint64_t changes = 0;
    void clear();
  };
  void begin();
  void removed(size_t route, const std::vector<std::string>& keys, const std::string& where,
               int depth);
  void stage_keys(size_t route, const std::vector<std::string>& keys);
  void flush_batch(Batch& batch, const std::string& where);
  void check_resumed(size_t route);
  void flush_keyed(size_t route, Buffer& buffer, const std::string& where);
  void flush_keyless(size_t route, Buffer& buffer, const std::string& where);
  void encode(size_t route, const binlog::RowImage& image,
              const std::vector<binlog::ColumnInfo>& columns, const std::string& where,
              std::string& line, std::string* key);

  pg::Connection& m_target;  // used by one thread at a time: the applying one while busy
  const std::vector<Route>& m_routes;
  Batch m_filling, m_applying;
  std::vector<bool> m_staging;       // route's staging table of keys exists
  std::vector<bool> m_staging_rows;  // route's staging table of whole rows exists
  std::atomic<bool> m_open{false};
  std::atomic<bool> m_busy{false};
  uint64_t m_commits_started = 0;
  std::atomic<uint64_t> m_commits_done{0};
  std::atomic<double> m_commit_seconds{0};
  std::thread m_worker;
  std::exception_ptr m_error;
  std::vector<size_t> m_offsets;  // field starts of the row being encoded
};

}  // namespace my2pg::replica
