// cli/options: parse_invocation(), option resolution order and Options::require().
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "common/error.hpp"

using my2pg::ConfigError;
using my2pg::cli::Invocation;
using my2pg::cli::parse_invocation;

namespace {

// Clears the variables parse_invocation() reads for the duration of a test, then restores them.
class CleanEnv {
 public:
  CleanEnv() {
    for (const char* name : kNames) {
      const char* v = std::getenv(name);
      m_saved.emplace_back(v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(name);
    }
  }
  ~CleanEnv() {
    for (size_t i = 0; i < m_saved.size(); ++i) {
      if (m_saved[i]) {
        setenv(kNames[i], m_saved[i]->c_str(), 1);
      } else {
        unsetenv(kNames[i]);
      }
    }
  }
  CleanEnv(const CleanEnv&) = delete;
  CleanEnv& operator=(const CleanEnv&) = delete;

 private:
  static constexpr const char* kNames[] = {"MY2PG_SOURCE", "MY2PG_TARGET", "MY2PG_CONFIG",
                                           "MY2PG_LOG_LEVEL"};
  std::vector<std::optional<std::string>> m_saved;
};

// A YAML file in the temporary directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    m_path = (std::filesystem::temp_directory_path() /
              ("my2pg_options_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter) +
               ".yaml"))
                 .string();
    std::ofstream(m_path) << text;
  }
  ~TempFile() { std::filesystem::remove(m_path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

Invocation parse(std::vector<const char*> args) {
  return parse_invocation(args);
}

std::string parse_error(std::vector<const char*> args) {
  try {
    parse_invocation(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("parse_invocation did not throw ConfigError");
  return {};
}

}  // namespace

TEST_CASE("parse_invocation reads the command and option values", "[options]") {
  CleanEnv env;
  const Invocation inv =
      parse({"migrate", "--source", "mysql://u@h/db", "--target=host=pg dbname=d",
             "--target-schema", "s1", "--replace", "--log-level=debug"});
  CHECK(inv.command == "migrate");
  CHECK_FALSE(inv.help);
  CHECK_FALSE(inv.version);
  CHECK(inv.options.get("source") == "mysql://u@h/db");
  CHECK(inv.options.get("target") == "host=pg dbname=d");
  CHECK(inv.options.get("target-schema") == "s1");
  CHECK(inv.options.get("log-level") == "debug");
  CHECK(inv.options.flag("replace"));
  CHECK_FALSE(inv.options.flag("no-verify"));
  CHECK_FALSE(inv.options.get("config"));
  CHECK(inv.options.require("source") == "mysql://u@h/db");
  CHECK(inv.options.positionals.empty());

  const Invocation later =
      parse({"--source=a", "migrate", "--source", "b", "extra", "--no-verify"});
  CHECK(later.options.get("source") == "b");  // the last occurrence wins
  CHECK(later.options.flag("no-verify"));
  CHECK(later.options.positionals == std::vector<std::string>{"extra"});
  CHECK(parse({"migrate", "--target="}).options.get("target") == "");
}

TEST_CASE("parse_invocation recognises help and version", "[options]") {
  CleanEnv env;
  const Invocation help = parse({"--help"});
  CHECK(help.help);
  CHECK(help.command.empty());
  CHECK(parse({"-h"}).help);
  const Invocation cmd_help = parse({"migrate", "-h"});
  CHECK(cmd_help.help);
  CHECK(cmd_help.command == "migrate");
  const Invocation version = parse({"--version"});
  CHECK(version.version);
  CHECK_FALSE(version.help);
  CHECK(version.command.empty());
  const Invocation none = parse({});
  CHECK(none.command.empty());
  CHECK_FALSE(none.help);
  CHECK(none.options.values.empty());
}

TEST_CASE("parse_invocation refuses bad command lines", "[options]") {
  CleanEnv env;
  CHECK(parse_error({"frobnicate"}) == "unknown command 'frobnicate'; see my2pg --help");
  CHECK(parse_error({"--bogus"}) == "unknown option --bogus; see my2pg --help");
  CHECK(parse_error({"migrate", "--bogus=1"}) ==
        "unknown option --bogus for 'migrate'; see my2pg migrate --help");
  // Command options are known only after the command.
  CHECK(parse_error({"--replace", "migrate"}) == "unknown option --replace; see my2pg --help");
  CHECK(parse_error({"migrate", "--source"}) == "option --source needs a value: --source URI");
  CHECK(parse_error({"migrate", "--target-schema"}) ==
        "option --target-schema needs a value: --target-schema NAME");
  CHECK(parse_error({"migrate", "--replace=yes"}) == "option --replace takes no value");
  CHECK(parse_error({"migrate", "--no-verify="}) == "option --no-verify takes no value");
}

TEST_CASE("options resolve from command line, then environment, then config file", "[options]") {
  CleanEnv env;
  TempFile config(
      "source: mysql://cfg@h/db\ntarget: cfg-target\nlog_level: warn\nreplace: true\n"
      "no-verify: false\n");
  setenv("MY2PG_TARGET", "env-target", 1);

  const Invocation cli =
      parse({"migrate", "--config", config.path().c_str(), "--target", "cli-target"});
  CHECK(cli.options.get("target") == "cli-target");
  CHECK(cli.options.get("source") == "mysql://cfg@h/db");
  CHECK(cli.options.get("log-level") == "warn");  // log_level is spelled log-level
  CHECK(cli.options.flag("replace"));
  CHECK_FALSE(cli.options.flag("no-verify"));

  const Invocation from_env = parse({"migrate", "--config", config.path().c_str()});
  CHECK(from_env.options.get("target") == "env-target");

  setenv("MY2PG_TARGET", "", 1);  // empty counts as unset
  CHECK(parse({"migrate", "--config", config.path().c_str()}).options.get("target") ==
        "cfg-target");

  setenv("MY2PG_CONFIG", config.path().c_str(), 1);
  setenv("MY2PG_SOURCE", "mysql://env@h/db", 1);
  const Invocation env_config = parse({"migrate"});
  CHECK(env_config.options.get("config") == config.path());
  CHECK(env_config.options.get("source") == "mysql://env@h/db");
  CHECK(env_config.options.get("target") == "cfg-target");
}

TEST_CASE("config file errors name the file and line", "[options]") {
  CleanEnv env;
  SECTION("unknown key") {
    TempFile f("source: a\nbogus_key: 1\n");
    CHECK(parse_error({"migrate", "--config", f.path().c_str()}) ==
          f.path() + ":2: unknown option 'bogus-key' for this command (see --help)");
  }
  SECTION("config inside the config file") {
    TempFile f("config: other.yaml\n");
    CHECK(parse_error({"migrate", "--config", f.path().c_str()}) ==
          f.path() + ":1: unknown option 'config' for this command (see --help)");
  }
  SECTION("command option without the command") {
    TempFile f("replace: true\n");
    CHECK_THAT(parse_error({"--config", f.path().c_str()}),
               Catch::StartsWith(f.path() + ":1: unknown option 'replace'"));
  }
  SECTION("non-scalar value") {
    TempFile f("source: a\ntarget:\n  - x\n  - y\n");
    CHECK(parse_error({"migrate", "--config", f.path().c_str()}) ==
          f.path() + ":3: option 'target' needs a single value");
  }
  SECTION("a flag given maybe") {
    TempFile f("\nreplace: maybe\n");
    CHECK(parse_error({"migrate", "--config", f.path().c_str()}) ==
          f.path() + ":2: option 'replace' is a flag; give it true or false");
  }
  SECTION("not a map") {
    TempFile f("- source\n");
    CHECK(parse_error({"migrate", "--config", f.path().c_str()}) ==
          f.path() + ": expected a map of option names to values");
  }
  SECTION("invalid YAML") {
    TempFile f("source: a\ntarget: [b\n");
    CHECK_THAT(parse_error({"migrate", "--config", f.path().c_str()}),
               Catch::StartsWith(f.path() + ":") && Catch::Contains("not valid YAML"));
  }
  SECTION("missing file") {
    const std::string missing = "/nonexistent/my2pg/config.yaml";
    CHECK(parse_error({"migrate", "--config", missing.c_str()}) ==
          "cannot read config file '" + missing + "'; check the path given to --config");
  }
  SECTION("empty file") {
    TempFile f("");
    CHECK(parse({"migrate", "--config", f.path().c_str()}).options.values.size() == 1);
  }
}

TEST_CASE("Options::require names the flag, the environment variable and the config key",
          "[options]") {
  CleanEnv env;
  const Invocation inv = parse({"migrate"});
  REQUIRE_THROWS_AS(inv.options.require("source"), ConfigError);
  REQUIRE_THROWS_WITH(inv.options.require("source"),
                      "missing source: give --source URI, the MY2PG_SOURCE environment variable, "
                      "or 'source:' in the --config file");
  REQUIRE_THROWS_WITH(inv.options.require("target"), Catch::Contains("--target URI") &&
                                                         Catch::Contains("MY2PG_TARGET") &&
                                                         Catch::Contains("'target:'"));
  REQUIRE_THROWS_WITH(inv.options.require("target-schema"),
                      "missing target-schema: give --target-schema NAME or 'target-schema:' in "
                      "the --config file");
}

// yaml-cpp's TypedBadConversion escape apply_config_file() (exit code 1 instead of 2).
TEST_CASE("a config file with a non-scalar key is a ConfigError", "[options]") {
  CleanEnv env;
  TempFile f("? [a, b]\n: 1\n");
  CHECK_THAT(parse_error({"migrate", "--config", f.path().c_str()}),
             Catch::StartsWith(f.path() + ":1"));
}

TEST_CASE("an option's value may not be the next option", "[options]") {
  CleanEnv env;
  CHECK_THAT(parse_error({"migrate", "--source", "--target", "x"}),
             Catch::Contains("option --source needs a value"));
}
