// scheduler.hpp — the engine's G, M and P and the scheduler that owns them.
// The design essay is at the top of scheduler.cpp.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

#include "fiber_switch.hpp"
#include "gor/detail/park.hpp"
#include "gor/detail/timer.hpp"
#include "gor/control.hpp"
#include "gor/runtime.hpp"
#include "run_queue.hpp"
#include "timer_heap.hpp"
#include "tracer.hpp"
#include "det_world.hpp"

namespace gor::detail {

// RelaxedFlag is a bool that its owner thread writes and other threads only read for reports
// (snapshots): relaxed atomic loads and stores, plain moves on x86, so the reads are not data
// races and cost the owner nothing.
class RelaxedFlag {
 public:
  RelaxedFlag& operator=(bool v) noexcept {
    v_.store(v, std::memory_order_relaxed);
    return *this;
  }
  operator bool() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> v_{false};
};

// RelaxedPtr is RelaxedFlag for a pointer: the owner M writes it (Machine::curg, p, oldp),
// snapshots and the end of a run read it from other threads while the Ms may still run.
template <class T>
class RelaxedPtr {
 public:
  RelaxedPtr& operator=(T* v) noexcept {
    v_.store(v, std::memory_order_relaxed);
    return *this;
  }
  operator T*() const noexcept { return v_.load(std::memory_order_relaxed); }
  T* operator->() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<T*> v_{nullptr};
};

struct Machine;
struct Processor;
class Scheduler;
struct RaceThread;    // race_detector.hpp
class RaceDetector;

class DetWorld;
struct DetActor;

// Note is a one-shot wakeup between OS threads (Go's note): sleep() blocks until wakeup(),
// then re-arms. A wakeup before the sleep is not lost. In a deterministic run (world set)
// the sleeper is an actor of the world: sleeping lets the world's chooser move another
// actor, and timeouts are in virtual engine time.
class Note {
 public:
  void wakeup();
  void sleep();
  // sleep_until() returns true if woken, false on timeout. Real mode only (a wall deadline).
  bool sleep_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> guard(mu_);
    if (deadline >= std::chrono::steady_clock::now() + std::chrono::hours(24 * 365)) {
      cv_.wait(guard, [this] { return signaled_; });  // "forever" (a frozen clock)
      signaled_ = false;
      return true;
    }
    bool woken = cv_.wait_until(guard, deadline, [this] { return signaled_; });
    signaled_ = false;
    return woken;
  }
  // sleep_for() sleeps at most d (engine time in a deterministic run, else wall time).
  bool sleep_for(std::chrono::nanoseconds d);
  // sleep_until_engine() sleeps until engine time `when` on clock (INT64_MAX: no timeout).
  bool sleep_until_engine(const class Clock& clock, int64_t when);

  // Deterministic mode (DetWorld, on the world's thread only).
  DetWorld* world = nullptr;
  DetActor* det_waiter = nullptr;
  bool det_signaled = false;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool signaled_ = false;
};

// GState is a goroutine's state (Go's _Gidle, _Grunnable, ...).
enum class GState : uint8_t { Idle, Runnable, Running, Waiting, Syscall, Dead };
const char* gstate_text(GState s) noexcept;

// G is a goroutine: a stackful fiber with its closure and what the dumps and GUI show.
// G objects are pooled per run and live until the run ends, so a G* stays valid for the
// whole run (a Dead G may be reused for a new goroutine with a new id).
struct G {
  ctx::fcontext_t context = nullptr;  // saved context while not running
  char* stack = nullptr;              // lowest address of the stack, nullptr before first run
  size_t stack_size = 0;
  FiberIdentity fiber;
  EhState eh;                          // exception state while switched out
  std::function<void()> fn;
  G* schedlink = nullptr;              // run queue / free list link
  Machine* m = nullptr;                // M running it (valid while Running/Syscall)
  Scheduler* sched = nullptr;
  std::atomic<GState> state{GState::Idle};
  std::atomic<bool> preempt{false};    // sysmon or stop-the-world asked it to yield
  bool unwinding = false;              // the run ended: blocking calls throw ForcedUnwind
  bool is_main = false;
  // wait_reason, wait_object (an object id) and park_seq (parks so far) are written by the
  // goroutine itself and read racily by the deadlock detector on sysmon: hence atomic.
  std::atomic<WaitReason> wait_reason{WaitReason::None};
  std::atomic<uint64_t> wait_object{0};
  std::atomic<uint32_t> park_seq{0};
  std::atomic<uint64_t> parked_id{0};  // id, as of its last park (the detector's copy)
  uint64_t id = 0;
  uint64_t parent_id = 0;
  std::atomic<int64_t> state_since{0};  // engine ns (coarse) when it was created or last blocked
  std::source_location created_at;
  std::source_location blocked_at;
  std::string label;
  RaceThread* race = nullptr;          // the race detector's view of it (Config::race), else nullptr
};

// PStatus is a P's status (Go's _Pidle, _Prunning, _Psyscall, _Pgcstop).
enum class PStatus : uint8_t { Idle, Running, Syscall, Stopped };

// Processor is a P: the right to run Go code, with a local run queue and timers.
struct Processor {
  explicit Processor(int id_) : id(id_) {}
  const int id;
  std::atomic<PStatus> status{PStatus::Stopped};
  RunQueue runq;
  RelaxedPtr<Machine> m;                // M holding it (Running); written by that M, read by snapshots
  Processor* link = nullptr;            // idle list link (sched lock)
  std::atomic<uint32_t> schedtick{0};   // incremented on every schedule (read by sysmon)
  std::atomic<uint32_t> syscalltick{0}; // incremented on every syscall
  std::atomic<G*> curg{nullptr};        // goroutine running on it, for sysmon
  std::atomic<uint64_t> curg_id{0};     // its id (sysmon must not read a G that may be reused)
  uint64_t rng = 0;                     // fastrand state; owner only

  // Timers: a 4-ary min-heap on `when` (timer_heap.hpp), guarded by timers_lock.
  RuntimeLock timers_lock;
  TimerHeap timers;
  std::atomic<int64_t> timer0_when{INT64_MAX};  // earliest `when`, INT64_MAX when none

  // Caches (owner only).
  std::vector<G*> gfree;
  std::vector<char*> stack_cache;
  uint64_t goid_next = 0, goid_end = 0;

  // sysmon's view (sysmon thread only).
  uint32_t sysmon_schedtick = 0;
  int64_t sysmon_schedwhen = 0;
  uint32_t sysmon_syscalltick = 0;
  int64_t sysmon_syscallwhen = 0;
};

// MAction is what a goroutine asks its M to do after switching to the scheduler stack.
// StackOverflow: the goroutine's stack is exhausted (Machine::overflow_sp); it is never resumed.
enum class MAction : uint8_t { None, Park, Yield, Preempt, GoYield, Exit, SyscallNoP, Abandon, StackOverflow };

// Machine is an M: an OS thread that runs goroutines while it holds a P.
struct Machine {
  int id = 0;
  Scheduler* sched = nullptr;
  std::thread thread;
  RelaxedPtr<Processor> p;       // P held (nullptr when idle or in a syscall)
  Processor* nextp = nullptr;    // P handed to it by startm (sched lock)
  RelaxedPtr<Processor> oldp;    // P it had when it entered a syscall
  RelaxedPtr<G> curg;            // goroutine it runs (written by this M, read by snapshots)
  std::atomic<uint64_t> curg_id{0};  // curg's id, for snapshots (which must not read a G that may be reused)
  ctx::fcontext_t g0_context = nullptr;  // the scheduler stack's context while a G runs
  FiberIdentity g0_fiber;
  RelaxedFlag spinning;           // written by this M; read by snapshots on other threads
  Note park;
  Machine* link = nullptr;       // idle list link (sched lock)
  bool idle_listed = false;      // on the idle list (sched lock)
  MAction action = MAction::None;
  void (*unlock)(void*) noexcept = nullptr;
  void* unlock_arg = nullptr;
  uint64_t rng = 0;
  EventRing* trace_ring = nullptr;  // this M's event ring (tracing on)
  // eh_globals is this thread's C++ exception state (__cxa_get_globals(), constant per thread),
  // looked up once when the thread becomes the M: switches swap it without a TLS call.
  EhState* eh_globals = nullptr;
  // exited is set by this M's thread as the last thing it does (the end of a run polls it
  // instead of joining, so that a thread that never stops cannot hold the run).
  std::atomic<bool> exited{false};
  // abandoned is set by the end of a run for an M that did not stop in time (end.cpp): its
  // thread is detached and parks for good at its next switch to the scheduler or syscall exit.
  std::atomic<bool> abandoned{false};
  char* overflow_sp = nullptr;  // MAction::StackOverflow: the stack pointer that crossed the limit
};

// park_thread_forever() blocks the calling OS thread for the rest of the process: what an
// abandoned M does when it next reaches the engine (end.cpp). Never returns.
[[noreturn]] void park_thread_forever() noexcept;

// current_machine() is the calling thread's M (nullptr on other threads). Not inlined, so
// goroutine code re-reads it after every switch (it may resume on another thread).
Machine* current_machine() noexcept;
void set_current_machine(Machine* m) noexcept;
// set_thread_trace_ring() sets the event ring of a non-M producer thread (sysmon).
void set_thread_trace_ring(EventRing* ring) noexcept;

// Clock converts between wall time and dilated engine time.
class Clock {
 public:
  void start(double dilation);
  int64_t now() const noexcept;   // engine ns since the run started
  // coarse_now() is now() at the kernel tick's resolution (a few ms) but several times
  // cheaper; for bookkeeping on the hot path (time in state), never for timers.
  int64_t coarse_now() const noexcept;
  void set_dilation(double k);
  double dilation() const noexcept;
  // set_virtual() makes this a deterministic run's clock: now() reads `now` (the world's
  // virtual time) and no wall clock is read. Called before the run starts.
  void set_virtual(const std::atomic<int64_t>* now) noexcept { virtual_now_ = now; }
  bool is_virtual() const noexcept { return virtual_now_ != nullptr; }
  // wall_deadline() is the wall time at which engine time reaches `engine_ns`.
  std::chrono::steady_clock::time_point wall_deadline(int64_t engine_ns) const noexcept;

 private:
  struct Epoch {
    int64_t wall0;    // steady_clock ns
    int64_t engine0;  // engine ns at wall0
    double k;         // dilation
  };
  static int64_t wall_ns() noexcept;
  static int64_t coarse_wall_ns() noexcept;
  int64_t engine_at(int64_t wall) const noexcept;
  std::atomic<const Epoch*> epoch_{nullptr};
  const std::atomic<int64_t>* virtual_now_ = nullptr;
  std::mutex mu_;
  std::vector<std::unique_ptr<Epoch>> epochs_;  // kept alive for concurrent readers
};

// Scheduler is one run: its Ps, Ms, goroutines, global run queue and timers.
class Scheduler {
 public:
  static constexpr int kMaxProcs = 256;

  explicit Scheduler(const Config& cfg);
  ~Scheduler();
  RunResult run(std::function<void()> main);
  // run_machines() is run() on M0: real mode calls it directly, deterministic mode as the
  // world's first actor.
  RunResult run_machines(std::function<void()> main);
  // stop_machines() waits for every M to leave its loop, joining them, for at most
  // kEndGrace; an M still inside a goroutine then (a loop with no engine call, a blocking
  // syscall) is abandoned: reported in result_.abandoned, detached, never joined (end.cpp).
  void stop_machines();
  // stack_overflow() ends the run with Go's "fatal error: stack overflow" for g, whose stack
  // pointer reached sp (on the scheduler stack; g is never resumed; end.cpp).
  void stack_overflow(Machine* m, G* g, const char* sp);
  // abandoned_threads() is how many Ms stop_machines() abandoned (they may still run, so the
  // run's memory must outlive them: gor::run then never frees the Scheduler).
  size_t abandoned_threads() const noexcept { return abandoned_threads_; }

  // --- goroutines (goroutine.cpp)
  G* new_goroutine(std::function<void()> fn, std::source_location where, std::string label, G* parent);
  void ready(G* g) noexcept;
  void park_current(G* g, WaitReason reason, uint64_t object, std::source_location where,
                    void (*unlock)(void*) noexcept, void* arg);
  void yield_current(G* g, MAction how);
  // yield_nothrow() is yield_current() that never throws (a forced preemption may come from
  // a noexcept unlock path): a goroutine resumed to be unwound throws at its next blocking call.
  void yield_nothrow(G* g, MAction how) noexcept;
  void switch_to_scheduler(G* g);
  void goroutine_main(G* g);

  // --- scheduling (scheduler.cpp)
  void machine_loop(Machine* m);
  void wakep();
  void start_machine(Processor* pp, bool spinning);
  void globrunq_put(G* g);          // sched lock held by caller
  void globrunq_put_locked_batch(G** gs, uint32_t n);
  void runq_put(Processor* pp, G* g, bool next);
  void set_ending(RunStatus status, std::string message, G* culprit, std::string dump = {}, bool fatal = false);
  void record_panic(G* g, const std::string& message, bool fatal);
  bool ending() const noexcept { return ending_.load(std::memory_order_acquire); }

  // --- syscalls (syscall.cpp)
  void enter_syscall(G* g, std::source_location where);
  void exit_syscall(G* g) noexcept;
  void handoffp(Processor* pp);

  // --- stop the world, GOMAXPROCS (stop_the_world.cpp)
  int set_gomaxprocs(G* g, int n);
  int gomaxprocs() const noexcept { return gomaxprocs_.load(std::memory_order_acquire); }

  // --- external control (control.cpp): RunControl's implementation
  PauseReport control_pause(std::chrono::milliseconds timeout);
  bool control_resume();
  PauseReport control_step(int n, std::chrono::milliseconds timeout);
  PauseReport control_step_events(uint64_t n, std::chrono::milliseconds timeout);
  bool control_set_procs(int n);
  bool control_set_dilation(double k);
  bool control_stop();
  bool control_paused();
  Snapshot control_snapshot();
  std::string control_dump();
  std::optional<HeldEnd> control_held();
  // hold_at_end() keeps a run ending in a panic or deadlock stopped at that instant while its
  // RunControl asks for it (RunControl::hold_at_end), until resume or stop. Called by run()
  // once every M has stopped, before the control detaches.
  void hold_at_end();

  // --- objects and partial deadlocks (registry.cpp, deadlock_detector.cpp)
  // run_serial is this run's number in the process (the registry tags objects with it).
  const uint64_t run_serial;
  // deadlock_suspect() says whether a goroutine parked for r may be part of a partial
  // deadlock (a mutex wait, or a wait that can never end); park_current counts those.
  static bool deadlock_suspect(WaitReason r) noexcept {
    return r == WaitReason::MutexLock || r == WaitReason::RWMutexLock || r == WaitReason::RWMutexRLock ||
           r == WaitReason::ChanReceiveNilChan || r == WaitReason::ChanSendNilChan ||
           r == WaitReason::SelectNoCases;
  }
  // find_partial_deadlocks() returns the partial deadlocks now. exact: the world is stopped
  // (snapshots); otherwise (sysmon) a deadlock is returned only once it was seen unchanged by
  // the previous call too.
  std::vector<DeadlockInfo> find_partial_deadlocks(bool exact);
  // report_partial_deadlocks() records the deadlocks not reported before (PartialDeadlock
  // event, the list of control_partial_deadlocks()).
  void report_partial_deadlocks(const std::vector<DeadlockInfo>& found);
  std::vector<DeadlockInfo> control_partial_deadlocks();
  // sysmon_deadlock_check() is sysmon's periodic, cheap look (only while suspects exist).
  void sysmon_deadlock_check(int64_t wall_ns);
  // snapshot_timers() adds the pending timers, by when, to snap (world stopped).
  void snapshot_timers(Snapshot& snap);

  // --- timers (timers.cpp)
  void timer_add(TimerNode* t, int64_t when);
  bool timer_delete(TimerNode* t);
  bool check_timers(Processor* pp, int64_t now);
  int64_t earliest_timer() const noexcept;
  void wake_timer_sleeper(int64_t when);
  size_t pending_timers() const noexcept { return static_cast<size_t>(ntimers_.load(std::memory_order_relaxed)); }

  // --- sysmon (sysmon.cpp)
  void sysmon_loop();

  // --- dump (dump.cpp)
  // dump_goroutines() is Go's traceback of every live goroutine (culprit first, skip_id left
  // out). Their fields change while they run: call it only when no other M runs goroutines
  // (at teardown, or with the world paused).
  std::string dump_goroutines(const G* culprit, uint64_t skip_id = 0);
  // dump_entry() is one goroutine's entry; `running` shows it as [running] (a panicking
  // goroutine dumping itself, the one case where another thread's fields are not read).
  std::string dump_entry(const G* g, int64_t now, bool running);

  // trace() records an event from M `m` (nullptr: another thread) when tracing is on.
  // p defaults to m's P. One predictable branch when tracing is off.
  void trace(Machine* m, EventKind kind, uint64_t g, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
             int p = -2, bool fresh = true) noexcept {
    if (tracer_ == nullptr) [[likely]] return;
    trace_slow(m, kind, g, a0, a1, a2, p, fresh);
  }
  void trace_slow(Machine* m, EventKind kind, uint64_t g, uint64_t a0, uint64_t a1, uint64_t a2, int p,
                  bool fresh) noexcept;
  bool tracing() const noexcept { return tracer_ != nullptr; }
  // det() is the world of a deterministic run (Config::deterministic), else nullptr.
  DetWorld* det() const noexcept { return det_.get(); }
  uint64_t trace_site(const std::source_location& s);
  uint64_t trace_string(const std::string& text);
  uint32_t fastrand(Processor* pp) noexcept;
  // can_spin() is Go's sync_runtime_canSpin for the calling M.
  bool can_spin(int iteration) noexcept;
  Clock clock;
  const Config cfg;
  RaceDetector* race = nullptr;  // Config::race: owned by gor::run (run.cpp)

  // Statistics.
  std::atomic<uint64_t> steals{0}, preempt_requests{0}, syscall_handoffs{0}, goroutines_created{0};
  std::atomic<int> ngoroutines{0};

 private:
  friend struct SchedulerAccess;
  G* find_runnable(Machine* m, bool& inherit);
  G* steal_work(Machine* m, Processor* pp, bool& ran_timers);
  G* globrunq_get(Processor* pp, uint32_t max);  // sched lock held
  void execute(Machine* m, G* g, bool inherit);
  void after_switch(Machine* m, G* g);
  void trace_switch_out(Machine* m, G* g, MAction action);
  void stopm(Machine* m);
  void gcstopm(Machine* m);
  void reset_spinning(Machine* m);
  void acquirep(Machine* m, Processor* pp) noexcept;
  Processor* releasep(Machine* m) noexcept;
  void pidleput(Processor* pp) noexcept;   // sched lock held
  Processor* pidleget() noexcept;          // sched lock held
  Machine* mget() noexcept;                // sched lock held
  Machine* new_machine(Processor* pp, bool spinning);
  void checkdead();                        // sched lock held
  void teardown(Machine* m0);
  void free_goroutine(Processor* pp, G* g);
  char* acquire_stack(Processor* pp);
  // stop_the_world() stops every P; m is the calling goroutine's M, or nullptr for a thread
  // outside the run (then it may give up at `deadline`). Returns whether all Ps stopped.
  bool stop_the_world(Machine* m, std::chrono::steady_clock::time_point deadline =
                                      std::chrono::steady_clock::time_point::max());
  void start_the_world(Machine* m);
  PauseReport pause_locked(std::chrono::milliseconds timeout);  // control_mu_ held
  bool det_freeze(std::chrono::milliseconds timeout);           // control_mu_ held, deterministic mode
  void resume_locked();                                          // control_mu_ held
  Snapshot snapshot_locked();
  void attach_control();
  void detach_control();
  void procresize(Machine* m, int n);      // world stopped, sched lock held
  void retake(int64_t now);

  friend void detail::ready(G* g) noexcept;

  // sched.lock: global run queue, idle P and M lists, M count, stop-the-world state.
  std::mutex lock_;
  G* runq_head_ = nullptr;
  G* runq_tail_ = nullptr;
  std::atomic<int32_t> runq_size_{0};
  Processor* pidle_ = nullptr;
  std::atomic<int32_t> npidle_{0};
  Machine* midle_ = nullptr;
  int nmidle_ = 0;
  int mcount_ = 0;
  int max_mcount_ = 0;
  std::atomic<int32_t> nmspinning_{0};
  std::array<Processor*, kMaxProcs> allp_{};
  std::atomic<int> gomaxprocs_{0};
  std::vector<std::unique_ptr<Machine>> allm_;
  std::vector<std::unique_ptr<Processor>> pstore_;
  Machine* timer_sleeper_ = nullptr;
  int64_t timer_sleeper_until_ = 0;

  // Stop the world.
  std::atomic<bool> gcwaiting_{false};
  int stopwait_ = 0;
  Note stopnote_;
  std::atomic<bool> stw_owner_{false};

  // External control (control.cpp). control_mu_ serialises RunControl calls.
  std::mutex control_mu_;
  bool paused_ = false;
  // held_: the run's fatal end is being held (paused_ is set too); held_cv_ wakes run().
  bool held_ = false;
  HeldEnd held_end_;
  std::condition_variable held_cv_;
  double paused_dilation_ = 1.0;
  std::atomic<bool> stepping_{false};
  std::atomic<int64_t> step_budget_{0};
  Note step_note_;

  // All goroutines ever allocated in this run (guarded by allgs_lock_) and the free pool.
  std::mutex allgs_lock_;
  std::vector<std::unique_ptr<G>> allgs_;
  std::mutex gfree_lock_;
  std::vector<G*> gfree_;
  std::atomic<uint64_t> goid_gen_{0};

  std::atomic<int64_t> ntimers_{0};

  // Partial deadlocks (deadlock_detector.cpp).
  std::atomic<int> suspect_parks_{0};        // goroutines parked for a deadlock_suspect reason
  std::mutex deadlock_mu_;                   // guards the fields below
  std::vector<DeadlockInfo> deadlocks_;      // reported so far, in order
  std::vector<std::string> deadlock_candidates_;  // sysmon's previous sightings
  int64_t deadlock_last_check_ = 0;          // sysmon only: wall ns of the last look

  // Ending.
  std::atomic<bool> ending_{false};
  Note end_note_;  // woken when ending_ is set: the thread that called run() waits on it
  bool tearing_down_ = false;
  size_t abandoned_threads_ = 0;  // M0 only: Ms stop_machines() gave up on
  std::vector<G*> abandoned_gs_;  // M0 only: their goroutines (teardown leaves them alone)
  std::mutex result_lock_;
  RunResult result_;

  std::unique_ptr<DetWorld> det_;  // deterministic mode only; destroyed after the tracer
  std::unique_ptr<Tracer> tracer_;
  EventRing* sysmon_ring_ = nullptr;
  std::thread sysmon_;
  Note sysmon_note_;
  G* main_g_ = nullptr;
  std::atomic<bool> sysmon_deep_{false};  // sysmon sleeps until a P is taken (acquirep wakes it)
  std::atomic<uint64_t> sysmon_ticks_{0};  // sysmon's wakeups (RunResult::sysmon_ticks)
};

// Access to the running scheduler of the calling thread (goroutine or M), or nullptr.
Scheduler* current_scheduler() noexcept;
// g_last_scheduler_store/clear track the most recent run, for calls from non-engine threads.
void g_last_scheduler_store(Scheduler* s) noexcept;
void g_last_scheduler_clear(Scheduler* s) noexcept;

}  // namespace gor::detail
