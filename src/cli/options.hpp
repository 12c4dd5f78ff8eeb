#pragma once
// The command frame: `my2pg <command> [options]`. Each option is resolved from, in order, the
// command line, its environment variable (if it has one) and the --config YAML file.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace my2pg::cli {

struct OptionSpec {
  std::string_view name;     // without the leading "--"
  std::string_view metavar;  // empty for a flag (true when present)
  std::string_view help;
  std::string_view env = {};  // environment variable that supplies it, if any
};

struct CommandSpec {
  std::string_view name;
  std::string_view summary;
  std::span<const OptionSpec> options;  // besides the global ones
};

class Options {
 public:
  std::optional<std::string> get(std::string_view name) const;
  std::string require(std::string_view name) const;  // ConfigError naming flag, env and config key
  bool flag(std::string_view name) const;

  std::map<std::string, std::string, std::less<>> values;  // resolved: name -> value
  std::vector<std::string> positionals;
  std::vector<OptionSpec> specs;  // every option the command accepts
};

struct Invocation {
  std::string command;  // empty with --help/--version alone
  Options options;
  bool help = false;
  bool version = false;
};

std::span<const OptionSpec> global_options();
std::span<const CommandSpec> commands();

// Parses argv and resolves every option; throws ConfigError with what is wrong and what to do.
Invocation parse_invocation(std::span<const char* const> args);

std::string usage_text();                           // `my2pg --help`
std::string command_help(const CommandSpec& spec);  // `my2pg <command> --help`

}  // namespace my2pg::cli
