#pragma once
// Reads events from binlog files in order. With follow_rotates, a ROTATE_EVENT that names a file
// in the same directory continues with that file when it is not already the next one given.
// Memory stays flat: one event is held at a time.
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "binlog/event_source.hpp"

namespace my2pg::binlog {

class FileSource : public EventSource {
 public:
  FileSource(std::vector<std::string> files, bool follow_rotates);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Start reading the first file at `position` (an event boundary) instead of at offset 4. The
  // FORMAT_DESCRIPTION_EVENT at offset 4 is still delivered first, so events can be decoded.
  void start_at(uint64_t position) { m_start_at = position; }
  bool next(RawEvent& event) override;

 private:
  bool open_next();
  void note_rotate(const RawEvent& event);
  // Makes at least `n` unread bytes available in the buffer; false at a clean end of file.
  bool fill(size_t n);

  std::deque<std::string> m_pending;
  bool m_follow;
  std::FILE* m_file = nullptr;
  std::string m_name;
  std::string m_base_name;  // m_name without its directory, as events report it
  uint64_t m_offset = 0;
  uint64_t m_size = 0;
  uint64_t m_start_at = 0;
  bool m_first_file = true;
  std::vector<uint8_t> m_buffer;  // read ahead in large blocks; events are spans into it
  size_t m_begin = 0, m_end = 0;  // unread bytes are m_buffer[m_begin, m_end)
};

}  // namespace my2pg::binlog
