// mutex.hpp — gor::Mutex, Go's sync.Mutex (sync/mutex.go, Go 1.19) on the engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>

#include "gor/detail/object_id.hpp"
#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"
#include "gor/detail/sema.hpp"

namespace gor {

class RWMutex;

namespace detail {
struct Inspector;
// on_mutex_mode() is called on every switch of the mutex with id `oid` into (starving =
// true) or out of (starving = false) starvation mode, by the goroutine that made the switch;
// it records a MutexMode event when the run is traced (the GUI flashes the switch).
void on_mutex_mode(ObjectId& oid, ObjectKind kind, const void* object, bool starving) noexcept;
}  // namespace detail

// Mutex is a mutual exclusion lock with Go's algorithm: an uncontended lock or unlock is one
// CAS; contended lockers spin a little when it pays (detail::can_spin), then queue FIFO on
// a semaphore. Normal mode lets a woken waiter compete with newcomers (re-woken waiters
// queue at the front); a waiter that waited more than 1 ms of engine time switches the
// mutex to starvation mode, where unlock hands ownership directly to the front waiter and
// newcomers queue at the tail; the mutex switches back when the handed-off waiter is the
// last one or waited less than 1 ms.
//
// Mutex satisfies Lockable (std::lock_guard, std::unique_lock). It is neither copyable nor
// movable. It may be destroyed as soon as no goroutine holds it or waits for it, even
// while the goroutine that last unlocked it is still returning from unlock().
// Unlocking an unlocked mutex is a fatal error: "sync: unlock of unlocked mutex".
//
// The mutex remembers its holder (one relaxed store per lock, for snapshots and the
// partial-deadlock detector) and gets an object id only when watched: when named, on first
// contention, or in a traced run (see detail/object_id.hpp).
class Mutex {
 public:
  Mutex() = default;
  // Mutex(name) names the mutex for dumps, snapshots and traces ("mu"); it is registered at once.
  explicit Mutex(const char* name) noexcept { oid_.name(detail::ObjectKind::Mutex, this, name); }
  ~Mutex() {
    oid_.release();
    if (detail::race_active()) [[unlikely]] detail::race_free_sync(this);
  }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // lock() locks the mutex, parking ("sync.Mutex.Lock", recorded at `where`) while it is held.
  void lock(std::source_location where = std::source_location::current()) {
    detail::sched_point();
    int32_t expected = 0;
    if (!state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed))
      lock_slow(detail::WaitReason::MutexLock, oid_, detail::ObjectKind::Mutex, this, where);
    holder_.store(detail::current_goid(), std::memory_order_relaxed);
    // the last unlock happens before
    if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Mutex, oid_, detail::ObjectKind::Mutex, this));
    if (detail::tracing_active()) [[unlikely]]
      detail::trace_mutex_op(oid_, detail::ObjectKind::Mutex, this, true);
  }

  // try_lock() locks the mutex if that needs no waiting; it never takes it from a starving queue.
  bool try_lock() noexcept {
    detail::sched_point();
    if (!try_lock_raw()) return false;
    holder_.store(detail::current_goid(), std::memory_order_relaxed);
    if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Mutex, oid_, detail::ObjectKind::Mutex, this));
    if (detail::tracing_active()) [[unlikely]]
      detail::trace_mutex_op(oid_, detail::ObjectKind::Mutex, this, true);
    return true;
  }

  // unlock() unlocks the mutex (held by any goroutine, as in Go) and wakes a waiter if needed.
  void unlock() {
    detail::sched_point();
    if (detail::tracing_active()) [[unlikely]]
      detail::trace_mutex_op(oid_, detail::ObjectKind::Mutex, this, false);
    // before the next lock
    if (detail::race_active()) [[unlikely]] detail::race_release(this, 0, detail::race_tag(detail::RaceEdge::Mutex, oid_, detail::ObjectKind::Mutex, this));
    unlock_raw();
  }

  // id() is the mutex's object id, 0 while it is not watched (see detail/object_id.hpp).
  uint64_t id() const noexcept { return oid_.peek(); }

  // is_starving() is whether the mutex is in starvation mode now.
  bool is_starving() const noexcept { return state_.load(std::memory_order_relaxed) & kStarving; }
  // is_locked() is whether the mutex is held now (inspection only).
  bool is_locked() const noexcept { return state_.load(std::memory_order_relaxed) & kLocked; }
  // starving_switches() counts switches into starvation mode since construction.
  uint64_t starving_switches() const noexcept { return starving_switches_.load(std::memory_order_relaxed); }
  // normal_switches() counts switches from starvation back to normal mode.
  uint64_t normal_switches() const noexcept { return normal_switches_.load(std::memory_order_relaxed); }

 private:
  friend class RWMutex;
  friend struct detail::Inspector;

  // Go's state bits; the rest of the word counts waiters (blocked in lock_slow or about to).
  static constexpr int32_t kLocked = 1;
  static constexpr int32_t kWoken = 2;     // a waiter is awake (spinning or woken): unlock need not wake one
  static constexpr int32_t kStarving = 4;  // ownership is handed off, newcomers queue
  static constexpr int kWaiterShift = 3;
  static constexpr int64_t kStarvationThresholdNs = 1'000'000;

  // lock_as() is lock() parking with another reason and object, untraced (RWMutex's writer lock).
  void lock_as(detail::WaitReason reason, detail::ObjectId& oid, detail::ObjectKind kind, const void* object,
               std::source_location where) {
    int32_t expected = 0;
    if (!state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed))
      lock_slow(reason, oid, kind, object, where);
    holder_.store(detail::current_goid(), std::memory_order_relaxed);
  }
  // try_lock_raw() and unlock_raw() are try_lock() and unlock() without holder or tracing.
  bool try_lock_raw() noexcept {
    int32_t old = state_.load(std::memory_order_relaxed);
    if (old & (kLocked | kStarving)) return false;
    return state_.compare_exchange_strong(old, old | kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void unlock_raw() {
    int32_t old = kLocked;
    if (state_.compare_exchange_strong(old, 0, std::memory_order_release, std::memory_order_relaxed))
      return;
    unlock_slow(old);
  }
  // lock_slow() parks as (reason, oid of `object` of `kind`): the object whose id the
  // waiting goroutine shows (this mutex, or the RWMutex that embeds it).
  void lock_slow(detail::WaitReason reason, detail::ObjectId& oid, detail::ObjectKind kind, const void* object,
                 std::source_location where);
  void unlock_slow(int32_t old);

  std::atomic<int32_t> state_{0};
  std::atomic<uint64_t> holder_{0};  // goroutine that locked it last (valid while locked)
  detail::ObjectId oid_;
  detail::Sema sema_;
  std::atomic<uint64_t> starving_switches_{0};
  std::atomic<uint64_t> normal_switches_{0};
};

}  // namespace gor
