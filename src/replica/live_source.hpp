#pragma once
// A server's live binary log as an event source: each raw event with the file it belongs to and
// its start offset, which the stream itself does not say. ROTATE names the file, and an event's
// start is its end position (log_pos) minus its size.
#include <cstdint>
#include <string>

#include "binlog/constants.hpp"
#include "binlog/event_source.hpp"
#include "mysql/binlog_stream.hpp"

namespace my2pg::replica {

class LiveSource : public binlog::EventSource {
 public:
  LiveSource(const mysql::Endpoint& endpoint, const mysql::StreamStart& start);

  bool next(binlog::RawEvent& event) override;
  // The checksum the session negotiated, for Decoder::set_stream_checksum.
  binlog::ChecksumAlg checksum() const;
  mysql::Flavor flavor() const { return m_stream.flavor(); }
  // From another thread: makes a blocked next() fail (see BinlogStream::interrupt).
  void interrupt() { m_stream.interrupt(); }

 private:
  mysql::BinlogStream m_stream;
  std::string m_file;
  uint64_t m_next;
};

}  // namespace my2pg::replica
