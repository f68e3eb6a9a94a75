// chan_element_test.cpp — what Chan<T> asks of T and how the ring treats values: sending
// needs only a (noexcept) movable T; buffered values are destroyed exactly once, when they
// leave the ring or when the channel goes away with them still buffered.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gor/gor.hpp"
#include "test_util.hpp"

namespace {

using gortest::run_ok;

// Ticket has no default constructor: a channel of it can be made, passed around and sent on.
struct Ticket {
  explicit Ticket(int n) : number(n) {}
  Ticket(Ticket&&) noexcept = default;
  Ticket& operator=(Ticket&&) noexcept = default;
  int number;
};
static_assert(!std::is_default_constructible_v<Ticket>);

TEST(ChanElement, SendNeedsNoDefaultConstructor) {
  run_ok(2, [] {
    auto c = gor::make_chan<Ticket>(3, "tickets");
    c.send(Ticket(1));
    c.send(Ticket(2));
    EXPECT_TRUE(c.try_send(Ticket(3)));
    EXPECT_FALSE(c.try_send(Ticket(4)));  // full
    EXPECT_EQ(c.len(), 3u);
  });  // destroyed with three Tickets buffered
}

// Live counts instances, so the test sees every construction and destruction.
struct Live {
  static inline int alive = 0;
  Live() { ++alive; }
  explicit Live(int v) : value(v) { ++alive; }
  Live(Live&& o) noexcept : value(o.value) { ++alive; }
  Live& operator=(Live&& o) noexcept {
    value = o.value;
    return *this;
  }
  ~Live() { --alive; }
  int value = 0;
};

TEST(ChanElement, BufferedValuesAreDestroyedOnceWithTheChannel) {
  Live::alive = 0;
  run_ok(1, [] {
    {
      auto c = gor::make_chan<Live>(4);
      for (int i = 0; i < 4; ++i) c.send(Live(i));
      EXPECT_EQ(Live::alive, 4);  // only the buffered ones: the temporaries are gone
      EXPECT_EQ(c.recv().value, 0);
      EXPECT_EQ(Live::alive, 3);
      c.send(Live(4));  // wraps around the ring
      EXPECT_EQ(Live::alive, 4);
    }
    EXPECT_EQ(Live::alive, 0);  // the channel destroyed its four buffered values
  });
}

// A received value's resources are released when it leaves the ring, not when its slot is
// reused later: a shared_ptr sent through a buffer has one owner again after the receive.
TEST(ChanElement, ReceivingReleasesTheSlot) {
  run_ok(2, [] {
    auto c = gor::make_chan<std::shared_ptr<int>>(8);
    auto p = std::make_shared<int>(7);
    c.send(p);
    EXPECT_EQ(p.use_count(), 2);
    { auto got = c.recv(); EXPECT_EQ(*got, 7); }
    EXPECT_EQ(p.use_count(), 1);
    auto s = gor::make_chan<std::string>(2);
    s.send(std::string(1000, 'x'));
    s.close();
    EXPECT_EQ(s.recv().size(), 1000u);
    EXPECT_EQ(s.recv(), "");  // closed and drained: T{}
  });
}

}  // namespace
