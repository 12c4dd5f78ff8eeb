#pragma once
// A minimal HTTP/1.1 server for Prometheus scrapes: GET /metrics answers with the body a callback
// renders. One connection at a time, on its own thread, with a request size cap and deadlines so
// a slow or hostile client cannot hang it.
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace my2pg::monitor {

class MetricsServer {
 public:
  using BodyFn = std::function<std::string()>;

  // Listens on `listen`, "host:port" (an IPv4 address or a host name; port 0 picks a free port)
  // and starts serving; `body` runs on the server's thread for each GET /metrics (if it throws,
  // the scrape gets a 500 with the message). Throws my2pg::ConfigError when the address is
  // malformed, cannot be resolved or cannot be bound.
  MetricsServer(const std::string& listen, BodyFn body);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port (the chosen one when the address asked for port 0).
  std::uint16_t port() const { return m_port; }
  // Stops serving and closes the socket; returns within about 100 ms. Idempotent.
  void stop();

 private:
  void run(std::stop_token stop);
  void serve(int fd, const std::stop_token& stop);

  int m_listen_fd = -1;
  std::uint16_t m_port = 0;
  BodyFn m_body;
  std::jthread m_thread;
};

}  // namespace my2pg::monitor
