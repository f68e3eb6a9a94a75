// go_api_test.cpp — the API Go programmers reach for that arrived after Go 1.19: context's
// Cause, WithCancelCause, WithDeadlineCause/WithTimeoutCause, AfterFunc, WithoutCancel and keys
// of any comparable type; sync.Map's Swap, CompareAndSwap, CompareAndDelete and Clear;
// WaitGroup.Go; OnceFunc and OnceValue; runtime.Goexit.
#include <any>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace std::chrono_literals;
using gortest::run_ok;

namespace {

class GoApiTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(GoApiTest);

// done_within() waits for ctx.done() with a generous bound (a failure, not a hang).
bool done_within(const gor::Context& ctx, gor::Duration bound = 5s) {
  gor::Timer limit(bound);
  return gor::select(gor::on_recv(ctx.done()), gor::on_recv(limit.chan())) == 0;
}

// ---- context

TEST_P(GoApiTest, CancelCauseIsRecordedAndInherited) {
  run_ok(GetParam(), [] {
    auto [ctx, cancel] = gor::with_cancel_cause(gor::background());
    auto [child, cancel_child] = gor::with_cancel(ctx);
    EXPECT_EQ(gor::cause(ctx), "") << "nil while not done";
    cancel("disk full");
    EXPECT_EQ(ctx.err(), gor::CtxErr::Canceled);
    EXPECT_EQ(gor::cause(ctx), "disk full");
    EXPECT_EQ(gor::cause(child), "disk full") << "a child cancelled with its parent has its cause";
    cancel("second cause");  // the first cancellation wins
    EXPECT_EQ(gor::cause(ctx), "disk full");
    cancel_child();

    auto [plain, cancel_plain] = gor::with_cancel_cause(gor::background());
    cancel_plain("");  // Go's cancel(nil): the cause is the error
    EXPECT_EQ(gor::cause(plain), "context canceled");
    auto [c2, cancel2] = gor::with_cancel(gor::background());
    cancel2();
    EXPECT_EQ(gor::cause(c2), "context canceled");
    EXPECT_EQ(gor::cause(gor::background()), "");
  });
}

TEST_P(GoApiTest, DeadlineAndTimeoutCause) {
  run_ok(GetParam(), [] {
    auto [ctx, cancel] = gor::with_timeout_cause(gor::background(), 2ms, "backend too slow");
    ASSERT_TRUE(done_within(ctx));
    EXPECT_EQ(ctx.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_EQ(gor::cause(ctx), "backend too slow");
    cancel();
    auto [c2, cancel2] = gor::with_deadline_cause(gor::background(), gor::now() + 1h, "never");
    cancel2();
    EXPECT_EQ(c2.err(), gor::CtxErr::Canceled);
    EXPECT_EQ(gor::cause(c2), "context canceled") << "cancelled before the deadline";
    auto [past, cancel3] = gor::with_deadline_cause(gor::background(), gor::now() - 1ms, "too late");
    EXPECT_EQ(past.err(), gor::CtxErr::DeadlineExceeded);
    EXPECT_EQ(gor::cause(past), "too late");
    cancel3();
  });
}

TEST_P(GoApiTest, WithoutCancelKeepsValuesNotCancellation) {
  run_ok(GetParam(), [] {
    auto [parent, cancel] = gor::with_timeout(gor::with_value(gor::background(), "k", 7), 1h);
    gor::Context detached = gor::without_cancel(parent);
    EXPECT_TRUE(detached.done().is_nil());
    EXPECT_FALSE(detached.deadline().has_value());
    cancel();
    EXPECT_EQ(parent.err(), gor::CtxErr::Canceled);
    EXPECT_EQ(detached.err(), gor::CtxErr::None);
    EXPECT_EQ(gor::cause(detached), "");
    EXPECT_EQ(std::any_cast<int>(detached.value("k")), 7);
    auto [child, cancel_child] = gor::with_cancel(detached);
    EXPECT_EQ(child.err(), gor::CtxErr::None) << "a child of it is not cancelled by the old parent";
    cancel_child();
  });
}

TEST_P(GoApiTest, AfterFuncRunsOnceInItsOwnGoroutineUnlessStopped) {
  run_ok(GetParam(), [] {
    auto ran = gor::make_chan<uint64_t>(4);
    auto [ctx, cancel] = gor::with_cancel(gor::background());
    auto stop = gor::after_func(ctx, [ran] { ran.send(gor::goid()); });
    auto [ctx2, cancel2] = gor::with_cancel(gor::background());
    auto stop2 = gor::after_func(ctx2, [ran] { ran.send(0); });
    EXPECT_TRUE(stop2()) << "stopped before ctx2 was done";
    EXPECT_FALSE(stop2());
    cancel2();
    cancel();
    const uint64_t id = ran.recv();
    EXPECT_NE(id, gor::goid());
    EXPECT_NE(id, 0u) << "the stopped function ran";
    EXPECT_FALSE(stop()) << "f had started";
    // Already done: f starts at once. Never done (background): f never runs.
    (void)gor::after_func(ctx, [ran] { ran.send(1); });
    EXPECT_EQ(ran.recv(), 1u);
    auto stop3 = gor::after_func(gor::background(), [ran] { ran.send(2); });
    gor::sleep(2ms);
    EXPECT_EQ(ran.len(), 0u);
    EXPECT_TRUE(stop3());
    // A deadline starts it too, and the handle need not be kept.
    auto [ctx4, cancel4] = gor::with_timeout(gor::background(), 1ms);
    (void)gor::after_func(ctx4, [ran] { ran.send(4); });
    EXPECT_EQ(ran.recv(), 4u);
    cancel4();
  });
}

struct UserKey {
  int n;
  bool operator==(const UserKey&) const = default;
};
struct OtherKey {
  int n;
  bool operator==(const OtherKey&) const = default;
};

TEST(GoApi, ContextKeysOfAnyComparableType) {
  run_ok(1, [] {
    gor::Context c = gor::with_value(gor::background(), UserKey{1}, std::string("user"));
    c = gor::with_value(c, 42, std::string("int"));
    c = gor::with_value(c, "name", std::string("string"));
    EXPECT_EQ(std::any_cast<std::string>(c.value(UserKey{1})), "user");
    EXPECT_FALSE(c.value(UserKey{2}).has_value());
    EXPECT_FALSE(c.value(OtherKey{1}).has_value()) << "keys of different types never match";
    EXPECT_EQ(std::any_cast<std::string>(c.value(42)), "int");
    EXPECT_FALSE(c.value(42L).has_value()) << "int and long are different key types";
    EXPECT_EQ(std::any_cast<std::string>(c.value("name")), "string");
    EXPECT_EQ(std::any_cast<std::string>(c.value(std::string("name"))), "string");
  });
}

// ---- sync.Map

TEST(GoApi, SyncMapSwapCompareAndSwapCompareAndDeleteClear) {
  run_ok(1, [] {
    gor::SyncMap<int, std::string> m;
    EXPECT_EQ(m.swap(1, "a"), std::nullopt);
    EXPECT_EQ(m.swap(1, "b"), std::optional<std::string>("a"));
    EXPECT_EQ(m.load(1), std::optional<std::string>("b"));
    EXPECT_FALSE(m.compare_and_swap(1, "a", "c"));
    EXPECT_TRUE(m.compare_and_swap(1, "b", "c"));
    EXPECT_EQ(m.load(1), std::optional<std::string>("c"));
    EXPECT_FALSE(m.compare_and_swap(2, "", "x")) << "absent key";
    EXPECT_FALSE(m.compare_and_delete(1, "b"));
    EXPECT_TRUE(m.compare_and_delete(1, "c"));
    EXPECT_EQ(m.load(1), std::nullopt);
    EXPECT_FALSE(m.compare_and_delete(1, "c"));
    for (int i = 0; i < 100; ++i) m.store(i, std::to_string(i));
    for (int i = 0; i < 100; i += 2) (void)m.load(i);  // some promoted, some dirty
    for (int i = 100; i < 110; ++i) m.store(i, "new");
    EXPECT_EQ(m.swap(105, "swapped"), std::optional<std::string>("new"));
    EXPECT_TRUE(m.compare_and_swap(106, "new", "cas"));
    EXPECT_TRUE(m.compare_and_delete(107, "new"));
    int n = 0;
    m.range([&](const int&, const std::string&) { return ++n, true; });
    EXPECT_EQ(n, 109);
    m.clear();
    n = 0;
    m.range([&](const int&, const std::string&) { return ++n, true; });
    EXPECT_EQ(n, 0);
    EXPECT_EQ(m.load(5), std::nullopt);
    m.store(5, "after");
    EXPECT_EQ(m.load(5), std::optional<std::string>("after"));
  });
}

// Concurrent compare_and_swap increments: every one that reports success counts exactly once.
TEST_P(GoApiTest, SyncMapCompareAndSwapIsAtomic) {
  run_ok(GetParam(), [] {
    gor::SyncMap<int, int> m;
    m.store(0, 0);
    std::atomic<int> successes{0};
    gor::WaitGroup wg;
    for (int g = 0; g < 8; ++g) {
      wg.go([&] {
        for (int i = 0; i < 200; ++i) {
          for (;;) {
            const int cur = *m.load(0);
            if (m.compare_and_swap(0, cur, cur + 1)) break;
            gor::yield();
          }
          successes.fetch_add(1);
        }
      });
    }
    wg.wait();
    EXPECT_EQ(successes.load(), 1600);
    EXPECT_EQ(m.load(0), std::optional<int>(1600));
  });
}

// ---- WaitGroup.Go, OnceFunc, OnceValue

TEST_P(GoApiTest, WaitGroupGoRunsEachFunctionInItsOwnGoroutine) {
  run_ok(GetParam(), [] {
    gor::WaitGroup wg{"wg"};
    std::atomic<int> ran{0};
    std::vector<uint64_t> ids(10, 0);
    for (int i = 0; i < 10; ++i) wg.go([&, i] { ids[static_cast<size_t>(i)] = gor::goid(); ran.fetch_add(1); });
    wg.wait();
    EXPECT_EQ(ran.load(), 10);
    for (uint64_t id : ids) EXPECT_NE(id, gor::goid());
  });
}

// Go 1.26: a panic in f is not followed by Done, so Wait cannot return before the panic ends
// the run: main here must never reach its line after wait().
TEST(GoApi, WaitGroupGoPanicSkipsDone) {
  std::atomic<bool> waited{false};
  gor::RunResult r = gortest::run_on(2, [&] {
    gor::WaitGroup wg;
    wg.go([] { throw gor::Panic("boom"); });
    wg.wait();
    waited.store(true);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "boom");
  EXPECT_FALSE(waited.load());
}

TEST_P(GoApiTest, OnceFuncAndOnceValue) {
  run_ok(GetParam(), [] {
    std::atomic<int> calls{0};
    auto f = gor::once_func([&] { calls.fetch_add(1); gor::sleep(1ms); });
    auto v = gor::once_value([&] { calls.fetch_add(100); return std::string("config"); });
    gor::WaitGroup wg;
    std::atomic<int> right{0};
    for (int i = 0; i < 8; ++i) {
      wg.go([&] {
        f();
        if (v() == "config") right.fetch_add(1);
      });
    }
    wg.wait();
    EXPECT_EQ(calls.load(), 101);
    EXPECT_EQ(right.load(), 8);

    int panics = 0;
    auto bad = gor::once_func([&] { calls.fetch_add(1); throw gor::Panic("init failed"); });
    for (int i = 0; i < 3; ++i) {
      try {
        bad();
      } catch (const gor::Panic& p) {
        EXPECT_EQ(std::string(p.what()), "init failed");
        ++panics;
      }
    }
    EXPECT_EQ(panics, 3) << "every call re-panics with f's panic";
    EXPECT_EQ(calls.load(), 102);
  });
}

// ---- Goexit

TEST_P(GoApiTest, GoexitEndsTheGoroutineRunningItsDestructors) {
  run_ok(GetParam(), [] {
    auto out = gor::make_chan<int>(4);
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      struct Deferred {
        gor::WaitGroup& wg;
        gor::Chan<int> out;
        ~Deferred() {
          out.try_send(1);
          wg.done();
        }
      } deferred{wg, out};
      gor::goexit();
      out.try_send(2);  // not reached
    });
    wg.wait();
    EXPECT_EQ(out.recv(), 1);
    EXPECT_EQ(out.len(), 0u);
  });
  EXPECT_THROW(gor::goexit(), std::logic_error);
}

}  // namespace
