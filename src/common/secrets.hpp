#pragma once
// Passwords must never reach a log line or an error message. Endpoints print themselves without
// them, and every message that leaves the process goes through redact_secrets() as a last guard.
#include <string>
#include <string_view>

namespace my2pg {

// Replaces the password in URIs (scheme://user:PASSWORD@host) and in libpq conninfo
// (password=VALUE, password='quoted value') anywhere in `text` with "***".
std::string redact_secrets(std::string_view text);

// Decodes %XX escapes as used in URI user, password and database parts.
std::string percent_decode(std::string_view text);

}  // namespace my2pg
