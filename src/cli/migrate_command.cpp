#include "cli/migrate_command.hpp"

#include "cli/option_values.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "common/position.hpp"
#include "monitor/http_server.hpp"
#include "monitor/metrics.hpp"
#include "pg/connection.hpp"
#include "replica/hold.hpp"
#include "replica/replicate.hpp"
#include "replica/status.hpp"
#include "snapshot/migrate.hpp"
#include "snapshot/progress.hpp"
#include "snapshot/source_model.hpp"
#include "snapshot/verify_job.hpp"

namespace my2pg::cli {
namespace {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

void print_report(const snapshot::MigrateReport& r, const std::string& target) {
  fmt::print("\nmigrated {} -> {} (schema \"{}\")\n", r.source_database, target, r.target_schema);
  fmt::print("snapshot consistent with binlog position {}\n\n", r.position.display());
  fmt::print("{:<32} {:>12} {:>12} {:>9} {:>9}  {}\n", "table", "rows", "bytes", "seconds",
             "set aside", "verified");
  uint64_t rows = 0, bytes = 0;
  for (const auto& t : r.tables) {
    rows += t.rows;
    bytes += t.bytes;
    const std::string verified = !t.target_rows                          ? "skipped"
                                 : *t.target_rows + t.rejected == t.rows ? "ok"
                                                                         : "MISMATCH";
    fmt::print("{:<32} {:>12} {:>12} {:>9.2f} {:>9}  {}\n", t.target_table, t.rows,
               human_bytes(t.bytes), t.seconds, t.rejected, verified);
  }
  fmt::print("\n{} tables, {} rows, {} in {:.2f} s; {}\n", r.tables.size(), rows,
             human_bytes(bytes), r.seconds,
             r.verified ? (r.rejected() != 0
                               ? "row counts and row digests verified (with the rows set aside)"
                               : "row counts and row digests verified equal")
                        : "not verified");
  if (!r.replication_problems.empty()) {
    fmt::print("the source's settings keep replication from continuing this copy:\n");
    for (const auto& p : r.replication_problems) fmt::print("  {}\n", p);
  }
  if (r.chunks_resumed != 0) {
    fmt::print(
        "resumed: {} chunk(s) committed by an earlier, interrupted run were kept (checked "
        "against this snapshot when the source had moved)\n",
        r.chunks_resumed);
  }
  if (r.resumed_tables != 0) {
    fmt::print(
        "resumed: {} table(s) were copied by an earlier, interrupted run from the snapshot "
        "at {} and were not verified again\n",
        r.resumed_tables, r.resumed_from);
  }
  if (!r.not_migrated.empty()) {
    fmt::print("\nnot migrated ({}):\n", r.not_migrated.size());
    for (const auto& n : r.not_migrated) fmt::print("  {}\n", n);
  }
  std::fflush(stdout);
}

// `{"source_table":..,"target_table":..` opening one table's object in a JSON list.
void append_table_names(const std::string& source, const std::string& target, bool first,
                        std::string& out) {
  out += first ? "{\"source_table\":" : ",{\"source_table\":";
  append_json_string(source, out);
  out += ",\"target_table\":";
  append_json_string(target, out);
}

// The summary as one JSON object (--report FILE), for scripts.
void write_json_report(const snapshot::MigrateReport& r, const std::string& path) {
  std::string out = "{\"source_database\":";
  append_json_string(r.source_database, out);
  out += ",\"target_schema\":";
  append_json_string(r.target_schema, out);
  out += ",\"binlog_file\":";
  if (r.position.known()) {
    append_json_string(r.position.file, out);
    out += ",\"binlog_pos\":" + std::to_string(r.position.pos) + ",\"gtid_set\":";
    append_json_string(r.position.gtid_set, out);
  } else {
    out += "null,\"binlog_pos\":null,\"gtid_set\":null";
  }
  out += fmt::format(
      ",\"seconds\":{:.3f},\"verified\":{},\"chunks\":{},\"chunks_resumed\":{},\"tables\":[",
      r.seconds, r.verified ? "true" : "false", r.chunks, r.chunks_resumed);
  for (size_t i = 0; i < r.tables.size(); ++i) {
    const auto& t = r.tables[i];
    append_table_names(t.source_table, t.target_table, i == 0, out);
    out += fmt::format(
        ",\"rows\":{},\"bytes\":{},\"seconds\":{:.3f},\"target_rows\":{},\"rejected\":{}}}", t.rows,
        t.bytes, t.seconds, t.target_rows ? std::to_string(*t.target_rows) : std::string("null"),
        t.rejected);
  }
  out += "],\"not_migrated\":[";
  for (size_t i = 0; i < r.not_migrated.size(); ++i) {
    if (i != 0) out += ",";
    append_json_string(r.not_migrated[i], out);
  }
  out += "],\"replication_problems\":[";
  for (size_t i = 0; i < r.replication_problems.size(); ++i) {
    if (i != 0) out += ",";
    append_json_string(r.replication_problems[i], out);
  }
  out += "]}\n";
  write_report_file(out, path);
}

// The comparison as one JSON object (verify --report FILE).
void write_json_verdicts(const snapshot::VerifyReport& r, const std::string& path) {
  std::string out = "{\"source_database\":";
  append_json_string(r.source_database, out);
  out += ",\"target_schema\":";
  append_json_string(r.target_schema, out);
  out += fmt::format(",\"equal\":{},\"seconds\":{:.3f},\"source_position\":",
                     r.equal() ? "true" : "false", r.seconds);
  append_json_string(
      r.position.known() ? r.position.file + ":" + std::to_string(r.position.pos) : std::string(),
      out);
  out += fmt::format(",\"aligned_with_replica\":{},\"tables\":[", r.aligned);
  for (size_t i = 0; i < r.tables.size(); ++i) {
    const auto& t = r.tables[i];
    append_table_names(t.source_table, t.target_table, i == 0, out);
    out += fmt::format(
        ",\"equal\":{},\"target_exists\":{},\"source_rows\":{},\"target_rows\":{},"
        "\"unstorable_rows\":{},\"ranges_compared\":{},\"differing_ranges\":[",
        t.equal() ? "true" : "false", t.target_exists ? "true" : "false", t.source_rows,
        t.target_rows, t.unstorable, t.chunks);
    for (size_t j = 0; j < t.ranges.size(); ++j) {
      if (j != 0) out += ",";
      append_json_string(t.ranges[j], out);
    }
    out += "],\"rows\":[";
    for (size_t j = 0; j < t.rows.size(); ++j) {
      out += j == 0 ? "{\"kind\":" : ",{\"kind\":";
      append_json_string(t.rows[j].kind, out);
      out += ",\"key\":";
      append_json_string(t.rows[j].key, out);
      out += "}";
    }
    out += fmt::format("],\"rows_not_listed\":{}}}", t.rows_not_listed);
  }
  out += "]}\n";
  write_report_file(out, path);
}

void print_verdicts(const snapshot::VerifyReport& r, const std::string& target) {
  fmt::print("\nverified {} against {} (schema \"{}\")\n", r.source_database, target,
             r.target_schema);
  fmt::print("source snapshot at binlog position {}\n\n", r.position.display());
  fmt::print("{:<32} {:>12} {:>12}  {}\n", "table", "source rows", "target rows", "result");
  size_t different = 0;
  for (const auto& t : r.tables) {
    if (!t.equal()) ++different;
    if (!t.target_exists) {
      fmt::print("{:<32} {:>12} {:>12}  DIFFERENT: no such table on the target\n", t.target_table,
                 "", "");
      continue;
    }
    fmt::print("{:<32} {:>12} {:>12}  {}\n", t.target_table, t.source_rows, t.target_rows,
               t.equal() ? "equal" : "DIFFERENT");
    if (t.unstorable != 0) {
      fmt::print("  {} source row(s) hold values the target column types cannot store\n",
                 t.unstorable);
    }
    for (const auto& range : t.ranges) fmt::print("  rows differ in {}\n", range);
    for (const auto& d : t.rows) {
      const char* what = d.kind == "missing" ? "missing on the target:"
                         : d.kind == "extra" ? "extra on the target:"
                                             : "different:";
      fmt::print("    {:<22} {}\n", what, d.key);
    }
    if (t.rows_not_listed != 0) fmt::print("    ... and {} more\n", t.rows_not_listed);
  }
  fmt::print("\n{} tables, {} equal, {} different, in {:.2f} s\n", r.tables.size(),
             r.tables.size() - different, different, r.seconds);
  std::fflush(stdout);
}

// Shows copy progress while the workers run: bars redrawn in place on a terminal, a plain log
// line every `every` seconds otherwise. Stops by itself once every table is copied.
class ProgressDisplay {
 public:
  ProgressDisplay(snapshot::CopyProgress& progress, double every)
      : m_progress(progress), m_terminal(stderr_is_terminal()), m_every(every) {
    if (m_terminal) {
      // Log lines would tear the bars apart: only warnings and errors while they are shown.
      m_level = spdlog::default_logger()->level();
      spdlog::default_logger()->set_level(std::max(m_level, spdlog::level::warn));
    }
    m_thread = std::thread([this] { loop(); });
  }
  ~ProgressDisplay() {
    {
      const std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
    if (m_terminal) spdlog::default_logger()->set_level(m_level);
  }
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

 private:
  static bool stderr_is_terminal() {
    const char* term = std::getenv("TERM");
    return isatty(fileno(stderr)) != 0 && (term == nullptr || std::string(term) != "dumb");
  }
  static size_t terminal_width() {
    winsize ws{};
    if (ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
    return 80;
  }
  bool all_done() const {
    if (!m_progress.started()) return false;
    for (size_t i = 0; i < m_progress.tables(); ++i)
      if (m_progress.state(i) != snapshot::CopyProgress::State::done) return false;
    return true;
  }
  void draw(double elapsed) {
    const std::string text =
        snapshot::render_progress(m_progress, elapsed, m_terminal, terminal_width());
    if (!m_terminal) {
      spdlog::info("{}", text);
      return;
    }
    std::string out = "\r";
    if (m_lines > 1) out += fmt::format("\x1b[{}A", m_lines - 1);
    out += "\x1b[J" + text;
    m_lines = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
  }
  void loop() {
    const auto started = std::chrono::steady_clock::now();
    const auto interval = m_terminal ? std::chrono::milliseconds(250)
                                     : std::chrono::milliseconds(static_cast<long>(m_every * 1000));
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_stop) {
      m_wake.wait_for(lock, interval, [this] { return m_stop; });
      if (!m_progress.started()) continue;
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const bool done = all_done();
      if (m_stop && !done) break;  // the copy failed: its error says the rest
      draw(elapsed);
      if (done) break;
    }
    if (m_terminal && m_lines > 0) std::fputs("\n", stderr);
    if (m_terminal) spdlog::default_logger()->set_level(m_level);
  }

  snapshot::CopyProgress& m_progress;
  bool m_terminal;
  double m_every;
  spdlog::level::level_enum m_level = spdlog::level::info;
  size_t m_lines = 0;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_thread;
};

snapshot::MigrateOptions migrate_options(const Options& options) {
  snapshot::MigrateOptions m;
  m.source_uri = options.require("source");
  m.target_uri = options.require("target");
  m.model = model_options(options);
  m.replace = options.flag("replace");
  m.schema_only = options.flag("schema-only");
  if (auto on_error = options.get("on-error")) {
    if (*on_error != "stop" && *on_error != "skip-row")
      throw ConfigError("--on-error must be stop or skip-row, not '" + *on_error + "'");
    m.skip_bad_rows = *on_error == "skip-row";
  }
  if (auto jobs = options.get("jobs")) {
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(jobs->data(), jobs->data() + jobs->size(), n);
    if (ec != std::errc() || end != jobs->data() + jobs->size() || n == 0 || n > 64)
      throw ConfigError("--jobs must be a number from 1 to 64, not '" + *jobs + "'");
    m.jobs = n;
  }
  m.verify = !options.flag("no-verify");
  m.data_only = options.flag("data-only");
  if (auto rows = options.get("chunk-rows")) m.chunk_rows = parse_chunk_rows(*rows);
  if (auto limit = options.get("memory-limit"))
    m.memory_limit = parse_size(*limit, "--memory-limit");
  return m;
}

// The copy's progress as gauges, read at each scrape; once the copy is over they keep its final
// numbers.
class SnapshotMetrics {
 public:
  SnapshotMetrics(monitor::Registry& registry, const snapshot::CopyProgress& progress)
      : m_tables(registry.gauge("my2pg_snapshot_tables",
                                "Tables of the snapshot copy, by state (waiting, copying, done)",
                                {"state"})),
        m_rows(registry.gauge("my2pg_snapshot_rows_copied", "Rows copied by the snapshot so far")),
        m_estimated(registry.gauge("my2pg_snapshot_rows_estimated",
                                   "Rows the source's statistics estimate for the copied tables")),
        m_progress(progress) {
    set([this](auto get) { return [this, get] { return get(m_progress); }; });
  }
  ~SnapshotMetrics() {
    set([this](auto get) { return [v = get(m_progress)] { return v; }; });
  }
  SnapshotMetrics(const SnapshotMetrics&) = delete;
  SnapshotMetrics& operator=(const SnapshotMetrics&) = delete;

 private:
  using P = snapshot::CopyProgress;
  static double tables_in(const P& p, P::State s) {
    double n = 0;
    for (size_t i = 0; i < p.tables(); ++i) n += p.state(i) == s ? 1 : 0;
    return n;
  }
  // `make(get)` turns a reading of the progress into the callback to register.
  template <typename Make>
  void set(Make make) {
    m_tables.with_callback({"waiting"},
                           make([](const P& p) { return tables_in(p, P::State::waiting); }));
    m_tables.with_callback({"copying"},
                           make([](const P& p) { return tables_in(p, P::State::copying); }));
    m_tables.with_callback({"done"}, make([](const P& p) { return tables_in(p, P::State::done); }));
    m_rows.with_callback({}, make([](const P& p) {
                           double n = 0;
                           for (size_t i = 0; i < p.tables(); ++i)
                             n += static_cast<double>(p.rows(i));
                           return n;
                         }));
    m_estimated.with_callback({}, make([](const P& p) {
                                double n = 0;
                                for (size_t i = 0; i < p.tables(); ++i)
                                  n += static_cast<double>(p.estimated(i));
                                return n;
                              }));
  }

  monitor::GaugeFamily m_tables, m_rows, m_estimated;
  const snapshot::CopyProgress& m_progress;
};

// Runs the copy with its progress display, prints the summary (and the JSON report when asked),
// and returns the exit code. With `metrics`, the progress is also exposed there.
int migrate_and_report(const Options& options, snapshot::MigrateOptions m,
                       monitor::Registry* metrics = nullptr) {
  double every = 10;
  if (auto s = options.get("progress-every")) {
    char* end = nullptr;
    every = std::strtod(s->c_str(), &end);
    if (end == s->c_str() || *end != '\0' || !(every >= 0.1 && every <= 86400))
      throw ConfigError("--progress-every must be a number of seconds from 0.1 to 86400, not '" +
                        *s + "'");
  }
  snapshot::CopyProgress progress;
  m.progress = &progress;
  snapshot::MigrateReport report;
  {
    std::optional<SnapshotMetrics> gauges;
    if (metrics != nullptr) gauges.emplace(*metrics, progress);
    const ProgressDisplay display(progress, every);
    report = snapshot::run_migrate(m);
  }
  print_report(report, pg::describe_conninfo(m.target_uri));
  if (auto path = options.get("report")) write_json_report(report, *path);
  if (const uint64_t rejected = report.rejected(); rejected != 0) {
    // Not a plain success: say so on stderr and in the exit code.
    std::fprintf(stderr,
                 "my2pg: %llu row(s) could not be stored and were set aside in my2pg.rejects "
                 "(table, key, column, value and reason); the copy is incomplete by that much\n",
                 static_cast<unsigned long long>(rejected));
    return static_cast<int>(ExitCode::rejected);
  }
  return 0;
}

// "caught-up", "FILE:POS".
void parse_until(const std::string& text, replica::ReplicateOptions& r) {
  if (text == "caught-up") {
    r.until = replica::Until::caught_up;
    return;
  }
  if (text.find(':') == std::string::npos) {
    throw ConfigError("--until takes caught-up or FILE:POS (e.g. mariadb-bin.000002:1234), not '" +
                      text + "'");
  }
  r.until = replica::Until::position;
  r.until_position = parse_file_position(text, "--until");
}

// --metrics-listen: a registry and the HTTP server that renders it, for the command's lifetime.
struct MetricsEndpoint {
  explicit MetricsEndpoint(const Options& options) {
    const auto listen = options.get("metrics-listen");
    if (!listen) return;
    registry = std::make_unique<monitor::Registry>();
    server = std::make_unique<monitor::MetricsServer>(*listen,
                                                      [&reg = *registry] { return reg.render(); });
    spdlog::info("metrics served on http://{}:{}/metrics", listen->substr(0, listen->rfind(':')),
                 server->port());
  }
  std::unique_ptr<monitor::Registry> registry;  // declared first: it outlives the server
  std::unique_ptr<monitor::MetricsServer> server;
};

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int /*signal*/) {
  g_stop.store(true);
}

}  // namespace

int run_migrate_command(const Options& options) {
  const MetricsEndpoint metrics(options);
  return migrate_and_report(options, migrate_options(options), metrics.registry.get());
}

int run_replicate_command(const Options& options) {
  const snapshot::MigrateOptions m = migrate_options(options);
  if (m.schema_only) throw ConfigError("replicate copies data; --schema-only is for migrate");
  replica::ReplicateOptions r;
  r.source_uri = m.source_uri;
  r.target_uri = m.target_uri;
  r.model = m.model;
  if (auto from = options.get("from")) r.from = parse_file_position(*from, "--from");
  if (auto gtid = options.get("from-gtid")) r.from_gtid = *gtid;
  if (r.from && !r.from_gtid.empty()) throw ConfigError("give --from or --from-gtid, not both");
  if (auto until = options.get("until")) parse_until(*until, r);
  if (auto n = options.get("batch-rows"))
    r.batch_rows = parse_count(*n, "--batch-rows", 1, 10000000);
  if (auto b = options.get("batch-bytes")) r.batch_bytes = parse_size(*b, "--batch-bytes");
  if (auto ms = options.get("batch-ms"))
    r.batch_seconds = static_cast<double>(parse_count(*ms, "--batch-ms", 1, 600000)) / 1000.0;
  if (auto n = options.get("conflict-retries"))
    r.conflict_retries = static_cast<int>(parse_count(*n, "--conflict-retries", 0, 1000));
  if (auto t = options.get("source-timeout"))
    r.source_timeout = static_cast<double>(parse_count(*t, "--source-timeout", 2, 3600));
  if (auto hb = options.get("heartbeat-table")) r.heartbeat_table = *hb;
  if (auto policy = options.get("on-table-error")) {
    if (*policy != "stop" && *policy != "pause")
      throw ConfigError("--on-table-error must be stop or pause, not '" + *policy + "'");
    r.pause_failing_tables = *policy == "pause";
  }
  if (auto ddl = options.get("on-ddl")) {
    if (*ddl != "stop" && *ddl != "skip")
      throw ConfigError("--on-ddl must be stop or skip, not '" + *ddl + "'");
    r.skip_unsupported_ddl = *ddl == "skip";
  }
  const MetricsEndpoint metrics(options);
  r.metrics = metrics.registry.get();
  struct sigaction follow {
  }, plain{};
  follow.sa_handler = on_stop_signal;
  sigemptyset(&follow.sa_mask);
  plain.sa_handler = SIG_DFL;
  sigemptyset(&plain.sa_mask);
  r.migrate_first = [&] {
    // The copy stops at once on SIGTERM/SIGINT, as migrate does (it resumes on the next run).
    sigaction(SIGTERM, &plain, nullptr);
    sigaction(SIGINT, &plain, nullptr);
    const int code = migrate_and_report(options, m, r.metrics);
    if (code == static_cast<int>(ExitCode::rejected))
      spdlog::warn("rows set aside by the copy stay out of the replica (my2pg.rejects)");
    sigaction(SIGTERM, &follow, nullptr);
    sigaction(SIGINT, &follow, nullptr);
  };
  sigaction(SIGTERM, &follow, nullptr);
  sigaction(SIGINT, &follow, nullptr);
  r.stop = &g_stop;
  const replica::ReplicateReport report = replica::run_replicate(r);
  std::string reconnects;
  if (report.reconnects != 0)
    reconnects += ", " + std::to_string(report.reconnects) + " reconnect(s)";
  if (report.target_reconnects != 0)
    reconnects += ", target lost " + std::to_string(report.target_reconnects) + " time(s)";
  std::printf("replicated %llu transaction(s), %llu row change(s) in %.1f s; position %s%s%s\n",
              static_cast<unsigned long long>(report.transactions),
              static_cast<unsigned long long>(report.row_changes), report.seconds,
              report.position.display().c_str(), report.caught_up ? " (caught up)" : "",
              reconnects.c_str());
  if (report.detached) std::printf("the replica was detached by cutover; it will not resume\n");
  return 0;
}

int run_verify_command(const Options& options) {
  snapshot::VerifyOptions v;
  v.source_uri = options.require("source");
  v.target_uri = options.require("target");
  v.model = model_options(options);
  if (auto rows = options.get("chunk-rows")) v.chunk_rows = parse_chunk_rows(*rows);
  // While replicate runs, both sides are compared as of one position: the replica is held there.
  const std::string db = snapshot::source_endpoint(v.source_uri).database;
  replica::ReplicaHold hold(v.target_uri, db);
  if (hold.active()) v.align = &hold;
  const snapshot::VerifyReport report = snapshot::run_verify(v);
  print_verdicts(report, pg::describe_conninfo(v.target_uri));
  if (report.aligned) {
    fmt::print(
        "\nboth sides compared as of that position: the running replica was held "
        "there for {:.0f} ms\n",
        hold.held_seconds() * 1000);
  } else if (!report.equal()) {
    for (const auto& s : replica::read_status(v.target_uri, db, "")) {
      if (!s.applied.known() || compare_positions(s.applied.file, s.applied.pos,
                                                  report.position.file, report.position.pos) >= 0)
        continue;
      fmt::print(
          "\nnote: the replica stands at {}:{}, before the source snapshot's position, and "
          "no replicate runs: differences may be changes not applied yet (start my2pg "
          "replicate and verify again while it runs)\n",
          s.applied.file, s.applied.pos);
    }
  }
  if (auto path = options.get("report")) write_json_verdicts(report, *path);
  return report.equal() ? 0 : static_cast<int>(ExitCode::mismatch);
}

int run_schema_command(const Options& options) {
  snapshot::SchemaOptions s;
  s.source_uri = options.require("source");
  s.dry_run = options.flag("dry-run");
  s.target_uri = s.dry_run ? options.get("target").value_or("") : options.require("target");
  s.model = model_options(options);
  s.replace = options.flag("replace");
  const auto result = snapshot::run_schema(s);
  if (s.dry_run) {
    std::fputs(result.sql.c_str(), stdout);
    std::string commented = "\n";
    size_t start = 0;
    while (start < result.report.size()) {
      const size_t end = result.report.find('\n', start);
      commented.append("-- ").append(result.report.substr(start, end - start)).append("\n");
      start = end == std::string::npos ? result.report.size() : end + 1;
    }
    std::fputs(commented.c_str(), stdout);
  } else {
    fmt::print("schema created on {}\n\n{}", pg::describe_conninfo(s.target_uri), result.report);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace my2pg::cli
