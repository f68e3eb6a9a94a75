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
  GoYield,         // g yielded: a0 = 0 to the global queue's tail (runtime.Gosched), 1 to its P's
                   // local queue tail (Go's goyield)
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
  TimerFire,       // a0 = timer's `when` (a periodic timer's: the next one, it is re-armed first), a1 =
                   // timer id (TimerAdd's a0; 0 when armed before tracing saw it), a2 = TimerCode (as TimerAdd)
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
  Race,            // a data race was found (Config::race; once per pair of sites): g = goroutine making
                   // the second access, a0 = goroutine of the earlier one, a1 = site of the second
                   // access (string id), a2 = the report (string id, RunResult::race_reports' text)
  TimerAdd,        // a timer was armed (start or reset): g = goroutine arming it (a sleep's: the sleeper; 0: none), a0 = timer
                   // id (object id namespace, also TimerFire's a1), a1 = when (engine ns), a2 =
                   // TimerCode (kind in bits 0-7, bit 8 set for a periodic timer: a Ticker)
  TimerStop,       // a timer was stopped: g, a0 = timer id, a1 = 1 if it was armed (it will not fire)
  Select,          // a select completed: g, a0 = number of cases (the default case counts) with bit
                   // 16 set when there is a default case, a1 = index of the case that ran (argument
                   // order, like gor::select's result), a2 = its channel's object id (0: default)
  ContextCancel,   // a context was cancelled (once per node of the cancelled subtree, parents
                   // first): g = cancelling goroutine (0: its deadline timer), a0 = the object id of
                   // its done() channel, a1 = CtxErr (1 Canceled, 2 DeadlineExceeded), a2 = done()
                   // channel id of the nearest cancellable ancestor (0: none)
  RegionBegin,     // g entered a named region (gor::Region, gor::region_begin): a0 = name (string id)
  RegionEnd,       // g left it: a0 = name (string id)
  StealMove,       // one per goroutine a steal moved, after its Steal on the same P: g = the moved
                   // goroutine, a0 = victim P, p = thief (the goroutine is now on its run queue or running)
  RaceSync,        // (Config::race) the race detector applied a synchronisation edge: g = goroutine whose
                   // clock it is (for a parked goroutine readied by another: the parked one), a0 = for
                   // an acquire, the goroutine that last released into the object's clock, for a
                   // handoff (op 5) the partner (0: none), a1 = object id (0: unknown), a2 = op in bits
                   // 0-7 (1 acquire, 2 release, 3 release-merge, 4 release-acquire (a channel buffer
                   // slot), 5 handoff both ways), edge code in bits 8-15 (gor::detail::RaceEdge: 1 chan,
                   // 2 chan slot, 3 close, 4 mutex, 5 rwmutex unlock, 6 rwmutex runlock, 7 waitgroup,
                   // 8 once, 9 cond, 10 semaphore, 11 context), sub-clock in bits 16-63 (a buffered
                   // channel's slot + 1; 0 otherwise). Events of one clock are in the detector's order
  RunqFromGlobal,  // p took a batch from the global queue's head (Go's globrunqget): a0 = goroutines
                   // taken (>= 2); the first is the one p runs next (its GoStart follows), the other
                   // a0 - 1 went to p's local queue tail, in queue order. A batch of one has no event
                   // (the GoStart of the global queue's head says it)
  RunqOverflow,    // p's local ring was full when g was queued (Go's runqputslow): a0 = goroutines
                   // moved from the ring's head to the global queue's tail, in order, then g after
                   // them (g was the one queued: a GoCreate, GoUnblock or GoYield's goroutine, or the
                   // runnext it kicked out)
  RunqToGlobalHead,// p was destroyed (GOMAXPROCS lowered, Go's procresize/p.destroy): a0 = goroutines
                   // moved to the global queue's head, its runnext first, then its local queue in order
  ChanType,        // a channel's element type in Go's words, right after the channel's ObjectCreate:
                   // g = goroutine that made it, a0 = channel (object id), a2 = type (string id:
                   // "int", "struct{}", "Result"; gor::go_type_name<T>())
  ObjectValue,     // a watched sync object's value changed (a traced run watches a WaitGroup or Semaphore
                   // from its first use): g, a0 = object id, a1 = the value now as int64 (WaitGroup: its
                   // counter; Semaphore: the units held, SyncObjectInfo::value)
  ProcStop,        // p stopped for a stop-the-world in progress (GOMAXPROCS, a pause of a real run): the
                   // stopper's own P, idle and syscall Ps at once, running Ps as their Ms reach the
                   // scheduler (after their ProcIdle); StopTheWorld(1) follows once every P stopped
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

// ---------------------------------------------------------------------------------------------
// The typed vocabulary of events: the enums their fields carry, with Go's text, and one typed
// accessor per kind whose fields are coded (an enum, bits packed into one argument). Readers of
// events use these and never unpack a0/a1/a2 themselves; the numbers are stable (.gortrace
// files store them, docs/gortrace-format.md).

// WaitReason is why a goroutine waits: GoBlock's a0, with Go's text (runtime2.go's
// waitReasonStrings) from wait_reason_text().
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
  Count_
};

// wait_reason_text() is Go's text for r ("chan receive"; "" for None), or "wait reason N" for a
// value past the last reason (a file from a newer engine).
std::string wait_reason_text(WaitReason r);

// ObjectKind is the kind of a watched object: ObjectCreate's kind code.
enum class ObjectKind : uint8_t { Channel = 1, Mutex = 2, RWMutex = 3, WaitGroup = 4, Semaphore = 5, Once = 6, Cond = 7 };

// object_kind_text() is "Channel", "Mutex", "RWMutex", "WaitGroup", "Semaphore", "Once" or
// "Cond" ("?" for an unknown code).
const char* object_kind_text(ObjectKind k) noexcept;

// RaceEdge is the synchronisation a RaceSync event stands for (Go's memory model, whose
// happens-before edges the race detector applies).
enum class RaceEdge : uint8_t {
  Unknown = 0,
  Chan = 1,         // an unbuffered channel handoff (both ways)
  ChanSlot = 2,     // a buffered channel's slot: a send -> its receive, the k-th receive -> the (k+cap)-th send
  ChanClose = 3,    // close -> a receive that observes it
  Mutex = 4,        // Mutex unlock -> the next lock
  RWMutex = 5,      // RWMutex unlock -> the next rlock or lock
  RWMutexRead = 6,  // RWMutex runlock -> the next lock
  WaitGroup = 7,    // done() -> wait() returns
  Once = 8,         // Once's function -> every call() return
  Cond = 9,         // Signal/Broadcast -> Wait returns
  Semaphore = 10,   // release -> a later acquire
  Context = 11,     // cancel -> an Err() that observes it
};

// race_edge_text() names an edge as Go's memory model does ("send -> receive", "unlock -> lock").
const char* race_edge_text(RaceEdge e) noexcept;

// RaceSyncOp is what the detector did to the goroutine's clock at a RaceSync event.
enum class RaceSyncOp : uint8_t { Unknown = 0, Acquire = 1, Release = 2, ReleaseMerge = 3, ReleaseAcquire = 4, Handoff = 5 };

// Typed fields of the kinds whose arguments are coded. Each accessor reads an event of its
// kind (the caller checks e.kind); a code out of range reads as the enum's value as stored.
struct BlockFields {
  WaitReason reason;  // a0
  uint64_t object;    // a1: the object's id (0: none)
  uint64_t site;      // a2: string id of the blocking site
};
BlockFields block_fields(const Event& e) noexcept;

struct ObjectFields {
  ObjectKind kind;     // a1 bits 0-7
  uint64_t capacity;   // a1 bits 8-63: a channel's buffer, a Semaphore's capacity (else 0)
  uint64_t object;     // a0
  uint64_t name;       // a2: string id (0: unnamed)
};
ObjectFields object_fields(const Event& e) noexcept;

struct RaceSyncFields {
  RaceSyncOp op;       // a2 bits 0-7
  RaceEdge edge;       // a2 bits 8-15
  uint64_t subclock;   // a2 bits 16-63: a buffered channel's slot + 1 (0: none)
  uint64_t partner;    // a0: the last releaser (acquire) or the partner (handoff); 0: none
  uint64_t object;     // a1 (0: unknown)
};
RaceSyncFields race_sync_fields(const Event& e) noexcept;

struct SelectFields {
  uint32_t cases;        // a0 bits 0-15 (the default case counts)
  bool has_default;      // a0 bit 16
  uint64_t chosen;       // a1: argument index of the case that ran
  uint64_t channel;      // a2: its channel's object id (0: the default case)
};
SelectFields select_fields(const Event& e) noexcept;

// TimerCode is the kind of timer in TimerAdd's and TimerFire's a2 (bits 0-7; bit 8: periodic).
enum class TimerCode : uint8_t { Timer = 0, Sleep = 1, After = 2, Context = 3 };

struct TimerFields {
  uint64_t timer;     // TimerAdd a0, TimerFire a1: the timer's id (0: armed before tracing saw it)
  int64_t when;       // TimerAdd a1, TimerFire a0: engine ns it fires at
  TimerCode code;     // a2 bits 0-7
  bool periodic;      // a2 bit 8 (a Ticker)
};
TimerFields timer_fields(const Event& e) noexcept;  // TimerAdd or TimerFire

// unblock_placement() is where GoUnblock queued the goroutine (a1); a0 is the readier (0: none).
Placement unblock_placement(const Event& e) noexcept;
// mutex_starving() says whether MutexMode switched its mutex (a0) into starvation (a1).
inline bool mutex_starving(const Event& e) noexcept { return e.a1 == 1; }
// syscall_kept_p() says whether SyscallExit found its own P still free (a0); its p is the P
// it runs on from there (-1: none, it waits in the global queue).
inline bool syscall_kept_p(const Event& e) noexcept { return e.a0 == 1; }
// context_deadline() says whether ContextCancel's error (a1) is DeadlineExceeded rather than Canceled.
inline bool context_deadline(const Event& e) noexcept { return e.a1 == 2; }

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

// region_begin() and region_end() mark a named phase of the calling goroutine (Go's
// trace.StartRegion): RegionBegin/RegionEnd events when the run is traced, nothing otherwise.
// Regions of one goroutine nest; end them in reverse order, with the same name.
void region_begin(const std::string& name);
void region_end(const std::string& name);

// Region is a region for the lifetime of a scope: `gor::Region phase("fill the queue");`.
class Region {
 public:
  explicit Region(std::string name) : name_(std::move(name)) { region_begin(name_); }
  ~Region() { region_end(name_); }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

 private:
  std::string name_;
};

}  // namespace gor
