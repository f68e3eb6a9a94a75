// context_test.cpp — the intent of Go 1.19's context_test.go: trees of contexts, cancellation
// propagating down and never up, deadlines bounded by the parent's, values up the chain.
#include <any>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace std::chrono_literals;
using gortest::run_ok;

namespace {

class ContextTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(ContextTest);

// is_done() tells whether ctx.done() is ready now (closed), without blocking.
bool is_done(const gor::Context& ctx) {
  return gor::select(gor::on_recv(ctx.done()), gor::on_default()) == 0;
}

// done_within() waits for ctx.done() with a generous bound (a failure, not a hang).
bool done_within(const gor::Context& ctx, gor::Duration bound = 5s) {
  gor::Timer limit(bound);
  return gor::select(gor::on_recv(ctx.done()), gor::on_recv(limit.chan())) == 0;
}

TEST(ContextErr, GoTexts) {
  EXPECT_EQ(gor::to_string(gor::CtxErr::Canceled), "context canceled");
  EXPECT_EQ(gor::to_string(gor::CtxErr::DeadlineExceeded), "context deadline exceeded");
  EXPECT_EQ(gor::to_string(gor::CtxErr::None), "");
}

TEST(ContextRoots, BackgroundAndTodoAreNeverDone) {
  run_ok(1, [] {
    for (gor::Context c : {gor::background(), gor::todo()}) {
      EXPECT_TRUE(c.done().is_nil());
      EXPECT_EQ(c.err(), gor::CtxErr::None);
      EXPECT_FALSE(c.deadline().has_value());
      EXPECT_FALSE(c.value("k").has_value());
      EXPECT_FALSE(is_done(c));
    }
    EXPECT_TRUE(gor::background() == gor::background());
    EXPECT_FALSE(gor::background() == gor::todo());
  });
}

TEST(ContextRoots, NilParentPanicsWithGoText) {
  gor::Context nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_TRUE(nil.done().is_nil());
  for (int i = 0; i < 3; ++i) {
    try {
      if (i == 0) gor::with_cancel(nil);
      if (i == 1) gor::with_value(nil, "k", 1);
      if (i == 2) gor::with_deadline(nil, gor::TimePoint{});
      ADD_FAILURE() << "no panic for case " << i;
    } catch (const gor::Panic& p) {
      EXPECT_STREQ(p.what(), "cannot create context from nil parent");
    }
  }
}

// Go's TestWithCancel: cancelling the root of c1 -> value -> c2 -> c3 closes every done.
TEST_P(ContextTest, CancelPropagatesDownTheTree) {
  run_ok(GetParam(), [] {
    auto [c1, cancel1] = gor::with_cancel(gor::background());
    gor::Context o = gor::with_value(c1, "k", 1);
    auto [c2, cancel2] = gor::with_cancel(o);
    auto [c3, cancel3] = gor::with_cancel(c2);
    std::vector<gor::Context> all{c1, o, c2, c3};
    for (auto& c : all) {
      EXPECT_FALSE(c.done().is_nil());
      EXPECT_FALSE(is_done(c));
      EXPECT_EQ(c.err(), gor::CtxErr::None);
    }
    EXPECT_EQ(o.done(), c1.done());
    EXPECT_EQ(gor::detail::ctx_children(c1), 1u);
    cancel1();
    for (auto& c : all) {
      EXPECT_TRUE(done_within(c));
      EXPECT_EQ(c.err(), gor::CtxErr::Canceled);
    }
    EXPECT_EQ(gor::detail::ctx_children(c1), 0u);
    cancel2();
    cancel3();
  });
}

// Go's TestChildFinishesFirst / TestCancelRemoves: a child's cancel never reaches its parent
// and unregisters the child.
TEST_P(ContextTest, CancelChildNotParent) {
  run_ok(GetParam(), [] {
    auto [parent, cancel_parent] = gor::with_cancel(gor::background());
    auto [child, cancel_child] = gor::with_cancel(parent);
    auto [sibling, cancel_sibling] = gor::with_timeout(parent, 1h);
    EXPECT_EQ(gor::detail::ctx_children(parent), 2u);
    cancel_child();
    EXPECT_TRUE(is_done(child));
    EXPECT_EQ(child.err(), gor::CtxErr::Canceled);
    EXPECT_FALSE(is_done(parent));
    EXPECT_EQ(parent.err(), gor::CtxErr::None);
    EXPECT_FALSE(is_done(sibling));
    EXPECT_EQ(gor::detail::ctx_children(parent), 1u);
    cancel_sibling();
    EXPECT_EQ(gor::detail::ctx_children(parent), 0u);
    EXPECT_EQ(sibling.err(), gor::CtxErr::Canceled);
    EXPECT_FALSE(is_done(parent));
    cancel_parent();
    EXPECT_EQ(parent.err(), gor::CtxErr::Canceled);
  });
}

TEST_P(ContextTest, DroppedChildUnregistersItself) {
  run_ok(GetParam(), [] {
    auto [parent, cancel_parent] = gor::with_cancel(gor::background());
    {
      auto [child, cancel_child] = gor::with_cancel(parent);
      auto [t, cancel_t] = gor::with_timeout(child, 1h);
      EXPECT_EQ(gor::detail::ctx_children(parent), 1u);
      EXPECT_EQ(gor::detail::ctx_children(child), 1u);
    }
    EXPECT_EQ(gor::detail::ctx_children(parent), 0u);
    cancel_parent();
  });
}

TEST_P(ContextTest, CancelledParentGivesDoneChild) {
  run_ok(GetParam(), [] {
    auto [parent, cancel_parent] = gor::with_cancel(gor::background());
    cancel_parent();
    auto [child, cancel_child] = gor::with_cancel(gor::with_value(parent, "k", 1));
    EXPECT_TRUE(is_done(child));
    EXPECT_EQ(child.err(), gor::CtxErr::Canceled);
    auto [timed, cancel_timed] = gor::with_timeout(parent, 1h);
    EXPECT_TRUE(is_done(timed));
    EXPECT_EQ(timed.err(), gor::CtxErr::Canceled);
    EXPECT_EQ(gor::detail::ctx_children(parent), 0u);
    cancel_child();
    cancel_timed();
  });
}

TEST_P(ContextTest, ValueLookupThroughTheChain) {
  run_ok(GetParam(), [] {
    gor::Context c1 = gor::with_value(gor::background(), "k1", std::string("c1k1"));
    auto [c2, cancel] = gor::with_cancel(c1);
    gor::Context c3 = gor::with_value(c2, "k2", 42);
    gor::Context c4 = gor::with_value(c3, "k1", std::string("c4k1"));  // shadows c1's
    EXPECT_EQ(std::any_cast<std::string>(c1.value("k1")), "c1k1");
    EXPECT_EQ(std::any_cast<std::string>(c2.value("k1")), "c1k1");
    EXPECT_EQ(std::any_cast<std::string>(c3.value("k1")), "c1k1");
    EXPECT_EQ(std::any_cast<int>(c3.value("k2")), 42);
    EXPECT_EQ(std::any_cast<std::string>(c4.value("k1")), "c4k1");
    EXPECT_EQ(std::any_cast<int>(c4.value("k2")), 42);
    EXPECT_FALSE(c1.value("k2").has_value());
    EXPECT_FALSE(c4.value("k3").has_value());
    cancel();
    EXPECT_EQ(std::any_cast<int>(c4.value("k2")), 42);  // values survive cancellation
    EXPECT_EQ(c4.err(), gor::CtxErr::Canceled);
  });
}

// Go's TestTimeout / TestDeadline.
TEST_P(ContextTest, TimeoutFiresDeadlineExceeded) {
  run_ok(GetParam(), [] {
    const gor::TimePoint start = gor::now();
    auto [ctx, cancel] = gor::with_timeout(gor::background(), 10ms);
    ASSERT_TRUE(ctx.deadline().has_value());
    EXPECT_GE(*ctx.deadline(), start + 10ms);
    gor::Context v = gor::with_value(ctx, "k", 1);
    EXPECT_EQ(v.deadline(), ctx.deadline());
    EXPECT_EQ(ctx.err(), gor::CtxErr::None);
    ctx.done().recv();  // waits for the deadline
    EXPECT_GE(gor::now(), *ctx.deadline());
    EXPECT_EQ(ctx.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_EQ(gor::to_string(v.err()), "context deadline exceeded");
    cancel();  // after expiry: keeps DeadlineExceeded
    EXPECT_EQ(ctx.err(), gor::CtxErr::DeadlineExceeded);
  });
}

TEST_P(ContextTest, DeadlineFiresForWaitingGoroutines) {
  run_ok(GetParam(), [] {
    auto [ctx, cancel] = gor::with_deadline(gor::background(), gor::now() + 5ms);
    auto work = gor::make_chan<int>();  // never sent on
    auto results = gor::make_chan<gor::CtxErr>(8);
    for (int i = 0; i < 8; ++i) {
      gor::go([ctx, work, results] {
        gor::select(gor::on_recv(work), gor::on_recv(ctx.done()));
        results.send(ctx.err());
      });
    }
    for (int i = 0; i < 8; ++i) EXPECT_EQ(results.recv(), gor::CtxErr::DeadlineExceeded);
    cancel();
  });
}

TEST_P(ContextTest, ChildDeadlineBoundedByParent) {
  run_ok(GetParam(), [] {
    auto [parent, cancel_parent] = gor::with_timeout(gor::background(), 20ms);
    // A later deadline is the parent's: with_deadline degrades to with_cancel.
    auto [late, cancel_late] = gor::with_timeout(parent, 1h);
    EXPECT_EQ(late.deadline(), parent.deadline());
    // An earlier deadline is the child's own, and fires first without touching the parent.
    auto [early, cancel_early] = gor::with_timeout(parent, 1ms);
    ASSERT_TRUE(early.deadline().has_value());
    EXPECT_LT(*early.deadline(), *parent.deadline());
    early.done().recv();
    EXPECT_EQ(early.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_EQ(parent.err(), gor::CtxErr::None);
    EXPECT_FALSE(is_done(late));
    // The parent's deadline ends the child that kept it, with the parent's error.
    late.done().recv();
    EXPECT_EQ(late.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_EQ(parent.err(), gor::CtxErr::DeadlineExceeded);
    cancel_early();
    cancel_late();
    cancel_parent();
  });
}

TEST_P(ContextTest, PastDeadlineIsDoneAtCreation) {
  run_ok(GetParam(), [] {
    const size_t base = gor::pending_timers();
    auto [a, cancel_a] = gor::with_deadline(gor::background(), gor::now() - 1ms);
    EXPECT_TRUE(is_done(a));
    EXPECT_EQ(a.err(), gor::CtxErr::DeadlineExceeded);
    auto [b, cancel_b] = gor::with_timeout(gor::background(), 0ms);
    EXPECT_TRUE(is_done(b));
    EXPECT_EQ(b.err(), gor::CtxErr::DeadlineExceeded);
    auto [parent, cancel_parent] = gor::with_cancel(gor::background());
    auto [c, cancel_c] = gor::with_timeout(parent, -5s);
    EXPECT_TRUE(is_done(c));
    EXPECT_EQ(c.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_FALSE(is_done(parent));
    EXPECT_EQ(gor::detail::ctx_children(parent), 0u);
    EXPECT_EQ(gor::pending_timers(), base);
    cancel_a();
    cancel_b();
    cancel_c();
    EXPECT_EQ(a.err(), gor::CtxErr::DeadlineExceeded);
    cancel_parent();
  });
}

// Cancelling releases the deadline timer, directly or through an ancestor.
TEST_P(ContextTest, CancelReleasesTimers) {
  run_ok(GetParam(), [] {
    const size_t base = gor::pending_timers();
    auto [t, cancel_t] = gor::with_timeout(gor::background(), 1h);
    EXPECT_EQ(gor::pending_timers(), base + 1);
    cancel_t();
    EXPECT_EQ(gor::pending_timers(), base);
    EXPECT_EQ(t.err(), gor::CtxErr::Canceled);

    auto [root, cancel_root] = gor::with_cancel(gor::background());
    auto [c1, cancel1] = gor::with_timeout(root, 1h);
    auto [c2, cancel2] = gor::with_timeout(gor::with_value(c1, "k", 1), 30min);
    EXPECT_EQ(gor::pending_timers(), base + 2);
    cancel_root();
    EXPECT_EQ(gor::pending_timers(), base);
    EXPECT_EQ(c2.err(), gor::CtxErr::Canceled);
    cancel1();
    cancel2();
  });
}

TEST_P(ContextTest, CancelIsIdempotentAndConcurrent) {
  run_ok(GetParam(), [] {
    for (int round = 0; round < 20; ++round) {
      auto [root, cancel_root] = gor::with_cancel(gor::background());
      auto [mid, cancel_mid] = gor::with_timeout(root, 1h);
      auto [leaf, cancel_leaf] = gor::with_cancel(mid);
      auto done = gor::make_chan<int>(12);
      std::vector<gor::CancelFunc> cancels{cancel_root, cancel_mid, cancel_leaf};
      for (int g = 0; g < 12; ++g) {
        gor::CancelFunc f = cancels[g % 3];
        gor::go([f, done, g] {
          f();
          f();
          done.send(g);
        });
      }
      for (int g = 0; g < 12; ++g) done.recv();
      for (const gor::Context& c : {root, mid, leaf}) {
        EXPECT_TRUE(is_done(c));
        EXPECT_EQ(c.err(), gor::CtxErr::Canceled);
      }
      EXPECT_EQ(gor::detail::ctx_children(root), 0u);
    }
  });
}

// Go's TestSimultaneousCancels: a wide tree cancelled from its root while goroutines wait on
// every node and others cancel leaves.
TEST_P(ContextTest, SimultaneousCancelsOfATree) {
  run_ok(GetParam(), [] {
    auto [root, cancel_root] = gor::with_cancel(gor::background());
    std::vector<std::pair<gor::Context, gor::CancelFunc>> nodes;
    nodes.emplace_back(root, cancel_root);
    for (int i = 1; i < 40; ++i) {
      const gor::Context& parent = nodes[(i - 1) / 3].first;
      if (i % 4 == 0) {
        nodes.push_back(gor::with_timeout(parent, 1h));
      } else {
        nodes.push_back(gor::with_cancel(gor::with_value(parent, "i", i)));
      }
    }
    auto woke = gor::make_chan<int>(static_cast<size_t>(nodes.size()));
    for (size_t i = 0; i < nodes.size(); ++i) {
      gor::Context c = nodes[i].first;
      gor::go([c, woke, i] {
        c.done().recv();
        woke.send(static_cast<int>(i));
      });
    }
    for (size_t i = nodes.size() - 1; i > nodes.size() - 8; --i) {
      gor::CancelFunc f = nodes[i].second;
      gor::go([f] { f(); });
    }
    cancel_root();
    for (size_t i = 0; i < nodes.size(); ++i) woke.recv();
    for (auto& [c, cancel] : nodes) {
      EXPECT_NE(c.err(), gor::CtxErr::None);
      cancel();
    }
  });
}

}  // namespace

// Go: a cancel that finds the context already being cancelled returns only once the whole
// subtree is done (it waits on the lock the first canceller holds). Two goroutines cancel a
// large tree at the same instant; at procs >= 2 they really run in parallel, and the one that
// loses the race must not return while the winner is still cancelling the leaves.
TEST_P(ContextTest, SecondCancelReturnsAfterTheSubtreeIsDone) {
  constexpr int kRounds = gortest::sanitized_scale(20);
  constexpr int kLeaves = gortest::sanitized_scale(4000);
  gortest::run_ok(GetParam(), [] {
    for (int round = 0; round < kRounds; ++round) {
      auto [root, cancel] = gor::with_cancel(gor::background());
      std::vector<gor::Context> leaves;
      leaves.reserve(kLeaves);
      for (int k = 0; k < kLeaves; ++k) leaves.push_back(gor::with_cancel(root).first);
      std::atomic<int> ready{0};
      std::atomic<int> early{0};
      gor::WaitGroup wg;
      wg.add(2);
      for (int who = 0; who < 2; ++who) {
        gor::go([&, cancel = cancel] {
          ready.fetch_add(1);
          while (ready.load() < 2) gor::yield();  // start together
          cancel();
          for (const auto& leaf : leaves) {
            if (leaf.err() != gor::CtxErr::Canceled) early.fetch_add(1);
          }
          wg.done();
        });
      }
      wg.wait();
      EXPECT_EQ(early.load(), 0) << "a cancel returned before its subtree was cancelled";
    }
  });
}
