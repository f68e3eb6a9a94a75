// control.hpp — watching and steering a run from another thread (the GUI, a debugger).
//
//   gor::RunControl control;
//   cfg.control = &control;
//   std::thread runner([&] { result = gor::run(cfg, main); });
//   control.pause();                    // stop the world at every M's next scheduling point
//   gor::Snapshot s = *control.snapshot();
//   control.step(10);                   // run 10 scheduling events, then pause again
//   control.resume();
//
// While paused, engine time stands still (timers and the mutex's 1 ms threshold do not
// advance) and deadlock detection is off. Every method is safe to call from any thread at
// any time; without an active run they do nothing and report it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gor/runtime.hpp"

namespace gor {

namespace detail {
class Scheduler;
}

// GoroutineInfo is one goroutine in a Snapshot.
struct GoroutineInfo {
  uint64_t id = 0;
  uint64_t parent = 0;
  std::string label;
  std::string state;        // "runnable", "running", "waiting", "syscall"
  std::string wait_reason;  // Go's words ("chan receive", ...) when waiting
  uintptr_t wait_object = 0;
  std::string created_at;   // "file:line in function"
  std::string blocked_at;
  int64_t since_ns = 0;     // engine time it was created or last blocked
  int p = -1;               // P it runs on (running only)
};

// ProcessorInfo is one P in a Snapshot.
struct ProcessorInfo {
  int id = 0;
  std::string status;       // "idle", "running", "syscall", "stopped"
  uint64_t running = 0;     // goroutine id running on it (0: none)
  uint64_t runnext = 0;
  std::vector<uint64_t> local_queue;  // head first
  int m = -1;
};

// MachineInfo is one M in a Snapshot.
struct MachineInfo {
  int id = 0;
  std::string state;        // "running", "spinning", "idle", "syscall" ("exited" in a final snapshot)
  int p = -1;
  uint64_t running = 0;
};

// WaiterInfo is a goroutine queued on a synchronisation object, with the engine time it
// started waiting (the GUI compares it with the mutex's 1 ms starvation threshold).
struct WaiterInfo {
  uint64_t g = 0;
  int64_t since_ns = 0;
};

// kSnapshotBufferValues bounds ChannelInfo::buffer: a snapshot formats the first values of a
// channel's ring, not a million of them while the world is stopped.
inline constexpr size_t kSnapshotBufferValues = 64;

// ChannelInfo is one live channel in a Snapshot. Invariant (chan.go): at least one of
// sendq and recvq is empty; len <= cap; a closed channel has an empty sendq.
struct ChannelInfo {
  uint64_t id = 0;                  // same id as GoroutineInfo::wait_object and Chan events
  std::string name;                 // given to make_chan ("" if none)
  std::string elem_type;            // element type in Go's words ("int", "string", "struct{}", "Result")
  size_t cap = 0;
  size_t len = 0;
  bool closed = false;
  std::vector<std::string> buffer;  // the buffered values head first, when the element type is
                                    // printable (arithmetic, string, enum); else empty. At most
                                    // kSnapshotBufferValues of them (len counts them all)
  std::vector<uint64_t> sendq;      // blocked senders, FIFO (select cases included)
  std::vector<uint64_t> recvq;      // blocked receivers, FIFO
  std::string created_at;           // "file:line in function"
};

// MutexInfo is one Mutex or RWMutex in a Snapshot.
struct MutexInfo {
  uint64_t id = 0;                  // same id as GoroutineInfo::wait_object and MutexMode events
  std::string name;                 // given at construction ("" if none)
  std::string kind;                 // "Mutex" or "RWMutex"
  uint64_t holder = 0;              // goroutine holding it (the writer for RWMutex); 0: unlocked
  int readers = 0;                  // RWMutex: read locks held now
  bool starving = false;            // starvation mode now
  uint64_t starving_switches = 0;   // switches into starvation mode so far
  uint64_t normal_switches = 0;     // switches back to normal mode so far
  std::vector<WaiterInfo> waiters;  // blocked lockers, FIFO (front is woken or handed off first)
};

// SyncObjectInfo is one WaitGroup, Semaphore, Once or Cond in a Snapshot.
struct SyncObjectInfo {
  uint64_t id = 0;
  std::string name;
  std::string kind;                 // "WaitGroup", "Semaphore", "Once", "Cond"
  int64_t value = 0;                // WaitGroup: counter; Semaphore: units held; Once: 1 when done
  int64_t capacity = 0;             // Semaphore: capacity; else 0
  std::vector<WaiterInfo> waiters;  // blocked goroutines, FIFO
};

// TimerInfo is one pending timer in a Snapshot.
struct TimerInfo {
  int64_t when_ns = 0;              // engine time it fires
  int64_t period_ns = 0;            // Ticker period; 0 for one-shot timers
  std::string kind;                 // "sleep", "timer", "ticker", "after", "context"
  uint64_t g = 0;                   // the sleeping goroutine (sleep only), else 0
};

// DeadlockInfo is a partial deadlock: goroutines that can never run again although others
// still can (Go detects only global deadlocks). `cycle` is the wait-for cycle in order
// (goroutine i waits for an object held by goroutine i+1, the last waits for the first), or,
// for a goroutine blocked on a channel no other goroutine can reach, that goroutine alone.
struct DeadlockInfo {
  std::vector<uint64_t> cycle;      // goroutine ids
  std::vector<uint64_t> objects;    // object ids waited on, parallel to `cycle`
  std::string description;          // one line: "G7 waits for mutex mu held by G9, G9 waits for ..."
};

// Snapshot is the whole scheduler at one instant: consistent, taken with the world stopped.
struct Snapshot {
  int64_t now_ns = 0;
  int gomaxprocs = 0;
  bool paused = false;
  bool ended = false;                     // the run's final picture (RunControl::final_snapshot)
  size_t pending_timers = 0;
  std::vector<ProcessorInfo> procs;
  std::vector<uint64_t> global_queue;
  std::vector<MachineInfo> machines;
  std::vector<GoroutineInfo> goroutines;  // alive ones, by id
  std::vector<ChannelInfo> channels;      // live channels, by id
  std::vector<MutexInfo> mutexes;         // live mutexes, by id
  std::vector<SyncObjectInfo> sync_objects;  // live WaitGroups, Semaphores, Onces, Conds, by id
  std::vector<TimerInfo> timers;          // pending timers, by when
  std::vector<DeadlockInfo> deadlocks;    // partial deadlocks found at this instant
};

// PauseReport says whether every M reached a scheduling point in time, and if not, which
// goroutines are still running (preemption is cooperative: a loop without engine calls
// cannot be stopped).
struct PauseReport {
  bool ok = false;                  // false: no active run, or not everything stopped in time
  std::vector<uint64_t> still_running;
};

// HeldEnd is a run held at its fatal ending (RunControl::hold_at_end): how it is ending.
struct HeldEnd {
  RunStatus status = RunStatus::Ok;  // Panic or Deadlock
  std::string message;               // as RunResult::message ("send on closed channel", ...)
  uint64_t goroutine = 0;            // the goroutine that panicked (0 for a deadlock)
};

// RunControl steers one run at a time (Config::control).
class RunControl {
 public:
  RunControl() = default;
  RunControl(const RunControl&) = delete;
  RunControl& operator=(const RunControl&) = delete;

  // active() says whether a run is attached.
  bool active() const;
  // paused() says whether the attached run is paused.
  bool paused() const;
  // pause() stops the world; waits up to `timeout` for every M to reach a scheduling point.
  PauseReport pause(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // resume() restarts a paused run. Returns false if it was not paused.
  bool resume();
  // step() runs n more goroutine starts (scheduling events), then pauses again.
  PauseReport step(int n, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // step_events() runs until n more trace events have been recorded, then pauses at the next
  // scheduling decision (between two scheduling points, as pause() does): a freeze at any event,
  // not only at goroutine starts. Deterministic traced runs only (Config::deterministic and
  // Config::trace); otherwise it does nothing and reports !ok.
  PauseReport step_events(uint64_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // set_dilation() sets slow motion (engine time k times slower than wall time).
  bool set_dilation(double k);
  // set_procs() changes GOMAXPROCS (1..256), stopping the world to resize.
  bool set_procs(int n);
  // stop() ends the run cleanly: every goroutine is unwound; the result says `stopped`.
  bool stop();
  // snapshot() is the state now (pausing for an instant if the run is not paused).
  std::optional<Snapshot> snapshot();
  // final_snapshot() is the last attached run's state at the instant it ended: every M
  // stopped, nothing unwound yet (a deadlock's goroutines blocked where they were, a panic's
  // last state), with `ended` set. nullopt while a run is attached or before the first one.
  std::optional<Snapshot> final_snapshot() const;
  // dump() is a goroutine dump in Go's traceback format ("" without a run).
  std::string dump();
  // partial_deadlocks() is every partial deadlock reported in this run so far, each once, in
  // the order found (by sysmon within ~100 ms of forming, or by a snapshot); empty without a run.
  std::vector<DeadlockInfo> partial_deadlocks();
  // hold_at_end() makes a run that ends in a panic (`panic`) or in Go's global deadlock
  // (`deadlock`) stop at that instant instead of ending: every M stopped, nothing unwound, the
  // run paused (snapshot() and dump() show that moment) until resume() or stop() lets it end
  // as it would have. May be called from any thread at any time; a run already held stays so.
  void hold_at_end(bool panic, bool deadlock);
  // held() is the ending the run is held at, or nullopt (not held, or no run).
  std::optional<HeldEnd> held();
  // start_paused() makes each later deterministic run (Config::deterministic) attached to this
  // control freeze at its first scheduling decision, before any goroutine runs: pause() then
  // returns as soon as it is frozen there, and a controller sees the run from its first event
  // on (tests compare snapshots with the trace from the start). Such a run waits until pause()
  // and resume() or step() let it go on. Real-mode runs ignore it.
  void start_paused(bool on) { start_paused_.store(on, std::memory_order_release); }

 private:
  friend class detail::Scheduler;
  std::atomic<bool> hold_panic_{false}, hold_deadlock_{false};
  std::atomic<bool> start_paused_{false};
  mutable std::mutex mu_;
  detail::Scheduler* sched_ = nullptr;
  std::optional<Snapshot> final_;  // set when a run detaches (under mu_)
};

}  // namespace gor
