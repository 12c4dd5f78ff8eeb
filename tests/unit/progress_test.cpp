// snapshot/progress: the text shown while tables are copied.
#include <catch2/catch.hpp>

#include "snapshot/progress.hpp"

using my2pg::snapshot::CopyProgress;
using my2pg::snapshot::render_progress;

TEST_CASE("progress: plain lines and terminal bars with rate and ETA", "[progress]") {
  CopyProgress p;
  p.begin({"orders", "customers_with_a_very_long_table_name", "tiny"}, {1000, 3000, 0});
  CHECK(render_progress(p, 1.0, false) ==
        "progress: 0/3 tables, 0 of ~4000 rows (0%), 0 rows/s, ETA ?");
  p.set_state(0, CopyProgress::State::done);
  p.counter(0) = 1200;  // more than the estimate: the real count wins
  p.set_state(1, CopyProgress::State::copying);
  p.counter(1) = 600;
  CHECK(render_progress(p, 2.0, false) ==
        "progress: 1/3 tables, 1800 of ~4200 rows (43%), 900 rows/s, ETA 3s");
  const std::string bars = render_progress(p, 2.0, true, 100);
  CHECK(bars ==
        "  customers_with_a_very_long_~ [####....................]  20%          600 rows\n"
        "  total                        [##########..............] 1/3 tables, 1800 of ~4200 "
        "rows (43%), 900 rows/s, ETA 3s");
  p.set_state(1, CopyProgress::State::done);
  p.set_state(2, CopyProgress::State::done);
  p.counter(1) = 3000;
  CHECK(render_progress(p, 4.0, false) ==
        "progress: 3/3 tables, 4200 of ~4200 rows (100%), 1050 rows/s, ETA 0s");
}
