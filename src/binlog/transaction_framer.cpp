#include "binlog/transaction_framer.hpp"

#include <cctype>

namespace my2pg::binlog {
namespace {

// The statement's first keyword, upper-cased: "BEGIN", "COMMIT", "XA", "CREATE"...
std::string first_word(std::string_view q) {
  size_t i = 0;
  while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i])) != 0) ++i;
  std::string word;
  while (i < q.size() && std::isalpha(static_cast<unsigned char>(q[i])) != 0) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(q[i]))));
    ++i;
  }
  return word;
}

std::string second_word(std::string_view q) {
  const size_t first = q.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t gap = q.find_first_of(" \t\r\n", first);
  return gap == std::string_view::npos ? std::string() : first_word(q.substr(gap));
}

bool is_rows(const Event& e) {
  return std::holds_alternative<RowsEvent>(e.body);
}

}  // namespace

void TransactionFramer::start(const Event& event, const std::string& file, std::string gtid) {
  m_tx = TxInfo{};
  m_tx.gtid = std::move(gtid);
  m_tx.start_file = file;
  m_tx.start_pos = event.position;
}

TxRole TransactionFramer::finish(const Event& event, const std::string& file, TxRole role) {
  m_tx.end_file = file;
  m_tx.end_pos = event.in_payload ? m_payload_end : event.position + event.header.event_size;
  m_tx.timestamp = event.header.timestamp;
  m_state = State::idle;
  return role;
}

TxRole TransactionFramer::add(const Event& event, const std::string& file) {
  const EventBody& body = event.body;
  if (std::holds_alternative<TransactionPayloadEvent>(body)) {
    m_payload_end = event.position + event.header.event_size;
    return m_state == State::idle ? TxRole::outside : TxRole::change;
  }
  if (const auto* g = std::get_if<GtidEvent>(&body)) {
    start(event, file, g->gtid());
    m_state = State::after_gtid;
    return TxRole::begin;
  }
  if (const auto* g = std::get_if<MariaGtidEvent>(&body)) {
    start(event, file, g->gtid(event.header.server_id));
    // MariaDB's GTID event is its BEGIN: a standalone one is followed by one statement only.
    m_state = g->standalone() ? State::standalone : State::open;
    return TxRole::begin;
  }
  if (const auto* q = std::get_if<QueryEvent>(&body)) {
    const std::string word = first_word(q->query);
    if (word == "BEGIN" || (word == "XA" && second_word(q->query) == "START")) {
      const bool opens = m_state == State::idle;
      if (opens) start(event, file, {});
      m_state = State::open;
      return opens ? TxRole::begin : TxRole::change;  // after a GTID, BEGIN is inside it
    }
    if (word == "COMMIT" && m_state != State::idle) return finish(event, file, TxRole::commit);
    if (word == "ROLLBACK" && m_state != State::idle &&
        q->query.find(" TO ") == std::string::npos) {
      return finish(event, file, TxRole::rollback);
    }
    if (m_state == State::open) return TxRole::change;
    // A statement outside BEGIN ... COMMIT commits on its own (DDL, or statement-based DML).
    if (m_state == State::idle) start(event, file, {});
    m_tx.ddl = true;
    return finish(event, file, TxRole::commit);
  }
  if (std::holds_alternative<XidEvent>(body) || std::holds_alternative<XaPrepareEvent>(body)) {
    if (m_state == State::idle) return TxRole::outside;
    const auto* xa = std::get_if<XaPrepareEvent>(&body);
    m_tx.xa_prepared = xa != nullptr && !xa->one_phase;
    return finish(event, file, TxRole::commit);
  }
  if (is_rows(event)) {
    if (m_state == State::idle) start(event, file, {});  // rows without BEGIN: still framed
    if (m_state == State::after_gtid || m_state == State::idle) m_state = State::open;
    ++m_tx.row_events;
    return TxRole::change;
  }
  if (std::holds_alternative<TableMapRef>(body) ||
      std::holds_alternative<AnnotateRowsEvent>(body) ||
      std::holds_alternative<RowsQueryEvent>(body) || std::holds_alternative<IntvarEvent>(body) ||
      std::holds_alternative<RandEvent>(body) || std::holds_alternative<UserVarEvent>(body)) {
    return m_state == State::idle ? TxRole::outside : TxRole::change;
  }
  return TxRole::outside;
}

}  // namespace my2pg::binlog
