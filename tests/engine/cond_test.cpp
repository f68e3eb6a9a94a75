// cond_test.cpp — gor::Cond: the intent of Go's sync/cond_test.go.
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <type_traits>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;
using gortest::spin_until;

static_assert(!std::is_copy_constructible_v<gor::Cond> && !std::is_move_constructible_v<gor::Cond>);

class CondTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(CondTest);

// Go's TestCondSignal: each signal wakes exactly one waiter.
TEST_P(CondTest, SignalWakesOne) {
  run_ok(GetParam(), [] {
    gor::Mutex m;
    gor::Cond c(m);
    constexpr int kN = 5;
    int waiting = 0;
    std::atomic<int> woken{0};
    gor::WaitGroup wg;
    wg.add(kN);
    for (int i = 0; i < kN; ++i) {
      gor::go([&] {
        std::unique_lock lk(m);
        ++waiting;
        c.wait();
        woken.fetch_add(1);
        lk.unlock();
        wg.done();
      });
    }
    ASSERT_TRUE(spin_until([&] {
      std::lock_guard lk(m);
      return waiting == kN;  // all have taken their tickets (wait took them under m)
    }));
    for (int i = 1; i <= kN; ++i) {
      c.signal();
      ASSERT_TRUE(spin_until([&] { return woken.load() >= i; }));
      gor::sleep(200us);
      EXPECT_EQ(woken.load(), i) << "a signal woke more than one waiter";
    }
    wg.wait();
  });
}

TEST_P(CondTest, BroadcastWakesAll) {
  run_ok(GetParam(), [] {
    gor::Mutex m;
    gor::Cond c(m);
    constexpr int kN = 8;
    int waiting = 0;
    std::atomic<int> woken{0};
    gor::WaitGroup wg;
    wg.add(kN);
    for (int i = 0; i < kN; ++i) {
      gor::go([&] {
        m.lock();
        ++waiting;
        c.wait();
        woken.fetch_add(1);
        m.unlock();
        wg.done();
      });
    }
    ASSERT_TRUE(spin_until([&] {
      std::lock_guard lk(m);
      return waiting == kN;
    }));
    c.broadcast();
    wg.wait();
    EXPECT_EQ(woken.load(), kN);
    c.broadcast();  // nobody waits: no effect
    c.signal();
  });
}

// A signal with nobody waiting is not remembered (ticket semantics).
TEST_P(CondTest, SignalBeforeWaitIsLost) {
  run_ok(GetParam(), [] {
    gor::Mutex m;
    gor::Cond c(m);
    c.signal();
    std::atomic<bool> woke{false};
    bool waiting = false;
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      std::unique_lock lk(m);
      waiting = true;
      c.wait();
      woke = true;
      lk.unlock();
      wg.done();
    });
    ASSERT_TRUE(spin_until([&] {
      std::lock_guard lk(m);
      return waiting;
    }));
    gor::sleep(1ms);
    EXPECT_FALSE(woke.load());
    c.signal();
    wg.wait();
    EXPECT_TRUE(woke.load());
  });
}

TEST_P(CondTest, ProducerConsumer) {
  long sum = 0;
  run_ok(GetParam(), [&] {
    gor::Mutex m;
    gor::Cond not_empty(m), not_full(m);
    std::deque<int> q;
    constexpr int kCap = 4, kItems = 2000, kConsumers = 3;
    gor::WaitGroup wg;
    wg.add(kConsumers);
    for (int i = 0; i < kConsumers; ++i) {
      gor::go([&] {
        for (;;) {
          std::unique_lock lk(m);
          while (q.empty()) not_empty.wait();
          const int v = q.front();
          q.pop_front();
          not_full.signal();
          lk.unlock();
          if (v < 0) break;
          std::lock_guard g(m);
          sum += v;
        }
        wg.done();
      });
    }
    for (int i = 1; i <= kItems + kConsumers; ++i) {
      std::unique_lock lk(m);
      while (static_cast<int>(q.size()) >= kCap) not_full.wait();
      q.push_back(i <= kItems ? i : -1);
      not_empty.signal();
    }
    wg.wait();
  });
  EXPECT_EQ(sum, long{2000} * 2001 / 2);
}

// The waiter destroys the Cond and its mutex as soon as it is done with them, while the
// signaller may still be returning from unlock (asan checks).
TEST_P(CondTest, DestroyedAfterWait) {
  run_ok(GetParam(), [] {
    for (int round = 0; round < 200; ++round) {
      auto* m = new gor::Mutex;
      auto* c = new gor::Cond(*m);
      bool ready = false;
      gor::WaitGroup wg;
      wg.add(1);
      gor::go([&, m, c] {
        m->lock();
        ready = true;
        c->broadcast();
        m->unlock();
        wg.done();
      });
      m->lock();
      while (!ready) c->wait();
      m->unlock();
      delete c;
      delete m;
      wg.wait();
    }
  });
}
