// concurrent_map_test.cpp — under both loads, the RWMutex-protected map and SyncMap end with
// exactly the contents their writers left, and every read saw a value of the key it read.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class ConcurrentMapSample : public ::testing::TestWithParam<int> {};

TEST_P(ConcurrentMapSample, ContentsCorrectInBothMapsUnderBothLoads) {
  SampleRun r = testing::run("concurrent-map", {{"goroutines", "4"}, {"keys", "64"}, {"ops", "3000"}}, GetParam());
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("loads"), 2);
  for (const std::string load : {"read_heavy", "write_heavy"}) {
    EXPECT_EQ(r.outcome.metric(load + "_rw_errors"), 0) << load;
    EXPECT_EQ(r.outcome.metric(load + "_sync_errors"), 0) << load;
    EXPECT_GT(r.outcome.metric(load + "_rw_ops_per_ms"), 0) << load << ": throughput is measured";
    EXPECT_GT(r.outcome.metric(load + "_sync_ops_per_ms"), 0) << load;
  }
  EXPECT_EQ(r.outcome.metric("errors"), 0);
  EXPECT_EQ(r.result.leaked, 0u);
}

TEST_P(ConcurrentMapSample, AllWritesAndFewKeys) {
  SampleRun r = testing::run("concurrent-map",
                             {{"goroutines", "6"}, {"keys", "4"}, {"ops", "2000"}, {"load", "write-heavy"},
                              {"write-heavy-writes", "100"}},
                             GetParam());
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("loads"), 1);
  EXPECT_EQ(r.outcome.metric("write_heavy_rw_errors"), 0);
  EXPECT_EQ(r.outcome.metric("write_heavy_sync_errors"), 0);
}

INSTANTIATE_TEST_SUITE_P(Procs, ConcurrentMapSample, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace goroscope
