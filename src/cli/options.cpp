#include "cli/options.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "common/error.hpp"

namespace my2pg::cli {
namespace {

constexpr OptionSpec kGlobal[] = {
    {"source", "URI", "source server: mysql://user:password@host:port/database", "MY2PG_SOURCE"},
    {"target", "URI", "target: postgresql://user:password@host:port/db or libpq key=value conninfo",
     "MY2PG_TARGET"},
    {"config", "FILE", "YAML file whose keys are option names (source: ..., target: ...)",
     "MY2PG_CONFIG"},
    {"log-level", "LEVEL", "trace, debug, info (default), warn, error or off", "MY2PG_LOG_LEVEL"},
};

constexpr OptionSpec kMigrate[] = {
    {"target-schema", "NAME",
     "PostgreSQL schema to create the tables in (default: the source "
     "database's name)"},
    {"replace", "", "drop the tables of an earlier copy of this database and copy again"},
    {"no-verify", "",
     "skip comparing row counts and per-chunk row digests between source and target"},
    {"schema-only", "", "create the schema (as my2pg schema does) and copy no data"},
    {"data-only", "",
     "copy rows into tables that already exist with the mapped column types (made by my2pg "
     "schema); no DDL; triggers and foreign-key checks off during the load where the role may"},
    {"chunk-rows", "N",
     "copy InnoDB tables with an integer primary key in chunks of about N rows, each committed "
     "on its own so that a rerun resumes from the last one (default 250000; 0: whole tables)"},
    {"memory-limit", "SIZE",
     "memory the copy may use, e.g. 512M or 2G (default 1G); each job's share bounds the "
     "largest row it accepts"},
    {"progress-every", "SECONDS",
     "when stderr is not a terminal, log the copy's progress this often (default 10)"},
    {"on-error", "POLICY",
     "a value that cannot be stored: stop (default) or skip-row (set the row aside in "
     "my2pg.rejects; exit code 8)"},
    {"jobs", "N",
     "copy N tables at once from one consistent view (default 1; more takes a global read "
     "lock for milliseconds, which needs the RELOAD privilege)"},
    {"report", "FILE", "also write the summary as JSON to FILE"},
    {"mapping", "FILE",
     "YAML type rules tried before schema-mapping/default.yaml (see schema-mapping/examples/)"},
    {"identifier-case", "POLICY",
     "keep (default: names as the source spells them) or lower (ASCII letters folded)"},
    {"include", "GLOBS",
     "only tables matching these database.table globs (comma-separated, e.g. 'shop.*')"},
    {"exclude", "GLOBS", "leave out tables matching these database.table globs"},
    {"metrics-listen", "HOST:PORT",
     "serve Prometheus metrics (snapshot progress; for replicate also lags, rows applied, "
     "batches) at http://HOST:PORT/metrics, e.g. 127.0.0.1:9187"},
};

constexpr OptionSpec kReplicateOwn[] = {
    {"from", "FILE:POS",
     "for a target loaded some other way: follow from this binlog position (MySQL or MariaDB)"},
    {"from-gtid", "GTID", "the same from a MariaDB GTID list (e.g. 0-1-100)"},
    {"until", "WHEN",
     "stop once caught-up (everything the server had logged at start is applied) or once FILE:POS "
     "is reached; without it, follow until SIGTERM or SIGINT"},
    {"batch-rows", "N",
     "close a batch (one PostgreSQL transaction of whole source transactions) at N row changes "
     "(default 50000)"},
    {"batch-bytes", "SIZE",
     "close a batch at this much held change data, e.g. 64M (default); a larger source "
     "transaction is applied as it comes and committed at its end"},
    {"batch-ms", "MS", "close a batch after this many milliseconds (default 500)"},
    {"source-timeout", "SECONDS",
     "reconnect when the source sends nothing, not even its heartbeat (every second when "
     "idle), for this long (default 30)"},
    {"conflict-retries", "N",
     "a deadlock, serialization failure, lock_timeout or statement_timeout on the target: try "
     "the transaction again up to N times in a row, waiting 0.5 s doubling to 30 s, then stop "
     "(default 10)"},
    {"on-table-error", "POLICY",
     "a table's value the target cannot store, or a target table that no longer equals the "
     "source: stop (default), or pause that table (my2pg.paused_table; resync brings it back) "
     "and go on with the others"},
    {"heartbeat-table", "DB.TABLE",
     "write this table on the source every second (created if missing, in a database of its "
     "own) and report the end-to-end lag from a write there to its position being applied"},
    {"on-ddl", "POLICY",
     "a schema change outside the replicated subset, or one PostgreSQL refuses: stop before it "
     "(default), or skip it and record it in my2pg.schema_history (after changing the target "
     "yourself)"},
};

// The options of `replicate`: migrate's (for the copy it makes first), then its own.
template <size_t A, size_t B>
constexpr std::array<OptionSpec, A + B> joined(const OptionSpec (&a)[A], const OptionSpec (&b)[B]) {
  std::array<OptionSpec, A + B> out{};
  for (size_t i = 0; i < A; ++i) out[i] = a[i];
  for (size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}
constexpr auto kReplicate = joined(kMigrate, kReplicateOwn);

constexpr OptionSpec kSchema[] = {
    {"target-schema", "NAME",
     "PostgreSQL schema to create the tables in (default: the source "
     "database's name)"},
    {"replace", "", "drop the tables of an earlier copy of this database first"},
    {"dry-run", "", "print the DDL and the mapping report as a SQL script; change nothing"},
    {"mapping", "FILE",
     "YAML type rules tried before schema-mapping/default.yaml (see schema-mapping/examples/)"},
    {"identifier-case", "POLICY",
     "keep (default: names as the source spells them) or lower (ASCII letters folded)"},
    {"include", "GLOBS",
     "only tables matching these database.table globs (comma-separated, e.g. 'shop.*')"},
    {"exclude", "GLOBS", "leave out tables matching these database.table globs"},
};

constexpr OptionSpec kVerify[] = {
    {"target-schema", "NAME",
     "the PostgreSQL schema the tables were copied into (default: the source database's name)"},
    {"mapping", "FILE", "the type rules the copy was made with (names and types follow them)"},
    {"identifier-case", "POLICY", "the identifier case the copy was made with: keep or lower"},
    {"include", "GLOBS", "only tables matching these database.table globs (comma-separated)"},
    {"exclude", "GLOBS", "leave out tables matching these database.table globs"},
    {"chunk-rows", "N",
     "compare digests over key ranges of about N rows (default 250000; 0: whole tables); "
     "differing ranges are then compared row by row"},
    {"report", "FILE", "also write the comparison as JSON to FILE"},
};

constexpr OptionSpec kStatus[] = {
    {"json", "", "print one JSON object (field names in README.md, \"status\")"},
    {"watch", "", "print again every --interval seconds until interrupted"},
    {"interval", "SECONDS", "with --watch: how often (default 2)"},
};

constexpr OptionSpec kWait[] = {
    {"max-lag", "SECONDS", "return once the apply lag is at most this (default 2)"},
    {"timeout", "SECONDS", "give up after this long, exit code 9 (default 600)"},
};

constexpr OptionSpec kCutover[] = {
    {"dry-run", "", "print the plan and the source's position; change nothing"},
    {"set-source-read-only", "",
     "first SET GLOBAL read_only = ON on the source, so that the applications' writes stop"},
    {"timeout", "SECONDS",
     "how long to wait for the replica to apply up to the final position (default 600)"},
    {"no-verify", "", "skip comparing the tables before detaching (not recommended)"},
    {"report", "FILE", "also write the report (plan, timeline, results) as JSON to FILE"},
    {"target-schema", "NAME", "the schema the copy was made in (default: the replica's)"},
    {"mapping", "FILE", "the type rules the copy was made with"},
    {"identifier-case", "POLICY", "the identifier case the copy was made with: keep or lower"},
    {"include", "GLOBS", "the tables the copy was made of (database.table globs)"},
    {"exclude", "GLOBS", "the tables the copy left out"},
    {"chunk-rows", "N", "verify's key ranges, about N rows each (default 250000)"},
};

constexpr OptionSpec kResync[] = {
    {"table", "NAMES",
     "the tables to copy again (comma-separated; NAME or DATABASE.NAME of the source database)"},
    {"target-schema", "NAME", "the schema the copy was made in (default: the replica's)"},
    {"mapping", "FILE", "the type rules the copy was made with"},
    {"identifier-case", "POLICY", "the identifier case the copy was made with: keep or lower"},
    {"include", "GLOBS", "the tables the copy was made of (database.table globs)"},
    {"exclude", "GLOBS", "the tables the copy left out"},
};

constexpr OptionSpec kBinlog[] = {
    {"format", "FORMAT", "text (like mysqlbinlog -v, the default) or json (one object per event)"},
    {"start", "FILE:POS",
     "start at this binlog file and position (files: the position in the first)"},
    {"start-gtid", "GTID", "with --source on MariaDB: start after this GTID list (e.g. 0-1-100)"},
    {"stop-never", "", "with --source: keep following the server instead of stopping at its end"},
    {"no-verify-checksum", "", "do not verify event checksums"},
};

constexpr CommandSpec kCommands[] = {
    {"binlog", "binlog dump FILE... | --source URI: decode and print binary log events", kBinlog},
    {"migrate", "copy a source database into PostgreSQL from one consistent snapshot, then verify",
     kMigrate},
    {"replicate",
     "copy first if needed, then follow the binlog and apply every committed change exactly once",
     kReplicate},
    {"schema",
     "convert the source database's tables to PostgreSQL DDL and create them (or --dry-run)",
     kSchema},
    {"verify",
     "compare the source's tables with their copies: counts, digests per key range, differing "
     "rows by key (exit 6 when they differ)",
     kVerify},
    {"status",
     "show each replica's state, lags (source, apply, position), positions, rates, tables and "
     "errors, whether or not replicate runs",
     kStatus},
    {"wait", "return once the replica's apply lag is at most --max-lag (exit 9 on --timeout)",
     kWait},
    {"resync", "copy chosen tables of a replica again from one snapshot while replication goes on",
     kResync},
    {"cutover",
     "switch to PostgreSQL: optionally stop source writes, drain to the final position, verify, "
     "detach, set sequences, report (--dry-run shows the plan)",
     kCutover},
};

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string normalise_key(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

// Values from the config file fill options that neither the command line nor the environment set.
void apply_config_file(const std::string& path, Options& options) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError("cannot read config file '" + path + "'; check the path given to --config");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg +
                      ")");
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw ConfigError(path + ": expected a map of option names to values");
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) {
      throw ConfigError(path + ":" + std::to_string(kv.first.Mark().line + 1) +
                        ": option names must be plain words (see --help)");
    }
    const std::string key = normalise_key(kv.first.as<std::string>());
    const OptionSpec* spec = find_spec(options.specs, key);
    if (spec == nullptr || key == "config") {
      throw ConfigError(path + ":" + std::to_string(kv.first.Mark().line + 1) +
                        ": unknown option '" + key + "' for this command (see --help)");
    }
    if (!kv.second.IsScalar()) {
      throw ConfigError(path + ":" + std::to_string(kv.second.Mark().line + 1) + ": option '" +
                        key + "' needs a single value");
    }
    std::string value = kv.second.as<std::string>();
    if (spec->metavar.empty()) {
      if (value != "true" && value != "false") {
        throw ConfigError(path + ":" + std::to_string(kv.second.Mark().line + 1) + ": option '" +
                          key + "' is a flag; give it true or false");
      }
      if (value == "false") continue;
    }
    options.values.try_emplace(key, std::move(value));
  }
}

}  // namespace

std::optional<std::string> Options::get(std::string_view name) const {
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string Options::require(std::string_view name) const {
  if (auto v = get(name)) return *v;
  const OptionSpec* spec = find_spec(specs, name);
  std::string how = "--" + std::string(name) + " " + std::string(spec ? spec->metavar : "VALUE");
  if (spec && !spec->env.empty())
    how += ", the " + std::string(spec->env) + " environment variable,";
  throw ConfigError("missing " + std::string(name) + ": give " + how + " or '" + std::string(name) +
                    ":' in the --config file");
}

bool Options::flag(std::string_view name) const {
  return values.contains(name);
}

std::span<const OptionSpec> global_options() {
  return kGlobal;
}
std::span<const CommandSpec> commands() {
  return kCommands;
}

Invocation parse_invocation(std::span<const char* const> args) {
  Invocation inv;
  const CommandSpec* command = nullptr;
  inv.options.specs.assign(std::begin(kGlobal), std::end(kGlobal));
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      inv.help = true;
    } else if (arg == "--version") {
      inv.version = true;
    } else if (arg.starts_with("--")) {
      std::string_view name = arg.substr(2);
      std::optional<std::string> value;
      if (const size_t eq = name.find('='); eq != std::string_view::npos) {
        value = std::string(name.substr(eq + 1));
        name = name.substr(0, eq);
      }
      const OptionSpec* spec = find_spec(inv.options.specs, name);
      if (spec == nullptr) {
        throw ConfigError("unknown option --" + std::string(name) +
                          (command ? " for '" + std::string(command->name) + "'" : "") +
                          "; see my2pg " + (command ? std::string(command->name) + " " : "") +
                          "--help");
      }
      if (spec->metavar.empty()) {
        if (value) throw ConfigError("option --" + std::string(name) + " takes no value");
        value = "true";
      } else if (!value) {
        if (i + 1 >= args.size() || std::string_view(args[i + 1]).starts_with("--")) {
          throw ConfigError("option --" + std::string(name) + " needs a value: --" +
                            std::string(name) + " " + std::string(spec->metavar));
        }
        value = args[++i];
      }
      inv.options.values[std::string(name)] = *value;
    } else if (command == nullptr) {
      command = find_command(arg);
      if (command == nullptr) {
        throw ConfigError("unknown command '" + std::string(arg) + "'; see my2pg --help");
      }
      inv.command = command->name;
      inv.options.specs.insert(inv.options.specs.end(), command->options.begin(),
                               command->options.end());
    } else {
      inv.options.positionals.emplace_back(arg);
    }
  }
  for (const auto& spec : inv.options.specs) {
    if (spec.env.empty() || inv.options.values.contains(spec.name)) continue;
    const std::string env(spec.env);
    if (const char* v = std::getenv(env.c_str()); v != nullptr && *v != '\0') {
      inv.options.values[std::string(spec.name)] = v;
    }
  }
  if (auto config = inv.options.get("config")) apply_config_file(*config, inv.options);
  return inv;
}

std::string usage_text() {
  std::string out =
      "my2pg: keep a PostgreSQL database equal to a MySQL or MariaDB source\n\n"
      "Usage: my2pg <command> [options]\n\nCommands:\n";
  for (const auto& c : kCommands) {
    out += "  " + std::string(c.name) + std::string(12 - c.name.size(), ' ') +
           std::string(c.summary) + "\n";
  }
  out += "\nGlobal options:\n";
  for (const auto& o : kGlobal) {
    const std::string flag = "--" + std::string(o.name) + " " + std::string(o.metavar);
    out += "  " + flag + std::string(flag.size() < 22 ? 22 - flag.size() : 1, ' ') +
           std::string(o.help) + (o.env.empty() ? "" : " [$" + std::string(o.env) + "]") + "\n";
  }
  out +=
      "  -h, --help            this text; `my2pg <command> --help` for a command\n"
      "  --version             print the version\n\n"
      "Options are taken from the command line, then the environment, then --config.\n"
      "Exit codes: 0 ok, 1 internal error, 2 usage or config, 3 source, 4 target,\n"
      "            5 value or type that cannot be mapped, 6 verification found differences,\n"
      "            7 binlog event that cannot be decoded, 8 rows set aside (--on-error "
      "skip-row).\n";
  return out;
}

std::string command_help(const CommandSpec& spec) {
  std::string out = "Usage: my2pg " + std::string(spec.name) +
                    " --source URI --target URI [options]\n\n" + std::string(spec.summary) +
                    "\n\nOptions:\n";
  for (const auto& o : spec.options) {
    const std::string flag =
        "--" + std::string(o.name) + (o.metavar.empty() ? "" : " " + std::string(o.metavar));
    out += "  " + flag + std::string(flag.size() < 22 ? 22 - flag.size() : 1, ' ') +
           std::string(o.help) + "\n";
  }
  out += "\nGlobal options (--source, --target, --config, --log-level): see my2pg --help\n";
  return out;
}

}  // namespace my2pg::cli
