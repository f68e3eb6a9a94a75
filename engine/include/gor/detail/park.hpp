// park.hpp — the engine's park/ready machinery, on which channels, select, timers and the
// sync package are built. Internal API: user code uses the types in <gor/gor.hpp>.
//
// The protocol (Go's gopark/goready):
//   1. Lock the object's RuntimeLock, decide to wait, link a Waiter for the current goroutine
//      into the object's wait queue.
//   2. park(reason, object, site, unlock_fn, &lock): the goroutine switches to its M's
//      scheduler context, and only then is unlock_fn(arg) called there. So no waker can
//      ready the goroutine before its context is saved.
//   3. A waker locks the object, unlinks the Waiter, unlocks the object and only then calls
//      ready(waiter.g). After unlocking it must not touch the object again: the woken
//      goroutine may destroy it as soon as its wait returns.
// A goroutine never blocks its OS thread: parking frees the M to run other goroutines.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace gor::detail {

struct G;  // a goroutine (engine/src/goroutine.hpp)

// WaitReason is why a goroutine is parked, in Go's words (see wait_reason_text).
enum class WaitReason : uint8_t {
  None,
  ChanReceive,         // "chan receive"
  ChanSend,            // "chan send"
  ChanReceiveNilChan,  // "chan receive (nil chan)"
  ChanSendNilChan,     // "chan send (nil chan)"
  Select,              // "select"
  SelectNoCases,       // "select (no cases)"
  MutexLock,           // "sync.Mutex.Lock"
  RWMutexRLock,        // "sync.RWMutex.RLock"
  RWMutexLock,         // "sync.RWMutex.Lock"
  WaitGroupWait,       // "sync.WaitGroup.Wait"
  CondWait,            // "sync.Cond.Wait"
  OnceDo,              // "sync.Once.Do"
  Semacquire,          // "semacquire"
  Sleep,               // "sleep"
  Syscall,             // "syscall"
  Preempted,           // "preempted"
};

// wait_reason_text() is Go's string for r ("chan receive", ...).
const char* wait_reason_text(WaitReason r) noexcept;

// cpu_relax() is one PAUSE instruction.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// RuntimeLock is the runtime's short-critical-section lock: Go's runtime mutex (lock_futex.go's
// lock2/unlock2), not a pure spin lock. A contended lock() spins 4 rounds of 30 PAUSEs, yields
// the thread once, then sleeps on a futex until unlock() wakes it. The sleep matters as much
// as the spin: when two Ms fight over one channel (a worker pool on two Ps), the loser stops
// bouncing the lock's cache line and the winner runs its handoffs uncontended, as in Go.
// Hold it only for a few dozen instructions and never across park() except by passing it as
// park()'s unlock argument.
//
// State: 0 unlocked, 1 locked, 2 locked and a thread may sleep on it (unlock() must wake).
class RuntimeLock {
 public:
  void lock() noexcept {
    uint32_t was = key_.exchange(kLocked, std::memory_order_acquire);
    if (was != kUnlocked) lock_slow(was);
  }
  bool try_lock() noexcept {
    uint32_t expected = kUnlocked;
    return key_.load(std::memory_order_relaxed) == kUnlocked &&
           key_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void unlock() noexcept {
    if (key_.exchange(kUnlocked, std::memory_order_release) == kSleeping) wake_one();
  }

  // unlock_fn is an unlock callback for park(): park(..., &RuntimeLock::unlock_fn, &lock).
  static void unlock_fn(void* lock) noexcept { static_cast<RuntimeLock*>(lock)->unlock(); }

 private:
  static constexpr uint32_t kUnlocked = 0, kLocked = 1, kSleeping = 2;
  void lock_slow(uint32_t was) noexcept;  // engine/src/runtime_lock.cpp
  void wake_one() noexcept;
  std::atomic<uint32_t> key_{kUnlocked};
};

// current_g() is the running goroutine, or nullptr outside goroutines.
G* current_g() noexcept;

// park() blocks the current goroutine until ready() is called for it. `object` is the id of
// what it waits on (detail/object_id.hpp; 0: nothing), `where` the blocking site. `unlock(arg)` runs on the
// scheduler stack after the switch (may be nullptr). Throws ForcedUnwind if the run ends
// while parked. Must be called from a goroutine.
void park(WaitReason reason, uint64_t object, std::source_location where,
          void (*unlock)(void*) noexcept, void* arg);

// ready() makes the parked goroutine g runnable. From a goroutine or a scheduler thread it
// goes to that P's runnext slot (so it runs next, inheriting the time slice, as Go's goready
// does); from any other thread, to the global run queue.
void ready(G* g) noexcept;

// goyield() puts the current goroutine at the tail of its P's local run queue and runs
// another (Go's goyield, used by mutex handoff so the readied waiter runs at once).
void goyield();

// check_preempt() is a scheduling point (sched_point) that also honours a pending
// preemption request (cheap: one load when none).
void check_preempt();
// honour_preempt() honours a pending preemption request, without a scheduling point.
void honour_preempt();

// det_runs counts deterministic runs in progress in this process (Config::deterministic).
extern std::atomic<int> det_runs;
// det_point_slow() is sched_point()'s work in a deterministic run (engine/src/det_world.cpp).
void det_point_slow() noexcept;
// sched_point() is a scheduling point: every engine call makes one on entry. In a
// deterministic run the calling goroutine's M is charged Config::op_cost of virtual time and
// the chooser decides which M moves next; in real mode it costs one relaxed load.
inline void sched_point() noexcept {
  if (det_runs.load(std::memory_order_relaxed) != 0) [[unlikely]] det_point_slow();
}
// det_usleep() is Go's usleep(us) inside the scheduler: a wall sleep in real mode, us of
// virtual time and a scheduling point in a deterministic run.
void det_usleep(unsigned us) noexcept;

// nanotime() is the engine clock in nanoseconds (dilation-aware).
int64_t nanotime() noexcept;

// fastrand() is a per-P (or per-thread) pseudo-random number from the run's seed.
uint32_t fastrand() noexcept;
// fastrandn() is uniform in [0, n).
inline uint32_t fastrandn(uint32_t n) noexcept {
  return static_cast<uint32_t>((static_cast<uint64_t>(fastrand()) * n) >> 32);
}

// can_spin() is Go's sync_runtime_canSpin: whether active spinning in a sync primitive pays
// (iteration < 4, more than one CPU, GOMAXPROCS > 1, other Ps are busy, local run queue empty).
bool can_spin(int iteration) noexcept;
// do_spin() spins for Go's 30 PAUSE instructions.
void do_spin() noexcept;

// traced_runs counts runs with tracing on in this process; tracing_active() is the one
// relaxed load that object code (channels, mutexes) pays when no run is traced.
extern std::atomic<int> traced_runs;
inline bool tracing_active() noexcept { return traced_runs.load(std::memory_order_relaxed) != 0; }
// trace_object_event() records an object event (kind is a gor::EventKind) for the calling
// goroutine's run, if that run is traced.
void trace_object_event(int kind, uint64_t object, uint64_t arg) noexcept;
// trace_object_event_for() is the same on behalf of goroutine g (nullptr: the caller).
// fresh=false reuses the timestamp of the calling thread's previous event.
void trace_object_event_for(int kind, const G* g, uint64_t object, uint64_t arg, bool fresh = true) noexcept;
// trace_event() records an event of kind `kind` (a gor::EventKind) with three arguments for the
// calling goroutine (g = 0 on a scheduler thread outside any goroutine), if its run is traced.
void trace_event(int kind, uint64_t a0, uint64_t a1, uint64_t a2) noexcept;
// trace_select() records a completed select (EventKind::Select): `cases` counts the default
// case, `chosen` is the argument index that ran, `chan_id` its channel (0 for default).
void trace_select(int cases, bool has_default, int chosen, uint64_t chan_id) noexcept;

// goid_of() is g's id; label_of() its label ("" when none).
uint64_t goid_of(const G* g) noexcept;

}  // namespace gor::detail
