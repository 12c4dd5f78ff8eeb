// my2pg entry point: parses the command line, runs one command, maps errors to exit codes.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <span>

#include "cli/binlog_command.hpp"
#include "cli/migrate_command.hpp"
#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/secrets.hpp"
#include "common/version.hpp"

namespace {

int run(std::span<const char* const> args) {
  using namespace my2pg;
  const cli::Invocation inv = cli::parse_invocation(args);
  if (inv.version) {
    std::printf("my2pg %s\n", version().c_str());
    return 0;
  }
  if (inv.command.empty() || inv.help) {
    for (const auto& c : cli::commands()) {
      if (inv.help && c.name == inv.command) {
        std::fputs(cli::command_help(c).c_str(), stdout);
        return 0;
      }
    }
    std::fputs(cli::usage_text().c_str(), inv.help ? stdout : stderr);
    return inv.help ? 0 : static_cast<int>(ExitCode::usage);
  }
  init_logging(inv.options.get("log-level").value_or("info"));
  if (inv.command == "migrate") return cli::run_migrate_command(inv.options);
  if (inv.command == "binlog") return cli::run_binlog_command(inv.options);
  if (inv.command == "schema") return cli::run_schema_command(inv.options);
  if (inv.command == "verify") return cli::run_verify_command(inv.options);
  if (inv.command == "replicate") return cli::run_replicate_command(inv.options);
  if (inv.command == "status") return cli::run_status_command(inv.options);
  if (inv.command == "wait") return cli::run_wait_command(inv.options);
  if (inv.command == "cutover") return cli::run_cutover_command(inv.options);
  if (inv.command == "resync") return cli::run_resync_command(inv.options);
  throw Error("command '" + inv.command + "' has no implementation");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace my2pg;
  try {
    return run(std::span<const char* const>(argv + 1, static_cast<size_t>(argc - 1)));
  } catch (const Error& e) {
    std::fprintf(stderr, "my2pg: error: %s\n", redact_secrets(e.what()).c_str());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "my2pg: internal error: %s\n", redact_secrets(e.what()).c_str());
    return static_cast<int>(ExitCode::internal);
  }
}
