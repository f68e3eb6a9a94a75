// pipeline_test.cpp — every item reaches the sink exactly once with the right value; the
// ordered design delivers in input order as it arrives, the fan-out design after the sink's
// reorder buffer; every item is freed (ownership passed, never shared).
#include "run_sample.hpp"

namespace goroscope {
namespace {

void expect_complete(const SampleRun& r, double items) {
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("items"), items);
  EXPECT_EQ(r.outcome.metric("arrived"), items);
  EXPECT_EQ(r.outcome.metric("missing"), 0);
  EXPECT_EQ(r.outcome.metric("duplicated"), 0);
  EXPECT_EQ(r.outcome.metric("wrong"), 0);
  EXPECT_EQ(r.outcome.metric("delivered_in_order"), 1);
  EXPECT_EQ(r.outcome.metric("live_items"), 0) << "the sink, the last owner, freed every item";
  EXPECT_EQ(r.result.leaked, 0u);
}

class PipelineSample : public ::testing::TestWithParam<int> {};

TEST_P(PipelineSample, OrderedDesignArrivesCompleteAndInOrder) {
  SampleRun r = testing::run("pipeline", {{"items", "40"}, {"stage-ms", "1"}}, GetParam());
  expect_complete(r, 40);
  EXPECT_EQ(r.outcome.metric("out_of_order"), 0) << "one goroutine per stage keeps the input order";
  EXPECT_EQ(r.outcome.metric("most_held"), 1) << "nothing waited in the reorder buffer";
}

TEST_P(PipelineSample, OrderedDesignWithBuffers) {
  SampleRun r = testing::run("pipeline", {{"items", "50"}, {"buffer", "4"}, {"stage-ms", "0"}}, GetParam());
  expect_complete(r, 50);
  EXPECT_EQ(r.outcome.metric("out_of_order"), 0);
}

TEST_P(PipelineSample, FanOutDesignIsCompleteAndTheSinkRestoresOrder) {
  SampleRun r = testing::run("pipeline", {{"items", "40"}, {"design", "fan-out"}, {"width", "4"}, {"stage-ms", "1"}},
                             GetParam());
  expect_complete(r, 40);
  // Fan-out loses the order: items 3k+0 (no wait) overtake 3k+2 (twice the stage time) on the
  // way to the sink, which must hold them back to deliver in order.
  EXPECT_GE(r.outcome.metric("out_of_order"), 1) << "parallel workers reorder the items";
  EXPECT_GE(r.outcome.metric("most_held"), 2) << "the sink's reorder buffer was used";
}

INSTANTIATE_TEST_SUITE_P(Procs, PipelineSample, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace goroscope
