// runtime_lock_test.cpp — RuntimeLock (gor/detail/park.hpp), the runtime's futex lock: mutual
// exclusion under contention and no lost wake-up for threads that went to sleep on it.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gor/detail/park.hpp"
#include "test_util.hpp"

namespace {

using gor::detail::RuntimeLock;

TEST(RuntimeLock, TryLockFailsWhileHeldAndSucceedsAfter) {
  RuntimeLock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock());
  lock.unlock();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

// Threads hammer one lock around a non-atomic counter; with critical sections of varied
// length some waiters spin, some yield and some sleep. The count proves mutual exclusion, and
// `inside` that at most one thread is ever in the critical section.
TEST(RuntimeLock, ContendedIncrementsAreExclusive) {
  constexpr int kThreads = 4;
  const int per = gortest::sanitized_scale(100000);
  RuntimeLock lock;
  long counter = 0;
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per; ++i) {
        std::lock_guard<RuntimeLock> guard(lock);
        int now_inside = inside.fetch_add(1, std::memory_order_relaxed) + 1;
        if (now_inside > max_inside.load(std::memory_order_relaxed)) max_inside.store(now_inside);
        ++counter;
        if ((i + t) % 997 == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));  // force sleepers
        inside.fetch_sub(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter, long(kThreads) * per);
  EXPECT_EQ(max_inside.load(), 1);
}

// A lock held for 20 ms sends every waiter to sleep on its futex (the spin lasts
// microseconds). Releasing it must wake them one after another until all got it: a lost
// wake-up would leave a thread asleep for good, caught here by the deadline.
TEST(RuntimeLock, SleepingWaitersAreAllWoken) {
  constexpr int kWaiters = 3;
  for (int round = 0; round < 5; ++round) {
    RuntimeLock lock;
    lock.lock();
    std::atomic<int> acquired{0};
    std::vector<std::future<void>> done;
    for (int w = 0; w < kWaiters; ++w) {
      done.push_back(std::async(std::launch::async, [&] {
        lock.lock();
        acquired.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // later ones sleep again
        lock.unlock();
      }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(acquired.load(), 0);
    lock.unlock();
    for (auto& f : done) ASSERT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "lost wake-up";
    EXPECT_EQ(acquired.load(), kWaiters);
  }
}

}  // namespace

namespace {

// Many more threads than cores, each taking the lock for a moment and then pausing outside
// it: threads keep arriving while others sleep on the futex, the interleaving in which a
// newcomer's first exchange overwrites the "sleeper present" state. The newcomer must then
// take the lock as kSleeping so that its unlock() wakes the sleeper; if it did not, a thread
// would stay asleep for good and this test would never finish.
TEST(RuntimeLock, NewcomersDoNotStrandSleepers) {
  constexpr int kThreads = 8;
  const int per = gortest::sanitized_scale(20000);
  RuntimeLock lock;
  long counter = 0;
  std::vector<std::future<void>> done;
  for (int t = 0; t < kThreads; ++t) {
    done.push_back(std::async(std::launch::async, [&, t] {
      for (int i = 0; i < per; ++i) {
        lock.lock();
        ++counter;
        if ((i * 7 + t) % 61 == 0) std::this_thread::yield();  // hold it across a yield now and then
        lock.unlock();
        if (i % 5 == 0) std::this_thread::yield();
      }
    }));
  }
  for (auto& f : done) ASSERT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "lost wake-up";
  EXPECT_EQ(counter, long(kThreads) * per);
}

}  // namespace
