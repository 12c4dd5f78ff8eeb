#pragma once
// Where raw events come from: binlog files, or a live server stream (mysql/binlog_stream).
#include <cstdint>
#include <span>
#include <string>

namespace my2pg::binlog {

struct RawEvent {
  std::span<const uint8_t> bytes;  // one whole event, valid until the next call to next()
  uint64_t position = 0;           // start offset in `file`
  std::string file;                // the binlog file it belongs to
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The next event, or false at the end (of the files; of the stream in read-to-end mode).
  virtual bool next(RawEvent& event) = 0;
};

}  // namespace my2pg::binlog
