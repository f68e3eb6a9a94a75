// select_test.cpp — select: the intent of Go's select tests in runtime/chan_test.go
// (default, fairness, send and receive cases, close, nil cases, self-select, stress), over
// procs 1, 2 and 4. No test depends on one scheduling order or on timing.

#include <atomic>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using gor::Chan;
using gor::make_chan;
using gor::on_default;
using gor::on_recv;
using gor::on_send;
using gortest::run_ok;
using gortest::run_on;

class SelectTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(SelectTest);

// With nothing ready the default case runs; its index counts in argument order.
TEST_P(SelectTest, DefaultWhenNothingReady) {
  run_ok(GetParam(), [] {
    auto a = make_chan<int>();
    auto b = make_chan<int>(1);
    b.send(0);  // full: a send case on b is not ready
    bool ran = false;
    EXPECT_EQ(gor::select(on_recv(a), on_default([&] { ran = true; })), 1);
    EXPECT_TRUE(ran);
    EXPECT_EQ(gor::select(on_default(), on_recv(a), on_send(b, 1)), 0);
    EXPECT_EQ(gor::select(on_default()), 0);
  });
}

// A ready case is taken over the default, with its value passed to the callback.
TEST_P(SelectTest, ReadyCaseBeatsDefault) {
  run_ok(GetParam(), [] {
    auto a = make_chan<int>(1);
    auto b = make_chan<int>();
    a.send(5);
    int got = -1;
    bool got_ok = false;
    EXPECT_EQ(gor::select(on_default(), on_recv(b), on_recv(a, [&](int v, bool ok) {
                            got = v;
                            got_ok = ok;
                          })),
              2);
    EXPECT_EQ(got, 5);
    EXPECT_TRUE(got_ok);
    bool sent = false;
    EXPECT_EQ(gor::select(on_send(a, 6, [&] { sent = true; }), on_default()), 0);
    EXPECT_TRUE(sent);
    EXPECT_EQ(a.recv(), 6);
  });
}

// A send case on a closed channel panics, even when a default case exists.
TEST_P(SelectTest, SendOnClosedPanicsEvenWithDefault) {
  gor::RunResult r = run_on(GetParam(), [] {
    auto c = make_chan<int>();
    c.close();
    gor::select(on_send(c, 1), on_default());
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "send on closed channel");

  for (uint64_t seed = 1; seed <= 8; ++seed) {  // whatever the poll order
    r = run_on(GetParam(), [] {
      auto idle = make_chan<int>();
      auto c = make_chan<int>(4);
      c.close();
      gor::select(on_recv(idle), on_send(c, 1), on_default());
    }, seed);
    EXPECT_EQ(r.status, gor::RunStatus::Panic);
    EXPECT_EQ(r.message, "send on closed channel");
  }
}

// Among ready cases the choice is uniform (Go's TestSelectFairness, loosely bounded).
TEST_P(SelectTest, FairAmongReadyCases) {
  constexpr int kIters = 10000;
  int counts[3] = {0, 0, 0};
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>(1);
    auto b = make_chan<int>(1);
    auto out = make_chan<int>(1);
    a.send(0);
    b.send(0);
    for (int i = 0; i < kIters; ++i) {
      int k = gor::select(on_recv(a), on_recv(b), on_send(out, i));
      ++counts[k];
      if (k == 0) a.send(0);
      if (k == 1) b.send(0);
      if (k == 2) out.recv();
    }
  });
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(counts[k], kIters * 0.28) << "case " << k;
    EXPECT_LT(counts[k], kIters * 0.39) << "case " << k;
  }
}

// Two always-ready channels are each chosen about half the time.
TEST_P(SelectTest, FairBetweenTwoChannels) {
  constexpr int kIters = 10000;
  int first = 0;
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>(1);
    auto b = make_chan<int>(1);
    a.send(0);
    b.send(0);
    for (int i = 0; i < kIters; ++i) {
      if (gor::select(on_recv(a), on_recv(b)) == 0) {
        ++first;
        a.send(0);
      } else {
        b.send(0);
      }
    }
  });
  EXPECT_GT(first, kIters * 0.4);
  EXPECT_LT(first, kIters * 0.6);
}

// The same channel in two cases: either case may run; locking copes with the duplicate.
TEST_P(SelectTest, RepeatedChannel) {
  int first = 0;
  run_ok(GetParam(), [&] {
    auto c = make_chan<int>(1);
    for (int i = 0; i < 2000; ++i) {
      c.send(i);
      if (gor::select(on_recv(c), on_recv(c)) == 0) ++first;
    }
    auto u = make_chan<int>();
    gor::go([u] { u.send(9); });
    int got = 0;
    gor::select(on_recv(u, [&](int v, bool) { got = v; }), on_recv(u, [&](int v, bool) { got = v; }));
    EXPECT_EQ(got, 9);
  });
  EXPECT_GT(first, 600);
  EXPECT_LT(first, 1400);
}

// A blocked select is woken by a sender on one of its channels.
TEST_P(SelectTest, BlockedSelectWokenBySender) {
  int index = -1, got = 0;
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    auto done = make_chan<int>();
    gor::go([=, &index, &got] {
      index = gor::select(on_recv(a, [&](int v, bool) { got = v; }), on_recv(b, [&](int v, bool) { got = v; }));
      done.send(0);
    });
    for (int i = 0; i < 50; ++i) gor::yield();
    b.send(7);
    done.recv();
  });
  EXPECT_EQ(index, 1);
  EXPECT_EQ(got, 7);
}

// A blocked select's send case is woken by a receiver.
TEST_P(SelectTest, BlockedSendCaseWokenByReceiver) {
  int index = -1, got = 0;
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    auto done = make_chan<int>();
    gor::go([=, &index] {
      index = gor::select(on_send(a, 1), on_send(b, 2));
      done.send(0);
    });
    for (int i = 0; i < 50; ++i) gor::yield();
    got = b.recv();
    done.recv();
  });
  EXPECT_EQ(index, 1);
  EXPECT_EQ(got, 2);
}

// Closing a channel wakes a select blocked on it: the receive case runs with ok == false.
TEST_P(SelectTest, CloseWakesBlockedSelect) {
  int index = -1, got = -1;
  bool got_ok = true;
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    auto done = make_chan<int>();
    gor::go([=, &index, &got, &got_ok] {
      index = gor::select(on_recv(a), on_recv(b, [&](int v, bool ok) {
                            got = v;
                            got_ok = ok;
                          }));
      done.send(0);
    });
    for (int i = 0; i < 50; ++i) gor::yield();
    b.close();
    done.recv();
  });
  EXPECT_EQ(index, 1);
  EXPECT_EQ(got, 0);
  EXPECT_FALSE(got_ok);
}

// Closing a channel a select waits to send on makes the select panic.
TEST_P(SelectTest, CloseMakesBlockedSendCasePanic) {
  gor::RunResult r = run_on(GetParam(), [] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    gor::go([=] { gor::select(on_recv(a), on_send(b, 1)); });
    for (int i = 0; i < 50; ++i) gor::yield();
    b.close();
    Chan<int>().recv();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "send on closed channel");
}

// Cases on nil channels are never chosen.
TEST_P(SelectTest, NilCasesNeverChosen) {
  int wrong = 0;
  run_ok(GetParam(), [&] {
    Chan<int> nil;
    auto c = make_chan<int>(1);
    for (int i = 0; i < 1000; ++i) {
      c.send(i);
      if (gor::select(on_recv(nil), on_recv(c), on_send(nil, 1)) != 1) ++wrong;
    }
    if (gor::select(on_recv(nil), on_send(nil, 1), on_default()) != 2) ++wrong;
  });
  EXPECT_EQ(wrong, 0);
}

// A select over nil channels only, or with no cases, blocks forever: alone, it deadlocks.
TEST_P(SelectTest, BlocksForeverWithoutLiveCases) {
  gor::RunResult r = run_on(GetParam(), [] { gor::select(); });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);
  EXPECT_EQ(r.message, "all goroutines are asleep - deadlock!");
  EXPECT_NE(r.dump.find("select (no cases)"), std::string::npos) << r.dump;

  r = run_on(GetParam(), [] {
    Chan<int> nil;
    gor::select(on_recv(nil), on_send(nil, 1));
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);
  EXPECT_NE(r.dump.find("[select"), std::string::npos) << r.dump;

  r = run_on(GetParam(), [] { gor::select(on_recv(make_chan<int>()), on_recv(make_chan<int>())); });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);
}

// A pipeline stage built on select, disabling its send case with a nil channel while its
// queue is empty (the Go idiom): every value arrives, in order.
TEST_P(SelectTest, SendAndReceiveCases) {
  constexpr int kN = 3000;
  std::vector<int> got;
  run_ok(GetParam(), [&] {
    auto in = make_chan<int>();
    auto out = make_chan<int>();
    auto done = make_chan<int>();
    gor::go([in] {
      for (int i = 0; i < kN; ++i) in.send(i);
      in.close();
    });
    gor::go([out, done, &got] {
      for (int v : out) got.push_back(v);
      done.send(0);
    });
    std::deque<int> queue;
    bool in_open = true;
    while (in_open || !queue.empty()) {
      Chan<int> in_case = in_open ? in : Chan<int>();
      Chan<int> out_case = queue.empty() ? Chan<int>() : out;
      gor::select(on_recv(in_case,
                          [&](int v, bool ok) {
                            if (ok)
                              queue.push_back(v);
                            else
                              in_open = false;
                          }),
                  on_send(out_case, queue.empty() ? 0 : queue.front(), [&] { queue.pop_front(); }));
    }
    out.close();
    done.recv();
  });
  ASSERT_EQ(got.size(), size_t(kN));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(got[i], i);
}

// Go's TestSelfSelect: goroutines selecting to both send and receive on one channel; on an
// unbuffered channel a goroutine never receives its own value.
TEST_P(SelectTest, SelfSelect) {
  for (size_t cap : {size_t(0), size_t(10)}) {
    std::atomic<int> own{0};
    run_ok(GetParam(), [&] {
      auto c = make_chan<int>(cap);
      auto done = make_chan<int>();
      for (int p = 0; p < 2; ++p)
        gor::go([=, &own] {
          for (int i = 0; i < 1000; ++i) {
            gor::select(on_send(c, p), on_recv(c, [&](int v, bool) {
                          if (cap == 0 && v == p) ++own;
                        }));
          }
          done.send(0);
        });
      done.recv();
      done.recv();
    });
    EXPECT_EQ(own.load(), 0) << "cap " << cap;
  }
}

// Go's TestSelectStress: senders and receivers selecting over four channels (unbuffered and
// buffered); every value sent is received exactly once.
TEST_P(SelectTest, Stress) {
  constexpr int kN = 2000;  // values per channel
  int64_t received[4] = {0, 0, 0, 0};
  run_ok(GetParam(), [&] {
    Chan<int> c[4] = {make_chan<int>(), make_chan<int>(), make_chan<int>(2), make_chan<int>(3)};
    auto done = make_chan<int>(4);
    // Plain senders on 0..3 and a selecting sender over all four.
    for (int k = 0; k < 4; ++k)
      gor::go([=] {
        for (int i = 0; i < kN; ++i) c[k].send(1);
        done.send(0);
      });
    gor::go([=] {
      int left[4] = {kN, kN, kN, kN};
      int total = 4 * kN;
      while (total > 0) {
        Chan<int> s[4];
        for (int k = 0; k < 4; ++k)
          if (left[k] > 0) s[k] = c[k];
        int k = gor::select(on_send(s[0], 1), on_send(s[1], 1), on_send(s[2], 1), on_send(s[3], 1));
        --left[k];
        --total;
      }
      done.send(0);
    });
    // A selecting receiver collects everything; plain receivers would race it just as well.
    int64_t want = 8 * kN;
    int64_t got = 0;
    while (got < want) {
      int k = gor::select(on_recv(c[0]), on_recv(c[1]), on_recv(c[2]), on_recv(c[3]));
      ++received[k];
      ++got;
    }
    for (int i = 0; i < 5; ++i) done.recv();
  });
  for (int k = 0; k < 4; ++k) EXPECT_EQ(received[k], 2 * kN) << "channel " << k;
}

// Many goroutines blocked in selects over shared channels, woken by plain sends and by close.
TEST_P(SelectTest, ManySelectorsSharedChannels) {
  constexpr int kSelectors = 16, kValues = 4000;
  int64_t total = 0;
  run_ok(GetParam(), [&] {
    auto a = make_chan<int>();
    auto b = make_chan<int>(4);
    auto quit = make_chan<int>();
    auto sums = make_chan<int64_t>(kSelectors);
    for (int s = 0; s < kSelectors; ++s)
      gor::go([=] {
        int64_t sum = 0;
        bool running = true;
        while (running) {
          gor::select(on_recv(a, [&](int v, bool) { sum += v; }), on_recv(b, [&](int v, bool) { sum += v; }),
                      on_recv(quit, [&](int, bool) { running = false; }));
        }
        sums.send(sum);
      });
    for (int i = 1; i <= kValues; ++i) (i % 2 ? a : b).send(i);
    quit.close();
    for (int s = 0; s < kSelectors; ++s) total += sums.recv();
  });
  EXPECT_EQ(total, int64_t(kValues) * (kValues + 1) / 2);
}

// Move-only values in send and receive cases.
TEST_P(SelectTest, MoveOnlyValues) {
  int got = 0;
  run_ok(GetParam(), [&] {
    auto c = make_chan<std::unique_ptr<int>>();
    auto idle = make_chan<std::unique_ptr<int>>();
    gor::Chan<std::unique_ptr<int>> never;  // nil: its case is never chosen, so only c can match
    gor::go([=] { gor::select(on_send(c, std::make_unique<int>(11)), on_recv(idle)); });
    gor::select(on_recv(c, [&](std::unique_ptr<int> p, bool ok) {
                  if (ok) got = *p;
                }),
                on_send(never, nullptr));
  });
  EXPECT_EQ(got, 11);
}

// A select with one case and no default behaves as the plain operation.
TEST_P(SelectTest, SingleCase) {
  run_ok(GetParam(), [] {
    auto c = make_chan<int>(1);
    c.send(3);
    int got = 0;
    bool got_ok = false;
    EXPECT_EQ(gor::select(on_recv(c, [&](int v, bool ok) {
                got = v;
                got_ok = ok;
              })),
              0);
    EXPECT_EQ(got, 3);
    EXPECT_TRUE(got_ok);
    EXPECT_EQ(gor::select(on_send(c, 4)), 0);
    EXPECT_EQ(c.recv(), 4);
    c.close();
    EXPECT_EQ(gor::select(on_recv(c, [&](int v, bool ok) {
                got = v;
                got_ok = ok;
              })),
              0);
    EXPECT_EQ(got, 0);
    EXPECT_FALSE(got_ok);
  });
}

// Outside goroutines a select with a default works; a blocking one is a logic error.
TEST(SelectOutsideRun, OnlyNonBlocking) {
  auto a = make_chan<int>(1);
  auto b = make_chan<int>(1);
  EXPECT_EQ(gor::select(on_recv(a), on_recv(b), on_default()), 2);
  EXPECT_EQ(gor::select(on_send(a, 1), on_recv(b), on_default()), 0);
  EXPECT_THROW(gor::select(on_recv(b), on_recv(make_chan<int>())), std::logic_error);
}

}  // namespace
