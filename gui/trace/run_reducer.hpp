// run_reducer.hpp — one model of a run rebuilt from its trace events: the engine's Snapshot.
//
// RunReducer applies a run's events one at a time (in the order the store keeps them: merged
// by timestamp, stable) and keeps what they say about the scheduler: each goroutine's state
// machine (runnable, running, waiting with Go's wait reason and object, syscall, dead), each P's
// status, running goroutine, runnext slot and local queue in order, the global queue in order,
// each channel's capacity, buffer level, closed flag and FIFO send and receive queues, each
// Mutex and RWMutex's holder, mode, mode switch counts and waiters (with the time each began to
// wait), every other sync object's waiters and value (WaitGroup counter, Semaphore units), and
// the pending timers. snapshot() gives that
// state as the engine's own gor::Snapshot, equal field by field to RunControl::snapshot() taken
// after the same events (tests/gui/run_reducer_equality_test.cpp) except for the fields the
// events cannot carry, listed in docs/gortrace-format.md ("What a replay rebuilds") and in
// kNotFromEvents below.
//
// This is the one place that validates transitions: an event that is impossible in the state
// reached (a goroutine started twice, unblocked while not waiting, a P out of range) is
// recorded as a problem and applied as far as it makes sense; a corrupt trace never crashes the
// reducer. Plain C++, no Qt: the CLI, the app and the tests share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <gor/control.hpp>
#include <gor/trace.hpp>

namespace goroscope::trace {

// kNotFromEvents names the Snapshot fields a RunReducer cannot rebuild, each with why (the
// equality test skips exactly these; docs/gortrace-format.md says the same).
inline constexpr const char* kNotFromEvents[] = {
    "now_ns: the engine's clock at the snapshot; events give only the last event's time",
    "paused, ended, deadlocks: how and when the snapshot was taken, not what the run did",
    "machines: M states (a spinning M that found work, an M taken off the idle list: no event)",
    "ChannelInfo::buffer: values are never traced (elem_type comes from chan_type events)",
    "ChannelInfo::created_at, GoroutineInfo::created_at/blocked_at: sites are strings the snapshot "
    "formats itself; the reducer gives the trace's site strings, which may differ in form",
    "channel sendq/recvq entries of a select (waiting, or woken and not yet run): GoBlock names one object only",
    "MutexInfo::readers: read locks (RLock/RUnlock) have no event",
    "SyncObjectInfo::value of a Once (its done flag) and of a Cond: no event (WaitGroup and Semaphore values are ObjectValue events)",
    "TimerInfo::period_ns (a Ticker's period) and timers armed before tracing saw them (timer id 0)",
};

// ReducerProblem is one impossible transition: the index of the event (in apply() order) and
// what was wrong with it.
struct ReducerProblem {
  size_t event = 0;
  std::string what;
};

// RunReducer is the state of one run after the events applied so far. Copyable (checkpoints).
class RunReducer {
 public:
  // RunReducer(procs): `procs` Ps at the start (the trace header's GOMAXPROCS; Gomaxprocs
  // events change it, a P id beyond it in an event adds Ps).
  explicit RunReducer(int procs = 1);

  // apply() applies the next event. Never throws on bad input: problems() records it.
  void apply(const gor::Event& e);
  // guess_steals(): the trace has no StealMove events (recorded before kind 39), so a Steal
  // moves the victim's oldest goroutines, as Go's runqgrab takes from the head (runnext last).
  void guess_steals(bool on) { guess_steals_ = on; }
  // events() is how many events were applied.
  size_t events() const { return applied_; }
  // last_ns() is the timestamp of the last event applied (0: none).
  int64_t last_ns() const { return last_ns_; }

  // StringOf turns a string id into its text (sites, labels, names); may be empty.
  using StringOf = std::function<std::string(uint64_t)>;
  // snapshot() is the state as the engine's Snapshot: now_ns = last_ns(), paused = true.
  gor::Snapshot snapshot(const StringOf& string_of = {}) const;

  // problems() is the first kMaxProblems impossible transitions met; problem_count() all of them.
  static constexpr size_t kMaxProblems = 64;
  const std::vector<ReducerProblem>& problems() const { return problems_; }
  size_t problem_count() const { return problem_count_; }

 private:
  enum class GState : uint8_t { Runnable, Running, Waiting, Syscall };
  // Where a runnable goroutine is queued.
  enum class Queue : uint8_t { None, Global, Local, Runnext };
  struct Goroutine {
    GState state = GState::Runnable;
    gor::WaitReason reason = gor::WaitReason::None;
    uint64_t object = 0;        // waited on (GoBlock's a1); 0: none
    uint64_t blocked_site = 0;  // string ids
    uint64_t created_site = 0;
    uint64_t label = 0;
    uint64_t parent = 0;
    int64_t since = 0;
    int p = -1;                 // running on
    Queue queue = Queue::None;
    int queue_p = -1;           // Local/Runnext: which P
    uint64_t mutex_waiting = 0; // a Mutex it waits to lock, across its wake-ups until it acquires
    int64_t mutex_since = 0;    // when it first waited for that mutex
  };
  enum class PStatus : uint8_t { Idle, Running, Syscall, Stopped };
  struct Proc {
    PStatus status = PStatus::Idle;
    uint64_t running = 0;
    uint64_t runnext = 0;
    std::deque<uint64_t> local;
    int m = -1;
  };
  struct Waiter {
    uint64_t g = 0;
    int64_t since = 0;
  };
  struct Object {
    gor::ObjectKind kind = gor::ObjectKind::Channel;
    uint64_t name = 0;
    uint64_t elem_type = 0;       // channel element type (string id, ChanType; 0: older traces)
    uint64_t capacity = 0;        // channel buffer / Semaphore capacity
    uint64_t len = 0;             // channel buffer level
    int64_t value = 0;            // WaitGroup counter, Semaphore units held (ObjectValue)
    bool closed = false;
    uint64_t holder = 0;          // Mutex/RWMutex writer
    bool starving = false;
    uint64_t starving_switches = 0, normal_switches = 0;
    std::deque<Waiter> sendq;     // channels: blocked senders; other objects: every waiter
    std::deque<Waiter> recvq;     // channels: blocked receivers
  };
  struct Timer {
    int64_t when = 0;
    gor::TimerCode code = gor::TimerCode::Timer;
    bool periodic = false;
    uint64_t g = 0;
  };

  void problem(const std::string& what);
  Proc* proc(int p);                       // nullptr (and a problem) when p is not a valid id
  Goroutine* goroutine(uint64_t g, const char* event);  // a problem when g is not alive
  // unqueue() takes g off whatever run queue it is on; dequeue_waiter() off its object's queue.
  void unqueue(uint64_t g, Goroutine& gr);
  void dequeue_waiter(uint64_t g, Goroutine& gr);
  void push_global(uint64_t g, bool head = false);
  void push_local(int p, uint64_t g);
  void put_runnext(int p, uint64_t g);
  void stop_running(uint64_t g, Goroutine& gr);
  void start(const gor::Event& e);
  void block(const gor::Event& e);
  void unblock(const gor::Event& e);
  void apply_queue_moves(const gor::Event& e);
  void guess_steal(const gor::Event& e);

  std::vector<Proc> procs_;
  int gomaxprocs_ = 1;
  std::deque<uint64_t> global_;
  std::map<uint64_t, Goroutine> gs_;            // alive goroutines, by id
  std::map<uint64_t, Object> objects_;          // live watched objects, by id
  std::unordered_map<uint64_t, Timer> timers_;  // armed timers, by id
  size_t applied_ = 0;
  int64_t last_ns_ = 0;
  bool guess_steals_ = false;
  std::vector<ReducerProblem> problems_;
  size_t problem_count_ = 0;
};

// first_difference() compares two snapshots field by field (queue order included), skipping
// the fields of kNotFromEvents, and describes the first that differs with both values
// ("procs[1].local_queue: [4 7] vs [7 4]"), or "" when they agree. `a` is the engine's.
std::string first_difference(const gor::Snapshot& a, const gor::Snapshot& b);

}  // namespace goroscope::trace
