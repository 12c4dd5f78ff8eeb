#pragma once
// Prometheus metrics: counters, gauges and histograms kept in a Registry and rendered in the text
// exposition format 0.0.4. A series is created once, under the registry's lock, and the caller
// keeps the reference; updates through it are lock-free atomics, cheap enough for the apply loop.
#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace my2pg::monitor {

namespace detail {
struct Family;
struct RegistryState;
}  // namespace detail

// One value per label name of the family, in the family's label order.
using LabelValues = std::vector<std::string>;

// A running total. Whole amounts are kept exactly (beyond 2^53); negative and NaN amounts are
// ignored, because a counter never goes down.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc() { m_whole.fetch_add(1, std::memory_order_relaxed); }
  template <std::integral T>
  void add(T n) {
    if constexpr (std::is_signed_v<T>) {
      if (n < 0) return;
    }
    m_whole.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
  }
  void add(double v) {
    if (v > 0) m_fraction.fetch_add(v, std::memory_order_relaxed);
  }
  double value() const {
    return static_cast<double>(m_whole.load(std::memory_order_relaxed)) +
           m_fraction.load(std::memory_order_relaxed);
  }

 private:
  friend struct detail::RegistryState;
  std::atomic<std::uint64_t> m_whole{0};
  std::atomic<double> m_fraction{0};  // the amounts given as double
};

// A value that goes up and down.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v) { m_value.store(v, std::memory_order_relaxed); }
  template <std::integral T>
  void set(T n) {
    set(static_cast<double>(n));
  }
  void add(double v) { m_value.fetch_add(v, std::memory_order_relaxed); }
  template <std::integral T>
  void add(T n) {
    add(static_cast<double>(n));
  }
  double value() const { return m_value.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> m_value{0};
};

// Observations counted in buckets with the family's upper bounds, plus their sum.
class Histogram {
 public:
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // NaN is counted in the +Inf bucket only.
  void observe(double v);
  std::uint64_t count() const;
  double sum() const { return m_sum.load(std::memory_order_relaxed); }

 private:
  friend struct detail::Family;
  friend struct detail::RegistryState;
  explicit Histogram(std::span<const double> bounds);

  std::span<const double> m_bounds;  // owned by the family: finite, strictly increasing
  // One per bound plus the +Inf bucket; not cumulative (render() adds them up).
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets;
  std::atomic<double> m_sum{0};
};

// Handles to a family of series, cheap to copy, valid as long as their Registry. with() returns
// the series for `values` (one per label name), creating it on first use; keep the reference
// rather than calling with() on a hot path. A wrong number of values throws
// std::invalid_argument.
class CounterFamily {
 public:
  Counter& with(const LabelValues& values = {}) const;

 private:
  friend class Registry;
  explicit CounterFamily(detail::Family& family) : m_family(&family) {}
  detail::Family* m_family;
};

class GaugeFamily {
 public:
  Gauge& with(const LabelValues& values = {}) const;
  // A series whose value `fn` computes at each render(), for numbers measured at scrape time
  // (replication lag). Registering again for the same values replaces the function. `fn` runs
  // under the registry's lock: it must not call into the Registry; if it throws, so does
  // render().
  void with_callback(const LabelValues& values, std::function<double()> fn) const;

 private:
  friend class Registry;
  explicit GaugeFamily(detail::Family& family) : m_family(&family) {}
  detail::Family* m_family;
};

class HistogramFamily {
 public:
  Histogram& with(const LabelValues& values = {}) const;

 private:
  friend class Registry;
  explicit HistogramFamily(detail::Family& family) : m_family(&family) {}
  detail::Family* m_family;
};

// The set of metric families one process exposes. Thread-safe.
//
// Declaring a family checks its metric and label names against the Prometheus grammar and throws
// std::invalid_argument naming a bad one. Declaring a name again returns the existing family when
// type, label names (and bounds) match, and throws std::invalid_argument otherwise.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily counter(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  GaugeFamily gauge(std::string_view name, std::string_view help,
                    std::vector<std::string> label_names = {});
  // `bounds`: the buckets' upper bounds, finite and strictly increasing; +Inf is implied.
  HistogramFamily histogram(std::string_view name, std::string_view help,
                            std::vector<double> bounds, std::vector<std::string> label_names = {});

  // Every family in declaration order, its series in creation order, in the text format 0.0.4.
  std::string render() const;

 private:
  std::unique_ptr<detail::RegistryState> m_state;
};

}  // namespace my2pg::monitor
