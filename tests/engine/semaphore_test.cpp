// semaphore_test.cpp — gor::Semaphore: the intent of x/sync/semaphore's tests.
#include <atomic>
#include <chrono>
#include <type_traits>
#include <vector>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;
using gortest::run_on;
using gortest::spin_until;

static_assert(!std::is_copy_constructible_v<gor::Semaphore> && !std::is_move_constructible_v<gor::Semaphore>);

class SemaphoreTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(SemaphoreTest);

// The held weight never exceeds the capacity.
TEST_P(SemaphoreTest, LimitNeverExceeded) {
  std::atomic<int64_t> max_held{0};
  std::atomic<bool> over{false};
  run_ok(GetParam(), [&] {
    constexpr int64_t kCap = 5;
    gor::Semaphore sem(kCap);
    std::atomic<int64_t> held{0};
    gor::WaitGroup wg;
    constexpr int kG = 16;
    wg.add(kG);
    for (int g = 0; g < kG; ++g) {
      gor::go([&, g] {
        for (int i = 0; i < 100; ++i) {
          const int64_t n = 1 + (g + i) % 3;
          sem.acquire(n);
          const int64_t now = held.fetch_add(n) + n;
          if (now > kCap) over = true;
          int64_t m = max_held.load();
          while (now > m && !max_held.compare_exchange_weak(m, now)) {
          }
          if (i % 4 == 0) gor::yield();
          held.fetch_sub(n);
          sem.release(n);
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_TRUE(sem.try_acquire(kCap)) << "all weight is back";
  });
  EXPECT_FALSE(over.load());
  EXPECT_LE(max_held.load(), 5);
}

// A queued large request is not overtaken by a later small one, and try_acquire fails
// while anyone waits even if the weight is available.
TEST_P(SemaphoreTest, FifoLargeRequestNotOvertaken) {
  run_ok(GetParam(), [] {
    gor::Semaphore sem(10);
    sem.acquire(10);
    std::vector<int> order;
    gor::Mutex order_mu;
    std::atomic<bool> small_in{false};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      sem.acquire(10);
      {
        std::lock_guard g(order_mu);
        order.push_back(10);
      }
      gor::sleep(1ms);
      sem.release(10);
      wg.done();
    });
    // The large request is queued once a freed unit cannot be taken back.
    ASSERT_TRUE(spin_until([&] {
      sem.release(1);
      if (!sem.try_acquire(1)) return true;
      return false;
    }));
    // Now 1 unit is free but the large request waits: try_acquire must fail.
    EXPECT_FALSE(sem.try_acquire(1));
    gor::go([&] {
      sem.acquire(1);
      small_in = true;
      {
        std::lock_guard g(order_mu);
        order.push_back(1);
      }
      sem.release(1);
      wg.done();
    });
    gor::sleep(2ms);
    EXPECT_FALSE(small_in.load()) << "a small request overtook the queued large one";
    sem.release(9);
    wg.wait();
    ASSERT_EQ(order.size(), 2u);
    EXPECT_EQ(order[0], 10);
    EXPECT_EQ(order[1], 1);
  });
}

TEST(SemaphorePanic, ReleaseMoreThanHeld) {
  run_ok(1, [] {
    gor::Semaphore sem(3);
    sem.acquire(2);
    try {
      sem.release(3);
      ADD_FAILURE() << "no panic";
    } catch (const gor::Panic& p) {
      EXPECT_STREQ(p.what(), "semaphore: released more than held");
    }
  });
  gor::RunResult r = run_on(1, [] {
    gor::Semaphore sem(1);
    sem.release(1);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "semaphore: released more than held");
}

// acquire(n > capacity) can never succeed: it blocks forever (here: the run deadlocks).
TEST(SemaphoreBlock, AcquireMoreThanCapacityBlocksForever) {
  gor::RunResult r = run_on(1, [] {
    gor::Semaphore sem(2);
    sem.acquire(3);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);
}

// The acquirer frees the semaphore as soon as acquire returns (asan checks).
TEST_P(SemaphoreTest, DestroyedRightAfterAcquire) {
  run_ok(GetParam(), [] {
    gor::WaitGroup wg;
    for (int round = 0; round < 300; ++round) {
      auto* sem = new gor::Semaphore(1);
      sem->acquire(1);
      wg.add(1);
      gor::go([sem, &wg] {
        sem->acquire(1);
        delete sem;
        wg.done();
      });
      gor::yield();
      sem->release(1);
      wg.wait();
    }
  });
}
