#pragma once
// Copy progress shared between the copy workers (who count rows) and whoever shows it (the
// command line: bars on a terminal, plain lines otherwise). Counters are atomics; the table list
// is fixed before the copy starts.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace my2pg::snapshot {

class CopyProgress {
 public:
  enum class State : int { waiting, copying, done };

  // Called once, before any worker starts: table names and the server's row estimates.
  void begin(std::vector<std::string> tables, std::vector<uint64_t> estimated_rows);

  size_t tables() const { return m_names.size(); }
  const std::string& name(size_t i) const { return m_names[i]; }
  uint64_t estimated(size_t i) const { return m_estimated[i]; }
  uint64_t rows(size_t i) const { return m_rows[i].load(std::memory_order_relaxed); }
  State state(size_t i) const { return static_cast<State>(m_state[i].load()); }
  bool started() const { return m_started.load(); }

  void set_state(size_t i, State s) { m_state[i].store(static_cast<int>(s)); }
  std::atomic<uint64_t>& counter(size_t i) { return m_rows[i]; }

 private:
  std::vector<std::string> m_names;
  std::vector<uint64_t> m_estimated;
  std::unique_ptr<std::atomic<uint64_t>[]> m_rows;
  std::unique_ptr<std::atomic<int>[]> m_state;
  std::atomic<bool> m_started{false};
};

// The progress as text. On a terminal: one bar per table being copied and an overall bar with
// rows/s and ETA (lines joined by '\n', no trailing newline). Otherwise one plain line.
std::string render_progress(const CopyProgress& progress, double elapsed_seconds, bool terminal,
                            size_t width = 80);

}  // namespace my2pg::snapshot
