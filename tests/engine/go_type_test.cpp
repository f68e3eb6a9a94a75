// go_type_test.cpp — channel element types in Go's words (issue 19 item 8): what
// gor::go_type_name<T>() gives for the types the samples send, and a GoTypeName
// specialization naming a type C++ cannot tell.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gor/context.hpp"
#include "gor/go_type.hpp"
#include "gor/time.hpp"
#include "test_util.hpp"

namespace {

struct Result {
  int value = 0;
};
struct Job {
  int id = 0;
};
using Ticket = int64_t;

namespace inner {
template <class T>
struct Box {
  T v;
};
}  // namespace inner

}  // namespace

// Job is named in Go's words by the program (C++ would tell "Job" too; the name says "task").
template <>
struct gor::GoTypeName<Job> {
  static constexpr std::string_view value = "task";
};

namespace {

TEST(GoTypeName, BasicTypesAreGoTypes) {
  EXPECT_EQ(gor::go_type_name<int>(), "int");
  EXPECT_EQ(gor::go_type_name<int64_t>(), "int");
  EXPECT_EQ(gor::go_type_name<long long>(), "int");
  EXPECT_EQ(gor::go_type_name<unsigned>(), "uint");
  EXPECT_EQ(gor::go_type_name<uint8_t>(), "byte");
  EXPECT_EQ(gor::go_type_name<int16_t>(), "int16");
  EXPECT_EQ(gor::go_type_name<bool>(), "bool");
  EXPECT_EQ(gor::go_type_name<double>(), "float64");
  EXPECT_EQ(gor::go_type_name<float>(), "float32");
  EXPECT_EQ(gor::go_type_name<std::string>(), "string");
  EXPECT_EQ(gor::go_type_name<gor::Unit>(), "struct{}");
  EXPECT_EQ(gor::go_type_name<gor::Duration>(), "time.Duration");
  EXPECT_EQ(gor::go_type_name<gor::TimePoint>(), "time.Time");
}

TEST(GoTypeName, CompositeTypesKeepGoShape) {
  EXPECT_EQ(gor::go_type_name<Result>(), "Result");
  EXPECT_EQ(gor::go_type_name<std::unique_ptr<Result>>(), "*Result");
  EXPECT_EQ(gor::go_type_name<std::shared_ptr<Result>>(), "*Result");
  EXPECT_EQ(gor::go_type_name<Result*>(), "*Result");
  EXPECT_EQ(gor::go_type_name<std::vector<int>>(), "[]int");
  EXPECT_EQ((gor::go_type_name<std::array<std::string, 3>>()), "[3]string");
  EXPECT_EQ((gor::go_type_name<std::map<std::string, int>>()), "map[string]int");
  EXPECT_EQ(gor::go_type_name<gor::Chan<gor::Unit>>(), "chan struct{}");
  EXPECT_EQ(gor::go_type_name<std::function<void()>>(), "func()");
  EXPECT_EQ((gor::go_type_name<std::function<bool(int, std::string)>>()), "func(int, string) bool");
  EXPECT_EQ(gor::go_type_name<inner::Box<int>>(), "Box");
}

TEST(GoTypeName, ASpecializationNamesTheType) {
  EXPECT_EQ(gor::go_type_name<Job>(), "task");
  EXPECT_EQ(gor::go_type_name<std::vector<Job>>(), "[]task");
  EXPECT_EQ(gor::go_type_name<Ticket>(), "int");
}

TEST(GoTypeName, ASnapshotNamesTheChannelsElementType) {
  auto results = gor::make_chan<Result>(1, "results");
  auto done = gor::make_chan<gor::Unit>(0, "done");
  auto jobs = gor::make_chan<Job>(2, "jobs");
  // The element type is what ChanCore reports to a snapshot's ChannelInfo::elem_type.
  EXPECT_EQ(results.core()->elem_type(), "Result");
  EXPECT_EQ(done.core()->elem_type(), "struct{}");
  EXPECT_EQ(jobs.core()->elem_type(), "task");
}

}  // namespace
