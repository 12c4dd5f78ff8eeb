#include "snapshot/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace my2pg::snapshot {
namespace {

std::string bar(double fraction, size_t width) {
  const auto filled =
      static_cast<size_t>(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(width));
  std::string out = "[";
  out.append(filled, '#').append(width - filled, '.').append("]");
  return out;
}

std::string eta(double seconds) {
  if (seconds < 0) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

void CopyProgress::begin(std::vector<std::string> tables, std::vector<uint64_t> estimated_rows) {
  m_names = std::move(tables);
  m_estimated = std::move(estimated_rows);
  m_estimated.resize(m_names.size(), 0);
  m_rows = std::make_unique<std::atomic<uint64_t>[]>(m_names.size());
  m_state = std::make_unique<std::atomic<int>[]>(m_names.size());
  for (size_t i = 0; i < m_names.size(); ++i) {
    m_rows[i].store(0);
    m_state[i].store(static_cast<int>(State::waiting));
  }
  m_started.store(true);
}

std::string render_progress(const CopyProgress& p, double elapsed, bool terminal, size_t width) {
  uint64_t rows = 0, expected = 0;
  size_t done = 0;
  for (size_t i = 0; i < p.tables(); ++i) {
    const uint64_t r = p.rows(i);
    rows += r;
    // A finished table counts what it really had; a running one at least what it has so far.
    expected += p.state(i) == CopyProgress::State::done ? r : std::max(r, p.estimated(i));
    if (p.state(i) == CopyProgress::State::done) ++done;
  }
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
  const double fraction =
      expected == 0 ? 1.0 : static_cast<double>(rows) / static_cast<double>(expected);
  const double remaining =
      rate > 0 ? static_cast<double>(expected - std::min(expected, rows)) / rate : -1;
  const std::string summary =
      fmt::format("{}/{} tables, {} of ~{} rows ({:.0f}%), {:.0f} rows/s, ETA {}", done, p.tables(),
                  rows, expected, fraction * 100, rate, done == p.tables() ? "0s" : eta(remaining));
  if (!terminal) return "progress: " + summary;
  const size_t bar_width = width > 60 ? size_t{24} : size_t{10};
  std::string out;
  for (size_t i = 0; i < p.tables(); ++i) {
    if (p.state(i) != CopyProgress::State::copying) continue;
    const uint64_t r = p.rows(i);
    const uint64_t e = std::max(r, p.estimated(i));
    std::string name = p.name(i);
    if (name.size() > 28) name = name.substr(0, 27) + "~";
    out +=
        fmt::format("  {:<28} {} {:>3.0f}% {:>12} rows\n", name,
                    bar(e == 0 ? 1.0 : static_cast<double>(r) / static_cast<double>(e), bar_width),
                    e == 0 ? 100.0 : 100.0 * static_cast<double>(r) / static_cast<double>(e), r);
  }
  out += fmt::format("  {:<28} {} {}", "total", bar(fraction, bar_width), summary);
  return out;
}

}  // namespace my2pg::snapshot
