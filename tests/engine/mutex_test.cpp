// mutex_test.cpp — gor::Mutex: the intent of Go's sync/mutex_test.go.
#include <atomic>
#include <chrono>
#include <mutex>
#include <type_traits>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;
using gortest::run_on;

static_assert(!std::is_copy_constructible_v<gor::Mutex> && !std::is_move_constructible_v<gor::Mutex>,
              "copylocks: a Mutex must not be copied");

class MutexTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(MutexTest);

// Many goroutines increment a plain counter under the mutex (Go's HammerMutex).
TEST_P(MutexTest, MutualExclusionStress) {
  constexpr int kG = 16, kIters = 2000;
  long counter = 0;
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  run_ok(GetParam(), [&] {
    gor::Mutex m;
    gor::WaitGroup wg;
    wg.add(kG);
    for (int g = 0; g < kG; ++g) {
      gor::go([&, g] {
        for (int i = 0; i < kIters; ++i) {
          if ((i + g) % 3 == 0) {
            std::lock_guard lk(m);
            if (inside.fetch_add(1) != 0) overlap = true;
            ++counter;
            inside.fetch_sub(1);
          } else if ((i + g) % 3 == 1) {
            std::unique_lock lk(m);
            if (inside.fetch_add(1) != 0) overlap = true;
            ++counter;
            inside.fetch_sub(1);
            lk.unlock();
            if (i % 64 == 0) gor::yield();
          } else {
            while (!m.try_lock()) gor::yield();
            if (inside.fetch_add(1) != 0) overlap = true;
            ++counter;
            inside.fetch_sub(1);
            m.unlock();
          }
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_FALSE(m.is_locked());
  });
  EXPECT_EQ(counter, long{kG} * kIters);
  EXPECT_FALSE(overlap.load());
}

TEST_P(MutexTest, TryLock) {
  run_ok(GetParam(), [] {
    gor::Mutex m;
    EXPECT_TRUE(m.try_lock());
    EXPECT_FALSE(m.try_lock());
    std::atomic<int> other{-1};
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      other = m.try_lock() ? 1 : 0;
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(other.load(), 0);
    m.unlock();
    EXPECT_TRUE(m.try_lock());
    m.unlock();
    std::unique_lock lk(m, std::try_to_lock);
    EXPECT_TRUE(lk.owns_lock());
  });
}

// Go's TestMutexFairness: a goroutine that holds the lock almost continuously (short gaps)
// must not starve another that wants it 10 times. The hog gives up after a bounded number
// of rounds; the polite goroutine must have finished by then.
TEST_P(MutexTest, Fairness) {
  std::atomic<bool> polite_done{false};
  std::atomic<int> hog_rounds{0};
  run_ok(GetParam(), [&] {
    gor::Mutex m;
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      for (int i = 0; i < 20000 && !polite_done; ++i) {
        m.lock();
        gor::sleep(100us);
        m.unlock();
        hog_rounds.fetch_add(1);
      }
      wg.done();
    });
    gor::go([&] {
      for (int i = 0; i < 10; ++i) {
        gor::sleep(100us);
        m.lock();
        m.unlock();
      }
      polite_done = true;
      wg.done();
    });
    wg.wait();
  });
  EXPECT_TRUE(polite_done.load()) << "the polite goroutine starved for " << hog_rounds.load() << " hog rounds";
}

// Waiters that wait more than 1 ms switch the mutex to starvation mode; handoffs bring it
// back to normal when the last waiter gets it.
TEST_P(MutexTest, StarvationModeSwitches) {
  uint64_t starving = 0, normal = 0;
  bool still_starving = true;
  long counter = 0;
  run_ok(GetParam(), [&] {
    gor::Mutex m;
    gor::WaitGroup wg;
    constexpr int kG = 3;
    wg.add(kG);
    for (int g = 0; g < kG; ++g) {
      gor::go([&] {
        for (int i = 0; i < 10; ++i) {
          m.lock();
          gor::sleep(2ms);  // everyone queued meanwhile waits > 1 ms
          ++counter;
          m.unlock();
        }
        wg.done();
      });
    }
    wg.wait();
    starving = m.starving_switches();
    normal = m.normal_switches();
    still_starving = m.is_starving();
  });
  EXPECT_EQ(counter, 30);
  EXPECT_GE(starving, 1u);
  EXPECT_GE(normal, 1u);
  EXPECT_EQ(starving, normal) << "every starvation episode ends";
  EXPECT_FALSE(still_starving);
}

TEST(MutexFatal, UnlockOfUnlocked) {
  gor::RunResult r = run_on(1, [] {
    gor::Mutex m;
    m.unlock();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: unlock of unlocked mutex");
}

TEST(MutexFatal, NotCatchableAsStdException) {
  gor::RunResult r = run_on(1, [] {
    gor::Mutex m;
    m.lock();
    m.unlock();
    try {
      m.unlock();
    } catch (const std::exception&) {
      ADD_FAILURE() << "fatal error caught as std::exception";
    }
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: unlock of unlocked mutex");
}

// Go's fatal errors cannot be recovered: even a catch (...) that swallows the FatalError
// leaves the run ending with the fatal error, and the code after it runs at most until the
// goroutine's next engine call.
TEST(MutexFatal, NotRecoverableEvenByCatchAll) {
  std::atomic<bool> went_on{false};
  gor::RunResult r = run_on(2, [&] {
    gor::Mutex m;
    try {
      m.unlock();
    } catch (...) {
      // swallowed
    }
    gor::yield();  // an engine call: the run has ended, so this goroutine is unwound here
    went_on = true;
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_TRUE(r.fatal);
  EXPECT_EQ(r.message, "sync: unlock of unlocked mutex");
  EXPECT_FALSE(went_on.load());
}

// RunResult::fatal tells Go's "fatal error: " outcomes from panics.
TEST(MutexFatal, FatalFlagSeparatesFatalErrorsFromPanics) {
  gor::RunResult fatal = run_on(1, [] {
    gor::RWMutex rw;
    rw.runlock();
  });
  EXPECT_EQ(fatal.message, "sync: RUnlock of unlocked RWMutex");
  EXPECT_TRUE(fatal.fatal);
  gor::RunResult panic = run_on(1, [] { throw gor::Panic("boom"); });
  EXPECT_EQ(panic.status, gor::RunStatus::Panic);
  EXPECT_FALSE(panic.fatal);
  gor::RunResult deadlock = run_on(1, [] { gor::make_chan<int>().recv(); });
  EXPECT_EQ(deadlock.status, gor::RunStatus::Deadlock);
  EXPECT_TRUE(deadlock.fatal);
  gor::RunResult ok = run_on(1, [] {});
  EXPECT_FALSE(ok.fatal);
}

// An uncaught exception that is not a std::exception still ends the run as a panic, with a
// message saying so (RunResult::message).
TEST(MutexFatal, NonStdExceptionIsAPanicWithAClearMessage) {
  gor::RunResult r = run_on(2, [] {
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      wg.done();
      throw 42;
    });
    wg.wait();
    gor::sleep(std::chrono::seconds(10));  // the panic ends the run first
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_FALSE(r.fatal);
  EXPECT_EQ(r.message, "unknown C++ exception");
  EXPECT_NE(r.panicking_goid, 1u);
}

// The last goroutine to leave destroys the mutex right after its unlock, while the other
// may still be returning from its own unlock (use-after-free canary for asan).
TEST_P(MutexTest, DestroyedByLastUser) {
  run_ok(GetParam(), [] {
    gor::WaitGroup wg;
    for (int round = 0; round < 300; ++round) {
      struct Shared {
        gor::Mutex m;
        int left = 3;
      };
      auto* s = new Shared;
      wg.add(3);
      for (int g = 0; g < 3; ++g) {
        gor::go([s, &wg] {
          s->m.lock();
          const bool last = --s->left == 0;
          s->m.unlock();
          if (last) delete s;
          wg.done();
        });
      }
      wg.wait();
    }
  });
}
