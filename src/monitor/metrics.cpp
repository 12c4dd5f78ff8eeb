#include "monitor/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

namespace my2pg::monitor {

namespace {

enum class MetricType { counter, gauge, histogram };

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

bool is_name_start(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names, the same without ':' for label names.
bool is_valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty() || !is_name_start(name.front(), colon_allowed)) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) {
    return is_name_start(c, colon_allowed) || (c >= '0' && c <= '9');
  });
}

void check_names(std::string_view name, const std::vector<std::string>& label_names,
                 MetricType type) {
  if (!is_valid_name(name, true)) {
    throw std::invalid_argument("invalid Prometheus metric name '" + std::string(name) +
                                "': use letters, digits, '_' and ':', not starting with a digit");
  }
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    const std::string where = "' of metric '" + std::string(name) + "'";
    if (!is_valid_name(label, false)) {
      throw std::invalid_argument("invalid Prometheus label name '" + label + where +
                                  ": use letters, digits and '_', not starting with a digit");
    }
    if (label.starts_with("__") || (type == MetricType::histogram && label == "le")) {
      throw std::invalid_argument("label name '" + label + where + " is reserved by Prometheus");
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i),
                  label) != label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("label name '" + label + where + " is given twice");
    }
  }
}

void check_bounds(std::string_view name, const std::vector<double>& bounds) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
      throw std::invalid_argument("histogram '" + std::string(name) +
                                  "': bucket bounds must be finite and strictly increasing "
                                  "(+Inf is implied)");
    }
  }
}

// Integral values without exponent or fraction; others in the shortest form that reads back
// exactly, which Prometheus' parser (Go's ParseFloat) accepts.
void append_number(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  std::to_chars_result r;
  if (v == std::trunc(v) && std::fabs(v) < 9.2e18) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v);
  }
  out.append(buf, r.ptr);
}

void append_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Backslash and newline are escaped in HELP text; label values also escape the double quote.
void append_escaped(std::string_view s, bool in_label, std::string& out) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && in_label) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

void append_labels(const std::vector<std::string>& names, const LabelValues& values,
                   std::string_view le, std::string& out) {
  if (names.empty() && le.empty()) return;
  out.push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += names[i];
    out += "=\"";
    append_escaped(values[i], true, out);
    out.push_back('"');
  }
  if (!le.empty()) {
    if (!names.empty()) out.push_back(',');
    out += "le=\"";
    out += le;
    out.push_back('"');
  }
  out.push_back('}');
}

}  // namespace

namespace detail {

struct Series {
  LabelValues values;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> callback;  // a callback gauge when set
};

struct Family {
  std::mutex* mutex;  // the registry's
  MetricType type;
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  std::vector<std::unique_ptr<Series>> series;  // in creation order
  std::map<LabelValues, Series*> by_values;

  // Finds or creates the series for `values`; the caller holds `mutex`.
  Series& find_or_add(const LabelValues& values) {
    if (values.size() != label_names.size()) {
      std::string names;
      for (const auto& n : label_names) names += (names.empty() ? "" : ", ") + n;
      throw std::invalid_argument("metric '" + name + "' takes " +
                                  std::to_string(label_names.size()) + " label values (" + names +
                                  "), got " + std::to_string(values.size()));
    }
    if (auto it = by_values.find(values); it != by_values.end()) return *it->second;
    auto s = std::make_unique<Series>();
    s->values = values;
    switch (type) {
      case MetricType::counter:
        s->counter = std::make_unique<Counter>();
        break;
      case MetricType::gauge:
        s->gauge = std::make_unique<Gauge>();
        break;
      case MetricType::histogram:
        s->histogram.reset(new Histogram(bounds));
        break;
    }
    Series& added = *s;
    series.push_back(std::move(s));
    by_values.emplace(values, &added);
    return added;
  }

  Gauge& gauge_series(const LabelValues& values) {
    Series& s = find_or_add(values);
    if (!s.gauge) {
      throw std::invalid_argument("gauge '" + name +
                                  "': this series is a callback gauge, not a settable one");
    }
    return *s.gauge;
  }
};

struct RegistryState {
  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Family>> families;  // in declaration order

  Family& declare(std::string_view name, std::string_view help,
                  std::vector<std::string> label_names, MetricType type,
                  std::vector<double> bounds = {}) {
    check_names(name, label_names, type);
    check_bounds(name, bounds);
    std::lock_guard lock(mutex);
    for (auto& f : families) {
      if (f->name != name) continue;
      if (f->type != type) {
        throw std::invalid_argument("metric '" + f->name + "' is already registered as a " +
                                    type_name(f->type) + ", not a " + type_name(type));
      }
      if (f->label_names != label_names || f->bounds != bounds) {
        throw std::invalid_argument("metric '" + f->name +
                                    "' is already registered with other labels or buckets");
      }
      return *f;
    }
    auto f = std::make_unique<Family>();
    f->mutex = &mutex;
    f->type = type;
    f->name = name;
    f->help = help;
    f->label_names = std::move(label_names);
    f->bounds = std::move(bounds);
    families.push_back(std::move(f));
    return *families.back();
  }

  static void append_counter(const Family& f, const Series& s, std::string& out) {
    out += f.name;
    append_labels(f.label_names, s.values, {}, out);
    out.push_back(' ');
    const std::uint64_t whole = s.counter->m_whole.load(std::memory_order_relaxed);
    const double fraction = s.counter->m_fraction.load(std::memory_order_relaxed);
    if (fraction == 0) {
      append_uint(whole, out);
    } else {
      append_number(static_cast<double>(whole) + fraction, out);
    }
    out.push_back('\n');
  }

  static void append_gauge(const Family& f, const Series& s, std::string& out) {
    out += f.name;
    append_labels(f.label_names, s.values, {}, out);
    out.push_back(' ');
    append_number(s.callback ? s.callback() : s.gauge->value(), out);
    out.push_back('\n');
  }

  static void append_histogram(const Family& f, const Series& s, std::string& out) {
    const Histogram& h = *s.histogram;
    std::uint64_t cumulative = 0;
    std::string le;
    for (size_t i = 0; i <= f.bounds.size(); ++i) {
      cumulative += h.m_buckets[i].load(std::memory_order_relaxed);
      le.clear();
      if (i < f.bounds.size()) {
        append_number(f.bounds[i], le);
      } else {
        le = "+Inf";
      }
      out += f.name;
      out += "_bucket";
      append_labels(f.label_names, s.values, le, out);
      out.push_back(' ');
      append_uint(cumulative, out);
      out.push_back('\n');
    }
    out += f.name;
    out += "_sum";
    append_labels(f.label_names, s.values, {}, out);
    out.push_back(' ');
    append_number(h.sum(), out);
    out.push_back('\n');
    // The +Inf bucket's count, so that _count always equals it even during concurrent updates.
    out += f.name;
    out += "_count";
    append_labels(f.label_names, s.values, {}, out);
    out.push_back(' ');
    append_uint(cumulative, out);
    out.push_back('\n');
  }
};

}  // namespace detail

Histogram::Histogram(std::span<const double> bounds)
    : m_bounds(bounds),
      m_buckets(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double v) {
  // The first bucket whose upper bound is >= v; NaN compares false everywhere, so +Inf.
  size_t i = m_bounds.size();
  if (!std::isnan(v)) {
    i = static_cast<size_t>(std::lower_bound(m_bounds.begin(), m_bounds.end(), v) -
                            m_bounds.begin());
  }
  m_buckets[i].fetch_add(1, std::memory_order_relaxed);
  m_sum.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
  std::uint64_t n = 0;
  for (size_t i = 0; i <= m_bounds.size(); ++i) n += m_buckets[i].load(std::memory_order_relaxed);
  return n;
}

Counter& CounterFamily::with(const LabelValues& values) const {
  std::lock_guard lock(*m_family->mutex);
  return *m_family->find_or_add(values).counter;
}

Gauge& GaugeFamily::with(const LabelValues& values) const {
  std::lock_guard lock(*m_family->mutex);
  return m_family->gauge_series(values);
}

void GaugeFamily::with_callback(const LabelValues& values, std::function<double()> fn) const {
  std::lock_guard lock(*m_family->mutex);
  const bool existed = m_family->by_values.count(values) > 0;
  detail::Series& s = m_family->find_or_add(values);
  if (existed && !s.callback) {
    throw std::invalid_argument("gauge '" + m_family->name +
                                "': this series is a settable gauge, not a callback gauge");
  }
  s.gauge.reset();
  s.callback = std::move(fn);
}

Histogram& HistogramFamily::with(const LabelValues& values) const {
  std::lock_guard lock(*m_family->mutex);
  return *m_family->find_or_add(values).histogram;
}

Registry::Registry() : m_state(std::make_unique<detail::RegistryState>()) {}
Registry::~Registry() = default;

CounterFamily Registry::counter(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  return CounterFamily(m_state->declare(name, help, std::move(label_names), MetricType::counter));
}

GaugeFamily Registry::gauge(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names) {
  return GaugeFamily(m_state->declare(name, help, std::move(label_names), MetricType::gauge));
}

HistogramFamily Registry::histogram(std::string_view name, std::string_view help,
                                    std::vector<double> bounds,
                                    std::vector<std::string> label_names) {
  return HistogramFamily(m_state->declare(name, help, std::move(label_names), MetricType::histogram,
                                          std::move(bounds)));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(m_state->mutex);
  for (const auto& f : m_state->families) {
    out += "# HELP ";
    out += f->name;
    out.push_back(' ');
    append_escaped(f->help, false, out);
    out += "\n# TYPE ";
    out += f->name;
    out.push_back(' ');
    out += type_name(f->type);
    out.push_back('\n');
    for (const auto& s : f->series) {
      switch (f->type) {
        case MetricType::counter:
          detail::RegistryState::append_counter(*f, *s, out);
          break;
        case MetricType::gauge:
          detail::RegistryState::append_gauge(*f, *s, out);
          break;
        case MetricType::histogram:
          detail::RegistryState::append_histogram(*f, *s, out);
          break;
      }
    }
  }
  return out;
}

}  // namespace my2pg::monitor
