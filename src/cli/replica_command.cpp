// `my2pg status`, `my2pg wait` and `my2pg cutover`: watching a replica and switching to it.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "cli/migrate_command.hpp"
#include "cli/option_values.hpp"
#include "common/error.hpp"
#include "replica/cutover.hpp"
#include "replica/resync.hpp"
#include "replica/status.hpp"
#include "snapshot/source_model.hpp"

namespace my2pg::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int /*signal*/) {
  g_interrupted.store(true);
}

// The database the options name: the source URI's, when given.
std::string database_of(const Options& options) {
  if (auto source = options.get("source")) return snapshot::source_endpoint(*source).database;
  return {};
}

}  // namespace

int run_status_command(const Options& options) {
  const std::string target = options.require("target");
  const std::string source = options.get("source").value_or("");
  const std::string db = database_of(options);
  const bool json = options.flag("json");
  const bool watch = options.flag("watch");
  double interval = 2;
  if (auto i = options.get("interval")) interval = parse_seconds(*i, "--interval", 0.2, 3600);
  if (watch) {
    struct sigaction act {};
    act.sa_handler = on_interrupt;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, nullptr);
    sigaction(SIGTERM, &act, nullptr);
  }
  for (;;) {
    const auto replicas = replica::read_status(target, db, source);
    const std::string text = json ? replica::status_json(replicas) : replica::status_text(replicas);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (!watch) return replicas.empty() && !db.empty() ? static_cast<int>(ExitCode::usage) : 0;
    const auto wake = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval);
    while (std::chrono::steady_clock::now() < wake && !g_interrupted.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_interrupted.load()) return 0;
    if (!json) std::fputs("\n", stdout);
  }
}

int run_wait_command(const Options& options) {
  replica::WaitOptions w;
  w.target_uri = options.require("target");
  w.source_uri = options.get("source").value_or("");
  w.database = database_of(options);
  if (auto m = options.get("max-lag")) w.max_lag_seconds = parse_seconds(*m, "--max-lag", 0, 86400);
  if (auto t = options.get("timeout"))
    w.timeout_seconds = parse_seconds(*t, "--timeout", 0, 604800);
  const double lag = replica::wait_for_lag(w);
  std::printf("apply lag %.1f s (at most %.1f s)\n", lag, w.max_lag_seconds);
  return 0;
}

int run_cutover_command(const Options& options) {
  replica::CutoverOptions c;
  c.source_uri = options.require("source");
  c.target_uri = options.require("target");
  c.model = model_options(options);
  c.dry_run = options.flag("dry-run");
  c.set_source_read_only = options.flag("set-source-read-only");
  c.verify = !options.flag("no-verify");
  if (auto t = options.get("timeout"))
    c.timeout_seconds = parse_seconds(*t, "--timeout", 1, 604800);
  if (auto rows = options.get("chunk-rows")) c.chunk_rows = parse_chunk_rows(*rows);
  const replica::CutoverReport report = replica::run_cutover(c);
  std::fputs(replica::cutover_text(report).c_str(), stdout);
  if (auto path = options.get("report")) write_report_file(replica::cutover_json(report), *path);
  return report.equal || report.dry_run ? 0 : static_cast<int>(ExitCode::mismatch);
}

int run_resync_command(const Options& options) {
  replica::ResyncOptions r;
  r.source_uri = options.require("source");
  r.target_uri = options.require("target");
  r.model = model_options(options);
  r.tables = split_list(options.get("table"));
  const replica::ResyncReport report = replica::run_resync(r);
  std::printf("resynced %zu table(s) of %s as of %s%s\n", report.tables.size(),
              report.source_database.c_str(), report.position.display().c_str(),
              report.replica_running
                  ? (", with the running replica held there for " +
                     std::to_string(static_cast<int>(report.held_seconds * 1000)) + " ms")
                        .c_str()
                  : " (no replicate runs: the next one skips what the copy holds)");
  for (const auto& t : report.tables) {
    std::printf("  %-40s -> %-40s %llu rows, %.1f s\n", t.source.c_str(), t.target.c_str(),
                static_cast<unsigned long long>(t.rows), t.seconds);
  }
  return 0;
}

}  // namespace my2pg::cli
