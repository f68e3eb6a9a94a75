// trace.hpp — what the engine tells its observers: scheduler events, read-only.
//
// With Config::trace the engine records every scheduling fact as an Event into per-M
// single-producer ring buffers (no lock, no allocation on the hot path). A drain thread
// converts their timestamps to engine time and hands them, in batches, to
// Config::observer. Nothing is dropped silently: a producer whose ring is full waits for
// the drain thread. With tracing off the cost is one predictable branch per event site.
// The engine never knows who observes (the GUI, the CLI, a test).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace gor {

// EventKind says what happened. Field use per kind is documented on each enumerator
// (g: goroutine, a0/a1/a2: arguments).
enum class EventKind : uint8_t {
  GoCreate,        // g = new goroutine, a0 = parent goid, a1 = creation site (string id),
                   // a2 = label (string id, 0: none); queued in the creator P's runnext
  GoStart,         // g started running on p/m
  GoBlock,         // g parked: a0 = WaitReason, a1 = object id (0 if none; the id of
                   // ObjectCreate and the snapshot's *Info::id), a2 = site (string id)
  GoYield,         // g yielded (runtime.Gosched) to the global queue
  GoPreempted,     // g yielded at a preemption request
  GoUnblock,       // g = readied goroutine, a0 = readier goid (0: scheduler/timer), a1 = Placement
  GoEnd,           // g finished
  Steal,           // p = thief, a0 = victim P, a1 = goroutines taken
  ProcIdle,        // p went idle
  ProcBusy,        // p acquired by m
  MSpinning,       // m started spinning
  MPark,           // m parked (idle)
  MWake,           // m woken
  MCreate,         // m created
  SyscallEnter,    // g entered a blocking syscall; a0 = site
  SyscallExit,     // g left it; a0 = 1 if it kept its P
  Handoff,         // p retaken from a syscall and handed off (sysmon)
  PreemptRequest,  // sysmon asked g (on p) to yield
  Gomaxprocs,      // a0 = old, a1 = new
  StopTheWorld,    // a0 = 1 stop, 0 start
  TimerFire,       // a0 = timer's `when`
  ChanSend,        // a0 = channel id, a1 = buffer level after
  ChanRecv,        // a0 = channel id, a1 = buffer level after
  ChanClose,       // a0 = channel id
  MutexMode,       // a0 = mutex id, a1 = 1 starving, 0 normal
  Log,             // a0 = string id (gor::log)
  RunEnd,          // a0 = RunStatus
  ObjectCreate,    // an object became watched (detail/object_id.hpp): g = goroutine that made or
                   // first contended it (0: none), a0 = object id, a1 = kind code in bits 0-7
                   // (1 Channel, 2 Mutex, 3 RWMutex, 4 WaitGroup, 5 Semaphore, 6 Once, 7 Cond)
                   // and capacity in bits 8-63 (channel buffer size, Semaphore capacity; else
                   // 0), a2 = name (string id, 0: unnamed). Sync objects are watched lazily, so
                   // this may come long after construction; ids are never reused in a process.
  ObjectDestroy,   // a watched object was destroyed: a0 = object id
  MutexAcquire,    // g locked a Mutex or RWMutex (for writing): a0 = object id
  MutexRelease,    // g unlocked it (for writing): a0 = object id (g is the unlocker, which Go
                   // allows to differ from the holder)
  PartialDeadlock, // a partial deadlock was found (once per deadlock): g = 0, a0 = first goroutine
                   // of the cycle, a1 = cycle length (1: blocked forever alone, e.g. nil channel),
                   // a2 = description (string id, DeadlockInfo::description)
  Count_
};

// Placement is where a readied goroutine was queued (GoUnblock's a1).
enum class Placement : uint8_t { Runnext, Local, Global };

// event_kind_name() is a stable lower-case name ("go_create", "steal", ...).
const char* event_kind_name(EventKind k) noexcept;

// Event is one recorded fact. Plain data (40 bytes).
struct Event {
  int64_t ts = 0;     // engine ns since the run started
  uint64_t g = 0;     // goroutine id (0: none)
  uint64_t a0 = 0, a1 = 0, a2 = 0;
  int16_t p = -1;     // P id (-1: none)
  int16_t m = -1;     // M id (-1: none, e.g. sysmon)
  EventKind kind = EventKind::Log;
};

// TraceObserver receives a run's events. Calls come from the engine's drain thread, one at
// a time, never concurrently. Batches are in order per M; merge by ts for a global order.
class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  // on_string() defines string id `id` (sites, labels, log texts) before any event uses it.
  virtual void on_string(uint64_t id, const std::string& text) = 0;
  // on_events() delivers a batch.
  virtual void on_events(const Event* events, size_t count) = 0;
};

// TraceRecorder is a TraceObserver that keeps everything in memory (tests, the CLI).
class TraceRecorder : public TraceObserver {
 public:
  void on_string(uint64_t id, const std::string& text) override;
  void on_events(const Event* events, size_t count) override;
  // events() is every event so far, sorted by timestamp (stable).
  std::vector<Event> events() const;
  // string() is the text of a string id ("" if unknown).
  std::string string(uint64_t id) const;
  // count() is how many events of kind k were recorded.
  size_t count(EventKind k) const;

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
  std::vector<std::string> strings_;
};

// log() records a user annotation (an EventKind::Log event) when the run is traced.
void log(const std::string& text);

}  // namespace gor
