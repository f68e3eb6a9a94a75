// rwmutex_test.cpp — gor::RWMutex: the intent of Go's sync/rwmutex_test.go.
#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <type_traits>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;
using gortest::run_on;
using gortest::spin_until;

static_assert(!std::is_copy_constructible_v<gor::RWMutex> && !std::is_move_constructible_v<gor::RWMutex>);

class RWMutexTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(RWMutexTest);

// Readers hold the lock together; a writer cannot get it meanwhile.
TEST_P(RWMutexTest, ReadersShare) {
  run_ok(GetParam(), [] {
    gor::RWMutex rw;
    rw.rlock();
    EXPECT_TRUE(rw.try_rlock());  // a second read lock while one is held
    std::atomic<int> other_reader{-1}, other_writer{-1};
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      other_reader = rw.try_rlock() ? 1 : 0;
      if (other_reader == 1) rw.runlock();
      other_writer = rw.try_lock() ? 1 : 0;
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(other_reader.load(), 1);
    EXPECT_EQ(other_writer.load(), 0);
    rw.runlock();
    rw.runlock();
    EXPECT_TRUE(rw.try_lock());
    EXPECT_FALSE(rw.try_rlock());
    EXPECT_FALSE(rw.try_lock());
    rw.unlock();
  });
}

// Go's writer preference: once a writer waits, new readers block until it has had the lock.
TEST_P(RWMutexTest, WriterPreference) {
  run_ok(GetParam(), [] {
    gor::RWMutex rw;
    std::atomic<bool> writer_done{false}, reader_in{false}, reader_saw_writer_done{false};
    gor::WaitGroup wg;
    rw.rlock();
    wg.add(2);
    gor::go([&] {
      rw.lock();
      writer_done = true;
      rw.unlock();
      wg.done();
    });
    // The writer is pending once new read locks fail.
    ASSERT_TRUE(spin_until([&] {
      if (!rw.try_rlock()) return true;
      rw.runlock();
      return false;
    }));
    gor::go([&] {
      rw.rlock();
      reader_in = true;
      reader_saw_writer_done = writer_done.load();
      rw.runlock();
      wg.done();
    });
    gor::sleep(3ms);
    EXPECT_FALSE(reader_in.load()) << "a new reader got in while a writer waited";
    EXPECT_FALSE(writer_done.load()) << "the writer got in while a reader held the lock";
    rw.runlock();
    wg.wait();
    EXPECT_TRUE(writer_done.load());
    EXPECT_TRUE(reader_saw_writer_done.load());
  });
}

// Go's HammerRWMutex: activity counts readers in units of 1 and writers in 10000.
TEST_P(RWMutexTest, Hammer) {
  std::atomic<bool> bad{false};
  run_ok(GetParam(), [&] {
    gor::RWMutex rw;
    std::atomic<int> activity{0};
    gor::WaitGroup wg;
    constexpr int kReaders = 8, kWriters = 2, kIters = 500;
    wg.add(kReaders + kWriters);
    for (int i = 0; i < kWriters; ++i) {
      gor::go([&] {
        for (int k = 0; k < kIters; ++k) {
          std::unique_lock lk(rw);
          if (activity.fetch_add(10000) + 10000 != 10000) bad = true;
          gor::yield();
          if (activity.fetch_sub(10000) - 10000 != 0) bad = true;
        }
        wg.done();
      });
    }
    for (int i = 0; i < kReaders; ++i) {
      gor::go([&, i] {
        for (int k = 0; k < kIters; ++k) {
          std::shared_lock lk(rw);
          const int n = activity.fetch_add(1) + 1;
          if (n < 1 || n >= 10000) bad = true;
          if ((k + i) % 8 == 0) gor::yield();
          activity.fetch_sub(1);
        }
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_FALSE(bad.load());
}

TEST_P(RWMutexTest, SharedLockAndTryLockShared) {
  run_ok(GetParam(), [] {
    gor::RWMutex rw;
    {
      std::shared_lock a(rw);
      std::shared_lock b(rw, std::try_to_lock);
      EXPECT_TRUE(b.owns_lock());
      std::unique_lock w(rw, std::try_to_lock);
      EXPECT_FALSE(w.owns_lock());
    }
    std::lock_guard w(rw);
    EXPECT_FALSE(rw.try_lock_shared());
  });
}

TEST(RWMutexFatal, RUnlockOfUnlocked) {
  gor::RunResult r = run_on(1, [] {
    gor::RWMutex rw;
    rw.runlock();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: RUnlock of unlocked RWMutex");
}

TEST(RWMutexFatal, RUnlockWhileWriteLocked) {
  gor::RunResult r = run_on(1, [] {
    gor::RWMutex rw;
    rw.lock();
    rw.runlock();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: RUnlock of unlocked RWMutex");
}

TEST(RWMutexFatal, UnlockOfUnlocked) {
  gor::RunResult r = run_on(1, [] {
    gor::RWMutex rw;
    rw.unlock();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: Unlock of unlocked RWMutex");
}

// A reader may destroy the RWMutex as soon as its runlock() returned, even while the writer
// that let it in is still inside unlock() (Go relies on its GC here; we on ~RWMutex).
TEST_P(RWMutexTest, ReaderDestroysRightAfterWriterUnlock) {
  constexpr int kRounds = gortest::sanitized_scale(2000);
  std::atomic<int> destroyed{0};
  gortest::run_ok(GetParam(), [&] {
    gor::WaitGroup wg;
    for (int i = 0; i < kRounds; ++i) {
      auto* rw = new gor::RWMutex;
      rw->lock();
      wg.add(1);
      gor::go([&, rw] {
        rw->rlock();  // waits for the writer below
        rw->runlock();
        delete rw;
        destroyed.fetch_add(1);
        wg.done();
      });
      gor::yield();
      rw->unlock();  // may still be inside unlock() when the reader deletes rw
    }
    wg.wait();
  });
  EXPECT_EQ(destroyed.load(), kRounds);
}
