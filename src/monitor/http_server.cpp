#include "monitor/http_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include "common/error.hpp"

namespace my2pg::monitor {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxRequest = 8 * 1024;                 // request line and headers
constexpr auto kReadTimeout = std::chrono::seconds(2);   // for the whole request
constexpr auto kWriteTimeout = std::chrono::seconds(5);  // for the whole response
constexpr auto kLingerTimeout = milliseconds(500);       // waiting for the client to close
constexpr size_t kMaxLingerBytes = 64 * 1024;
constexpr int kPollSliceMs = 50;  // how often loops look at the stop token

constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kTextType = "text/plain; charset=utf-8";

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

 private:
  int m_fd;
};

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

bool is_transient(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

// Waits until `fd` is ready for `events`; false when the deadline passes, poll fails or a stop
// is requested. Errors and hang-ups count as ready: the next recv or send reports them.
bool wait_for(int fd, short events, Clock::time_point deadline, const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, kPollSliceMs)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
  return false;
}

bool send_all(int fd, std::string_view data, const std::stop_token& stop) {
  const auto deadline = Clock::now() + kWriteTimeout;
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && is_transient(errno)) {
      if (!wait_for(fd, POLLOUT, deadline, stop)) return false;
    } else {
      return false;
    }
  }
  return true;
}

enum class ReadResult { complete, too_large, incomplete };

// Reads up to the blank line that ends the headers; a body, if any, is left unread.
ReadResult read_request(int fd, std::string& request, const std::stop_token& stop) {
  const auto deadline = Clock::now() + kReadTimeout;
  char buf[2048];
  while (request.find("\r\n\r\n") == std::string::npos &&
         request.find("\n\n") == std::string::npos) {
    if (request.size() >= kMaxRequest) return ReadResult::too_large;
    if (!wait_for(fd, POLLIN, deadline, stop)) return ReadResult::incomplete;
    const ssize_t n = ::recv(fd, buf, std::min(sizeof buf, kMaxRequest - request.size()), 0);
    if (n > 0) {
      request.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || !is_transient(errno)) {
      return ReadResult::incomplete;
    }
  }
  return ReadResult::complete;
}

// Half-closes, then reads what the client still sends until it closes, so that unread request
// bytes do not make the kernel reset the connection before the client has read the response.
void close_gracefully(Fd& fd, const std::stop_token& stop) {
  ::shutdown(fd.get(), SHUT_WR);
  const auto deadline = Clock::now() + kLingerTimeout;
  char buf[4096];
  size_t drained = 0;
  while (drained < kMaxLingerBytes && wait_for(fd.get(), POLLIN, deadline, stop)) {
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && !is_transient(errno))) break;
    if (n > 0) drained += static_cast<size_t>(n);
  }
}

std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body, bool with_body, std::string_view extra_header = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra_header;
  out += "Connection: close\r\n\r\n";
  if (with_body) out += body;
  return out;
}

struct RequestLine {
  std::string_view method;
  std::string_view path;  // without the query string
};

bool parse_request_line(std::string_view request, RequestLine& line) {
  request = request.substr(0, request.find_first_of("\r\n"));
  const size_t sp1 = request.find(' ');
  const size_t sp2 = request.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  if (!request.substr(sp2 + 1).starts_with("HTTP/")) return false;
  line.method = request.substr(0, sp1);
  const std::string_view target = request.substr(sp1 + 1, sp2 - sp1 - 1);
  line.path = target.substr(0, target.find('?'));
  return true;
}

}  // namespace

MetricsServer::MetricsServer(const std::string& listen, BodyFn body) : m_body(std::move(body)) {
  const std::string usage = "; give host:port, e.g. 127.0.0.1:9187 or 0.0.0.0:9187";
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    throw ConfigError("metrics listen address '" + listen + "' has no port" + usage);
  }
  const std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(port) > 65535) {
    throw ConfigError("metrics listen address '" + listen + "' has a bad port" + usage);
  }

  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    throw ConfigError("cannot resolve metrics listen address '" + listen +
                      "': " + ::gai_strerror(rc) +
                      "; give an IPv4 address or a host name, e.g. 127.0.0.1:9187");
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);

  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const auto fail = [&](const char* what) {
    const int err = errno;
    return ConfigError("cannot " + std::string(what) + " metrics on " + listen + ": " +
                       errno_text(err) +
                       "; choose another --metrics-listen address or port, or stop the process "
                       "that uses it");
  };
  if (fd.get() < 0) throw fail("open a socket for");
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    throw fail("set SO_REUSEADDR for");
  }
  if (::bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0) throw fail("serve");
  if (::listen(fd.get(), 16) != 0) throw fail("listen for");
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    throw fail("find the port for");
  }
  m_port = ntohs(bound.sin_port);
  m_listen_fd = fd.release();
  m_thread = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

MetricsServer::~MetricsServer() {
  stop();
}

void MetricsServer::stop() {
  if (m_thread.joinable()) {
    m_thread.request_stop();
    m_thread.join();
  }
  if (m_listen_fd >= 0) {
    ::close(m_listen_fd);
    m_listen_fd = -1;
  }
}

void MetricsServer::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd p{m_listen_fd, POLLIN, 0};
    if (::poll(&p, 1, kPollSliceMs) <= 0) continue;
    const int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors and the like: pause rather than spin on a listener that stays ready.
      if (!is_transient(errno) && errno != ECONNABORTED)
        std::this_thread::sleep_for(milliseconds(kPollSliceMs));
      continue;
    }
    // The thread boundary: a failure (out of memory) loses this scrape, not the server.
    try {
      serve(fd, stop);
    } catch (const std::exception&) {
    }
  }
}

void MetricsServer::serve(int raw_fd, const std::stop_token& stop) {
  Fd fd(raw_fd);
  std::string request;
  switch (read_request(fd.get(), request, stop)) {
    case ReadResult::incomplete:
      return;  // timed out, or the client went away
    case ReadResult::too_large:
      send_all(fd.get(),
               response(431, "Request Header Fields Too Large", kTextType,
                        "request headers larger than 8 KiB\n", true),
               stop);
      close_gracefully(fd, stop);
      return;
    case ReadResult::complete:
      break;
  }

  RequestLine line;
  std::string reply;
  if (!parse_request_line(request, line)) {
    reply = response(400, "Bad Request", kTextType, "malformed request line\n", true);
  } else if (line.method != "GET" && line.method != "HEAD") {
    reply = response(405, "Method Not Allowed", kTextType, "only GET and HEAD are served\n", true,
                     "Allow: GET, HEAD\r\n");
  } else if (line.path == "/metrics") {
    const bool with_body = line.method == "GET";
    try {
      reply = response(200, "OK", kMetricsType, m_body(), with_body);
    } catch (const std::exception& e) {
      reply = response(500, "Internal Server Error", kTextType,
                       "cannot render metrics: " + std::string(e.what()) + "\n", with_body);
    }
  } else if (line.path == "/") {
    reply = response(200, "OK", kTextType,
                     "my2pg metrics exporter: Prometheus metrics are at /metrics\n",
                     line.method == "GET");
  } else {
    reply = response(404, "Not Found", kTextType, "not found; metrics are at /metrics\n",
                     line.method == "GET");
  }
  if (send_all(fd.get(), reply, stop)) close_gracefully(fd, stop);
}

}  // namespace my2pg::monitor
