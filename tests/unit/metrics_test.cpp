// monitor/metrics and monitor/http_server: the Prometheus text format and the scrape endpoint.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "monitor/http_server.hpp"
#include "monitor/metrics.hpp"

using my2pg::monitor::MetricsServer;
using my2pg::monitor::Registry;

namespace {

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// Sends `request` on a new connection and returns everything the server sends until it closes.
std::string http_exchange(std::uint16_t port, const std::string& request) {
  const int fd = connect_to(port);
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return reply;
}

std::string get(std::uint16_t port, const std::string& path) {
  return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

std::string body_of(const std::string& reply) {
  const size_t end = reply.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : reply.substr(end + 4);
}

}  // namespace

TEST_CASE("metrics: counters with labels render in creation order", "[metrics]") {
  Registry registry;
  auto rows =
      registry.counter("my2pg_rows_applied_total", "Rows applied to the target.", {"table", "op"});
  auto& orders = rows.with({"shop.orders", "insert"});
  auto& customers = rows.with({"shop.customers", "update"});
  orders.add(std::uint64_t{41});
  orders.inc();
  customers.add(3);
  CHECK(&rows.with({"shop.orders", "insert"}) == &orders);
  CHECK(registry.render() ==
        "# HELP my2pg_rows_applied_total Rows applied to the target.\n"
        "# TYPE my2pg_rows_applied_total counter\n"
        "my2pg_rows_applied_total{table=\"shop.orders\",op=\"insert\"} 42\n"
        "my2pg_rows_applied_total{table=\"shop.customers\",op=\"update\"} 3\n");

  customers.add(-5);  // ignored: a counter never goes down
  customers.add(0.5);
  CHECK(customers.value() == 3.5);
  auto& big = registry.counter("big_total", "Exact beyond 2^53.").with();
  big.add(std::uint64_t{9007199254740993});
  const std::string text = registry.render();
  CHECK(text.find("{table=\"shop.customers\",op=\"update\"} 3.5\n") != std::string::npos);
  CHECK(text.find("\nbig_total 9007199254740993\n") != std::string::npos);
}

TEST_CASE("metrics: gauges and callback gauges", "[metrics]") {
  Registry registry;
  auto& queue = registry.gauge("my2pg_queue_events", "Events waiting.").with();
  queue.set(10);
  queue.add(-2.5);
  double lag = 1.25;
  auto lag_family = registry.gauge("my2pg_lag_seconds", "Lag measured at scrape time.", {"stream"});
  lag_family.with_callback({"main"}, [&lag] { return lag; });
  auto special = registry.gauge("special", "Special values.", {"kind"});
  special.with({"nan"}).set(std::numeric_limits<double>::quiet_NaN());
  special.with({"inf"}).set(std::numeric_limits<double>::infinity());
  special.with({"-inf"}).set(-std::numeric_limits<double>::infinity());
  special.with({"big"}).set(1e20);
  special.with({"small"}).set(0.001);
  CHECK(registry.render() ==
        "# HELP my2pg_queue_events Events waiting.\n"
        "# TYPE my2pg_queue_events gauge\n"
        "my2pg_queue_events 7.5\n"
        "# HELP my2pg_lag_seconds Lag measured at scrape time.\n"
        "# TYPE my2pg_lag_seconds gauge\n"
        "my2pg_lag_seconds{stream=\"main\"} 1.25\n"
        "# HELP special Special values.\n"
        "# TYPE special gauge\n"
        "special{kind=\"nan\"} NaN\n"
        "special{kind=\"inf\"} +Inf\n"
        "special{kind=\"-inf\"} -Inf\n"
        "special{kind=\"big\"} 1e+20\n"
        "special{kind=\"small\"} 0.001\n");

  lag = 3;
  CHECK(registry.render().find("my2pg_lag_seconds{stream=\"main\"} 3\n") != std::string::npos);
  lag_family.with_callback({"main"}, [] { return 4.0; });  // replaces the function
  CHECK(registry.render().find("my2pg_lag_seconds{stream=\"main\"} 4\n") != std::string::npos);
  CHECK_THROWS_AS(lag_family.with({"main"}), std::invalid_argument);
  CHECK_THROWS_AS(special.with_callback({"big"}, [] { return 0.0; }), std::invalid_argument);
}

TEST_CASE("metrics: histograms count cumulatively with sum and count", "[metrics]") {
  Registry registry;
  auto batches = registry.histogram("my2pg_batch_seconds", "Time to apply a batch.",
                                    {0.005, 0.1, 1}, {"table"});
  auto& h = batches.with({"t"});
  for (double v : {0.001, 0.005, 0.05, 0.5, 0.75, 2.0}) h.observe(v);
  h.observe(std::nan(""));  // +Inf bucket only
  CHECK(h.count() == 7);
  CHECK(registry.render() ==
        "# HELP my2pg_batch_seconds Time to apply a batch.\n"
        "# TYPE my2pg_batch_seconds histogram\n"
        "my2pg_batch_seconds_bucket{table=\"t\",le=\"0.005\"} 2\n"
        "my2pg_batch_seconds_bucket{table=\"t\",le=\"0.1\"} 3\n"
        "my2pg_batch_seconds_bucket{table=\"t\",le=\"1\"} 5\n"
        "my2pg_batch_seconds_bucket{table=\"t\",le=\"+Inf\"} 7\n"
        "my2pg_batch_seconds_sum{table=\"t\"} NaN\n"
        "my2pg_batch_seconds_count{table=\"t\"} 7\n");

  Registry plain;
  auto& sizes = plain.histogram("batch_rows", "Rows per batch.", {10, 100}).with();
  sizes.observe(5);
  sizes.observe(500);
  CHECK(plain.render() ==
        "# HELP batch_rows Rows per batch.\n"
        "# TYPE batch_rows histogram\n"
        "batch_rows_bucket{le=\"10\"} 1\n"
        "batch_rows_bucket{le=\"100\"} 1\n"
        "batch_rows_bucket{le=\"+Inf\"} 2\n"
        "batch_rows_sum 505\n"
        "batch_rows_count 2\n");
}

TEST_CASE("metrics: label values and help text are escaped", "[metrics]") {
  Registry registry;
  registry.counter("odd_total", "Help with \\ and\nnewline and \"quotes\".", {"v"})
      .with({"a\\b\"c\nd"})
      .inc();
  CHECK(registry.render() ==
        "# HELP odd_total Help with \\\\ and\\nnewline and \"quotes\".\n"
        "# TYPE odd_total counter\n"
        "odd_total{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST_CASE("metrics: invalid names and label counts throw naming the culprit", "[metrics]") {
  Registry registry;
  CHECK_THROWS_WITH(registry.counter("1bad", "h"), Catch::Contains("'1bad'"));
  CHECK_THROWS_WITH(registry.counter("bad-name", "h"), Catch::Contains("'bad-name'"));
  CHECK_THROWS_WITH(registry.counter("", "h"), Catch::Contains("metric name ''"));
  CHECK_NOTHROW(registry.counter("ok:name_2", "h"));
  CHECK_THROWS_WITH(registry.gauge("g", "h", {"has:colon"}), Catch::Contains("'has:colon'"));
  CHECK_THROWS_WITH(registry.gauge("g", "h", {"9lives"}), Catch::Contains("'9lives'"));
  CHECK_THROWS_WITH(registry.gauge("g", "h", {"__reserved"}), Catch::Contains("reserved"));
  CHECK_THROWS_WITH(registry.gauge("g", "h", {"a", "a"}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(registry.histogram("hh", "h", {1}, {"le"}), Catch::Contains("'le'"));
  CHECK_THROWS_AS(registry.histogram("hh", "h", {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("hh", "h", {1, std::numeric_limits<double>::infinity()}),
                  std::invalid_argument);
  auto two = registry.counter("two_total", "h", {"a", "b"});
  CHECK_THROWS_WITH(two.with({"x"}), Catch::Contains("takes 2 label values (a, b), got 1"));
  // Nothing half-declared was left behind.
  CHECK(registry.render() ==
        "# HELP ok:name_2 h\n# TYPE ok:name_2 counter\n"
        "# HELP two_total h\n# TYPE two_total counter\n");
}

TEST_CASE("metrics: declaring a name again returns it or throws on conflict", "[metrics]") {
  Registry registry;
  auto& first = registry.counter("events_total", "Events.", {"kind"}).with({"a"});
  auto& again = registry.counter("events_total", "Other help.", {"kind"}).with({"a"});
  CHECK(&first == &again);
  CHECK_THROWS_WITH(registry.gauge("events_total", "Events."),
                    Catch::Contains("already registered as a counter"));
  CHECK_THROWS_AS(registry.counter("events_total", "Events.", {"other"}), std::invalid_argument);
  registry.histogram("h_seconds", "h", {1, 2});
  CHECK_NOTHROW(registry.histogram("h_seconds", "h", {1, 2}));
  CHECK_THROWS_AS(registry.histogram("h_seconds", "h", {1, 3}), std::invalid_argument);
}

TEST_CASE("metrics: concurrent updates from 4 threads add up exactly", "[metrics]") {
  Registry registry;
  auto& counter = registry.counter("n_total", "h").with();
  auto& gauge = registry.gauge("g", "h").with();
  auto& histogram = registry.histogram("h", "h", {0.5}).with();
  auto family = registry.counter("per_thread_total", "h", {"thread"});
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = family.with({std::to_string(t % 2)});
      for (int i = 0; i < kPerThread; ++i) {
        counter.inc();
        counter.add(std::uint64_t{2});
        gauge.add(1);
        histogram.observe(i % 2 == 0 ? 0.25 : 1.0);
        mine.inc();
        if (i % 1000 == 0) (void)registry.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(counter.value() == 3.0 * 4 * kPerThread);
  CHECK(gauge.value() == 4.0 * kPerThread);
  CHECK(histogram.count() == 4u * kPerThread);
  CHECK(histogram.sum() == 4 * (kPerThread / 2) * 1.25);
  const std::string text = registry.render();
  CHECK(text.find("\nn_total 1200000\n") != std::string::npos);
  CHECK(text.find("\nh_bucket{le=\"0.5\"} 200000\n") != std::string::npos);
  CHECK(text.find("\nper_thread_total{thread=\"0\"} 200000\n") != std::string::npos);
  CHECK(text.find("\nper_thread_total{thread=\"1\"} 200000\n") != std::string::npos);
}

TEST_CASE("metrics server: GET /metrics and the other answers", "[metrics]") {
  Registry registry;
  registry.counter("scrapes_total", "h").with().add(7);
  MetricsServer server("127.0.0.1:0", [&registry] { return registry.render(); });
  REQUIRE(server.port() != 0);
  const std::string expected = registry.render();

  const std::string ok = get(server.port(), "/metrics");
  CHECK(ok.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(ok.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n") !=
        std::string::npos);
  CHECK(ok.find("\r\nContent-Length: " + std::to_string(expected.size()) + "\r\n") !=
        std::string::npos);
  CHECK(ok.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(body_of(ok) == expected);
  CHECK(body_of(get(server.port(), "/metrics?x=1")) == expected);

  const std::string head = http_exchange(server.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(body_of(head).empty());

  const std::string index = get(server.port(), "/");
  CHECK(index.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(body_of(index).find("/metrics") != std::string::npos);

  CHECK(get(server.port(), "/other").starts_with("HTTP/1.1 404 Not Found\r\n"));
  const std::string post =
      http_exchange(server.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  CHECK(post.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
  CHECK(
      http_exchange(server.port(), "nonsense\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(http_exchange(server.port(), "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n")
            .starts_with("HTTP/1.1 431 "));

  const auto before = std::chrono::steady_clock::now();
  server.stop();
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::milliseconds(200));
}

TEST_CASE("metrics server: a failing body gives a 500 and serving goes on", "[metrics]") {
  std::atomic<bool> fail{true};
  MetricsServer server("localhost:0", [&fail]() -> std::string {
    if (fail) throw std::runtime_error("lag query failed");
    return "fine\n";
  });
  const std::string reply = get(server.port(), "/metrics");
  CHECK(reply.starts_with("HTTP/1.1 500 "));
  CHECK(body_of(reply).find("lag query failed") != std::string::npos);
  fail = false;
  CHECK(body_of(get(server.port(), "/metrics")) == "fine\n");
}

TEST_CASE("metrics server: a silent client delays the next one by the read timeout only",
          "[metrics]") {
  MetricsServer server("127.0.0.1:0", [] { return std::string("up 1\n"); });
  const int silent = connect_to(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the server pick it first
  const auto before = std::chrono::steady_clock::now();
  const std::string reply = get(server.port(), "/metrics");
  const auto waited = std::chrono::steady_clock::now() - before;
  CHECK(reply.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(body_of(reply) == "up 1\n");
  CHECK(waited < std::chrono::milliseconds(3500));
  ::close(silent);

  const auto stopping = std::chrono::steady_clock::now();
  const int idle = connect_to(server.port());  // stop() must not wait for this one
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  CHECK(std::chrono::steady_clock::now() - stopping < std::chrono::milliseconds(400));
  ::close(idle);
}

TEST_CASE("metrics server: bad or busy addresses throw ConfigError naming them", "[metrics]") {
  MetricsServer first("127.0.0.1:0", [] { return std::string(); });
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  CHECK_THROWS_AS(MetricsServer(taken, [] { return std::string(); }), my2pg::ConfigError);
  CHECK_THROWS_WITH(MetricsServer(taken, [] { return std::string(); }),
                    Catch::Contains(taken) && Catch::Contains("--metrics-listen"));
  CHECK_THROWS_WITH(MetricsServer("9187", [] { return std::string(); }), Catch::Contains("'9187'"));
  CHECK_THROWS_WITH(MetricsServer("127.0.0.1:65536", [] { return std::string(); }),
                    Catch::Contains("bad port"));
  CHECK_THROWS_WITH(MetricsServer("no-such-host.invalid:9187", [] { return std::string(); }),
                    Catch::Contains("no-such-host.invalid:9187"));
}
