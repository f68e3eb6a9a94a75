// go_edges_test.cpp — scheduler edges where the engine follows current Go: GOMAXPROCS(n) with
// n equal to the current value returns at once, without stopping the world.
#include "test_util.hpp"

namespace {

TEST(GoEdges, GomaxprocsOfTheCurrentValueDoesNotStopTheWorld) {
  gor::TraceRecorder rec;
  int before = 0, after = 0;
  gor::RunResult r = gortest::run_traced(2, rec, [&] {
    before = gor::gomaxprocs(2);  // the current value: a no-op
    after = gor::gomaxprocs(0);   // a query
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(before, 2);
  EXPECT_EQ(after, 2);
  EXPECT_EQ(rec.count(gor::EventKind::Gomaxprocs), 0u);
  EXPECT_EQ(rec.count(gor::EventKind::StopTheWorld), 0u);
}

}  // namespace
