// runtime_lock.cpp — the contended paths of RuntimeLock (gor/detail/park.hpp), a port of Go's
// runtime/lock_futex.go (lock2/unlock2) onto Linux futexes.

#include "det_world.hpp"
#include <cstdio>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gor/detail/park.hpp"

namespace gor::detail {

namespace {

// Go's constants: active_spin rounds of active_spin_cnt PAUSEs, then passive_spin yields.
constexpr int kActiveSpin = 4;
constexpr int kActiveSpinCount = 30;
constexpr int kPassiveSpin = 1;

void futex_wait(std::atomic<uint32_t>* addr, uint32_t expected) noexcept {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void futex_wake(std::atomic<uint32_t>* addr, int n) noexcept {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

}  // namespace

// lock_slow() is lock2 after a first exchange that found the lock held (`was`). `wait` is the
// state to leave behind when we do get the lock: that exchange may have overwritten
// kSleeping with kLocked, and once we have slept other sleepers may exist, so in both cases
// we take the lock as kSleeping and our unlock() wakes the next sleeper. No wake-up is lost.
void RuntimeLock::lock_slow(uint32_t was) noexcept {
  if (det_world_of_thread() != nullptr) {
    // A deterministic run moves one M at a time on this thread: a held lock here is held by
    // an M that is switched out, and waiting for it would hang the run for ever.
    std::fprintf(stderr, "gor: fatal: a runtime lock is held across a scheduling point of a deterministic run\n");
    std::abort();
  }
  uint32_t wait = was;
  static const bool multicore = std::thread::hardware_concurrency() > 1;
  const int spin = multicore ? kActiveSpin : 0;
  for (;;) {
    for (int i = 0; i < spin; ++i) {
      for (uint32_t expected = kUnlocked; key_.load(std::memory_order_relaxed) == kUnlocked; expected = kUnlocked) {
        if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire, std::memory_order_relaxed)) return;
      }
      for (int k = 0; k < kActiveSpinCount; ++k) cpu_relax();
    }
    for (int i = 0; i < kPassiveSpin; ++i) {
      for (uint32_t expected = kUnlocked; key_.load(std::memory_order_relaxed) == kUnlocked; expected = kUnlocked) {
        if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire, std::memory_order_relaxed)) return;
      }
      sched_yield();
    }
    // Announce a sleeper; if the lock was released meanwhile we own it (as kSleeping).
    if (key_.exchange(kSleeping, std::memory_order_acquire) == kUnlocked) return;
    wait = kSleeping;
    futex_wait(&key_, kSleeping);
  }
}

// wake_one() is unlock2's futexwakeup: a sleeper may wait on the lock just released.
void RuntimeLock::wake_one() noexcept { futex_wake(&key_, 1); }

}  // namespace gor::detail
