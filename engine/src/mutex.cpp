// mutex.cpp — gor::Mutex, a port of Go 1.19's sync/mutex.go.
#include "gor/mutex.hpp"
#include "gor/trace.hpp"

#include "gor/panic.hpp"

namespace gor {

namespace detail {
// on_mutex_mode() records the mode switch as an EventKind::MutexMode event (the GUI
// flashes it) when the run is traced.
void on_mutex_mode(ObjectId& oid, ObjectKind kind, const void* object, bool starving) noexcept {
  if (tracing_active()) {
    trace_object_event(static_cast<int>(EventKind::MutexMode), oid.get(kind, object), starving ? 1 : 0);
  }
}
}  // namespace detail

void Mutex::lock_slow(detail::WaitReason reason, detail::ObjectId& oid, detail::ObjectKind kind,
                      const void* object, std::source_location where) {
  int64_t wait_start = 0;
  bool starving = false;
  bool awoke = false;
  int iter = 0;
  int32_t old = state_.load(std::memory_order_relaxed);
  for (;;) {
    // Don't spin in starvation mode: ownership is handed off to waiters, we couldn't get it.
    if ((old & (kLocked | kStarving)) == kLocked && detail::can_spin(iter)) {
      // Set the woken flag so that unlock does not wake other blocked goroutines.
      if (!awoke && (old & kWoken) == 0 && (old >> kWaiterShift) != 0 &&
          state_.compare_exchange_strong(old, old | kWoken, std::memory_order_relaxed)) {
        awoke = true;
      }
      detail::do_spin();
      ++iter;
      old = state_.load(std::memory_order_relaxed);
      continue;
    }
    int32_t next = old;
    // Don't try to acquire a starving mutex: newcomers must queue.
    if ((old & kStarving) == 0) next |= kLocked;
    if (old & (kLocked | kStarving)) next += 1 << kWaiterShift;
    // Switch to starvation mode, but only while the mutex is locked (unlock expects waiters).
    if (starving && (old & kLocked)) next |= kStarving;
    if (awoke) {
      // We are the woken goroutine: reset the flag.
      if ((next & kWoken) == 0) detail::fatal("sync: inconsistent mutex state");
      next &= ~kWoken;
    }
    if (state_.compare_exchange_weak(old, next, std::memory_order_acquire, std::memory_order_relaxed)) {
      if ((old & (kLocked | kStarving)) == 0) break;  // locked with the CAS
      if ((next & kStarving) && !(old & kStarving)) {
        starving_switches_.fetch_add(1, std::memory_order_relaxed);
        detail::on_mutex_mode(oid, kind, object, true);
      }
      // A goroutine that waited before queues at the front (Go: lifo when waitStartTime != 0).
      const bool lifo = wait_start != 0;
      if (wait_start == 0) wait_start = detail::nanotime();
      // The mutex is watched from its first contention on (snapshots, deadlock detection).
      sema_.acquire(reason, oid.get(kind, object), where, lifo, wait_start);
      starving = starving || detail::nanotime() - wait_start > kStarvationThresholdNs;
      old = state_.load(std::memory_order_relaxed);
      if (old & kStarving) {
        // Ownership was handed off to us; the state is inconsistent until we fix it: the
        // locked bit is clear and we are still counted as a waiter.
        if ((old & (kLocked | kWoken)) || (old >> kWaiterShift) == 0)
          detail::fatal("sync: inconsistent mutex state");
        int32_t delta = kLocked - (1 << kWaiterShift);
        const bool leave = !starving || (old >> kWaiterShift) == 1;
        // Exit starvation mode if we waited less than 1 ms or are the last waiter. Go does it
        // here, considering the handoff: staying starving would force lock-step handoffs.
        if (leave) delta -= kStarving;
        state_.fetch_add(delta, std::memory_order_acquire);
        if (leave) {
          normal_switches_.fetch_add(1, std::memory_order_relaxed);
          detail::on_mutex_mode(oid, kind, object, false);
        }
        break;
      }
      awoke = true;
      iter = 0;
    }
    // A failed CAS reloaded `old`.
  }
}

// unlock_slow decides, in the same CAS that clears the locked bit, whether to wake a waiter.
// (Go clears the bit with an atomic add and decides afterwards, re-reading the state; here
// that re-read could touch a mutex that another goroutine has meanwhile locked, unlocked and
// destroyed. After a successful CAS this function touches only the semaphore, and only when
// a waiter it accounted for still needs that token, so the waiter keeps the mutex alive.)
void Mutex::unlock_slow(int32_t old) {
  for (;;) {
    if ((old & kLocked) == 0) detail::fatal("sync: unlock of unlocked mutex");
    int32_t next = old & ~kLocked;
    if (old & kStarving) {
      // Starvation mode: hand ownership to the front waiter and yield our time slice so it
      // runs at once. The locked bit stays clear; the waiter sets it. A starving mutex is
      // still considered locked by newcomers, so they cannot acquire it meanwhile.
      if (state_.compare_exchange_weak(old, next, std::memory_order_release, std::memory_order_relaxed)) {
        sema_.release(/*handoff=*/true);
        return;
      }
      continue;
    }
    // Normal mode. If there are no waiters or a goroutine is already woken or has grabbed
    // the lock, no need to wake anyone. Otherwise take one waiter out of the count, set the
    // woken flag and wake it.
    const bool wake = (old >> kWaiterShift) != 0 && (old & kWoken) == 0;
    if (wake) next = (next - (1 << kWaiterShift)) | kWoken;
    if (state_.compare_exchange_weak(old, next, std::memory_order_release, std::memory_order_relaxed)) {
      if (wake) sema_.release(/*handoff=*/false);
      return;
    }
  }
}

}  // namespace gor
