// runtime.hpp — running a program on the gor engine, and what a goroutine can ask of it.
//
// gor::run(cfg, main) starts an M:N scheduler (Go's G/M/P model: goroutines on logical
// processors on OS threads), runs `main` as the main goroutine and returns when it returns,
// when a goroutine panics, or when every goroutine is blocked for good (deadlock).
// All other functions here are called from inside a goroutine of a run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gor/schedule.hpp"
#include "gor/strategy.hpp"

namespace gor {

class TraceObserver;  // trace.hpp
class RunControl;     // control.hpp

// Duration is the engine's duration type (Go's time.Duration).
using Duration = std::chrono::nanoseconds;

// EngineClock is the run's clock: monotonic, in engine time. Engine time runs `dilation`
// times slower than wall time (Config::dilation, set_dilation), so every timeout and
// threshold (sleep, timers, the mutex's 1 ms starvation limit) stays consistent in slow motion.
struct EngineClock {
  using duration = Duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<EngineClock, Duration>;
  static constexpr bool is_steady = true;
  // now() is gor::now(): engine time of the current run (or of the calling thread's run).
  static time_point now() noexcept;
};

// TimePoint is a point in engine time, as returned by gor::now().
using TimePoint = EngineClock::time_point;

// Config describes one run.
struct Config {
  int procs = 0;                     // GOMAXPROCS; 0: the machine's hardware threads
  uint64_t seed = 0;                 // seeds the scheduler's and select's random choices; 0: a
                                     // random seed is picked (RunResult::seed reports it)
  bool trace = false;                // record scheduler events (trace.hpp) for `observer`
  TraceObserver* observer = nullptr; // receives the events when trace is on (may be nullptr)
  RunControl* control = nullptr;     // lets another thread pause, step, inspect and stop the run
  double dilation = 1.0;             // engine time runs this many times slower than wall time
  size_t stack_size = 128 * 1024;    // goroutine stack size (virtual; committed lazily)
  std::chrono::milliseconds preempt_after{10};  // sysmon's preemption threshold (Go: 10 ms)
  bool race = false;                 // run the happens-before race detector (race.hpp), like go -race
  bool race_fatal = false;           // with race: the first race ends the run (Panic, "race detected")
  // deterministic runs the same scheduler with exactly one M moving at a time, in virtual
  // engine time, with a seeded chooser deciding who moves at each scheduling point: the same
  // Config gives the same run, event for event (see the design essay in scheduler.cpp).
  // Unset: the environment decides (GOR_DETERMINISTIC=1, with GOR_SEED=S), else real mode.
  std::optional<bool> deterministic;
  // op_cost is the virtual time one engine operation (a scheduling point) takes in a
  // deterministic run, so that run slices have width. Real mode ignores it.
  Duration op_cost{100};
  // replay re-executes a recorded schedule (RunResult::schedule) in a deterministic run; the
  // run ends with a fatal "replay diverged: ..." error where the program no longer matches it.
  std::shared_ptr<const Schedule> replay;
  // replay_events (with replay and trace): follow the recorded schedule only until this many
  // trace events have been recorded, then choose freely with the seeded chooser ("run from
  // here": the run is the recorded one up to that event, then goes its own way). 0: the whole
  // schedule, and a run that leaves it is a divergence.
  uint64_t replay_events = 0;
  // preemption_points (deterministic mode): every scheduling point of a goroutine is also a
  // choice whether to preempt it there (strategy.hpp), as schedule explorers need. Off, no
  // goroutine is ever preempted but by sysmon.
  bool preemption_points = false;
  // strategy decides the run's choices instead of the seeded chooser (deterministic mode;
  // a replayed choice is not asked). See strategy.hpp.
  std::shared_ptr<Strategy> strategy;
};

// RunStatus is how a run ended.
enum class RunStatus { Ok, Panic, Deadlock };

// RunResult is what a run reports. `message` is Go's text exactly (no "panic: " prefix).
struct RunResult {
  RunStatus status = RunStatus::Ok;
  std::string message;          // panic message (what() of the uncaught exception; "unknown C++
                                // exception" for one not derived from std::exception), or
                                // "all goroutines are asleep - deadlock!"
  std::string dump;             // goroutine dump (Go's traceback format) for Panic and Deadlock
  // preamble is what Go prints before "fatal error: ..." for some fatal errors, e.g. "runtime:
  // goroutine stack exceeds 131072-byte limit" and the stack bounds before a stack overflow.
  std::string preamble;
  size_t leaked = 0;            // goroutines still alive when main returned (unwound by the engine)
  uint64_t goroutines_created = 0;
  uint64_t steals = 0;          // successful steal operations
  uint64_t preempt_requests = 0;// sysmon preemption requests
  uint64_t syscall_handoffs = 0;// Ps retaken from goroutines blocked in gor::syscall
  int max_threads = 0;          // the most OS threads (Ms) alive at once
  uint64_t sysmon_ticks = 0;    // times sysmon woke to look at the Ps (its back-off and deep sleep)
  uint64_t panicking_goid = 0;  // goroutine that panicked (0 when none)
  bool stopped = false;         // ended by RunControl::stop()
  uint64_t trace_events = 0;    // events delivered to the observer (trace on)
  uint64_t trace_waits = 0;     // times a producer waited for the drain thread (none lost)
  size_t races = 0;             // distinct data races found (Config::race), one per pair of sites
  std::vector<std::string> race_reports;  // their reports, Go's "WARNING: DATA RACE" format
  // fatal is true when the run ended in what Go calls a fatal error, printed with the prefix
  // "fatal error: " instead of "panic: ": a deadlock, a sync misuse such as "sync: unlock of
  // unlocked mutex" (status Panic), or a fatal data race (Config::race_fatal).
  bool fatal = false;
  uint64_t seed = 0;            // the seed the run used (Config::seed, or the one picked)
  bool deterministic = false;   // it ran in deterministic mode
  int64_t engine_ns = 0;        // engine time when it ended
  // abandoned reports each OS thread the run could not stop within 100 ms of its end (Go
  // would have exited the process): one line per thread, which goroutine and where, e.g.
  // "goroutine 5 [running] created at samples/x.cpp:12: a loop with no preemption point".
  // Such a thread is detached and parks for good at its next engine call; the run's memory
  // (scheduler, stacks) is never freed, since it may still use it. Empty in most runs.
  std::vector<std::string> abandoned;
  Schedule schedule;            // deterministic: the chooser's decisions (replay with Config::replay)
  uint64_t actor_switches = 0;  // deterministic: times the chooser moved another M or sysmon
};

// run() runs `main` as the main goroutine under `cfg`. Runs may follow each other and may
// run concurrently in one process (each has its own threads). Calling run() from inside
// a goroutine throws std::logic_error.
RunResult run(const Config& cfg, std::function<void()> main);

// go() starts fn as a new goroutine (Go's `go` statement). It is queued in the caller's
// P runnext slot, as Go does. Records the creation site.
void go(std::function<void()> fn, std::source_location where = std::source_location::current());

// go_named() is go() with a label shown in dumps and the GUI.
void go_named(std::string label, std::function<void()> fn,
              std::source_location where = std::source_location::current());

// yield() is runtime.Gosched: the goroutine goes to the global run queue and others run.
void yield();

// sleep() parks the goroutine for d of engine time (time.Sleep). d <= 0 returns at once.
void sleep_for(Duration d, std::source_location where = std::source_location::current());
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d, std::source_location where = std::source_location::current()) {
  sleep_for(std::chrono::duration_cast<Duration>(d), where);
}

// now() is the engine clock (dilation-aware, monotonic).
TimePoint now() noexcept;

// set_dilation() changes how many times slower than wall time engine time runs (k >= 0.01).
void set_dilation(double k);

// gomaxprocs() sets the number of Ps (stopping the world to resize) when n > 0 and returns
// the previous value; n <= 0 only queries.
int gomaxprocs(int n = 0);

// num_goroutine() is runtime.NumGoroutine: goroutines alive in the current run.
int num_goroutine();

// goid() is the current goroutine's id (main is 1); 0 outside goroutines.
uint64_t goid() noexcept;

// deterministic() is whether the calling goroutine's run is deterministic (Config::deterministic).
bool deterministic() noexcept;

// thread_id() is the id of the M (the engine's OS thread, M0, M1, ...) running the calling
// goroutine, -1 outside goroutines. In a deterministic run the Ms take turns on one OS thread,
// but each keeps its identity: use this, not std::this_thread::get_id(), to see which M ran
// what. proc_id() is the P it runs on (-1: none, e.g. in a syscall).
int thread_id() noexcept;
int proc_id() noexcept;

// preempt_point() honours a pending preemption request from sysmon (cooperative
// preemption: a goroutine that never calls into the engine cannot be stopped).
void preempt_point();

// work() is CPU work lasting d of engine time: "this goroutine computes for d". In real mode
// it burns d x dilation of its M's CPU time (so an OS that deschedules the thread delays the
// work, as on a real core), reaching a preemption point at least every
// 100 us of engine time, so slow motion slows computation as well as timers. In a
// deterministic run it advances the M's virtual clock by d (also in 100 us steps, so sysmon
// can preempt it after 10 ms like any running goroutine).
void work(Duration d, std::source_location where = std::source_location::current());
template <class Rep, class Period>
void work(std::chrono::duration<Rep, Period> d, std::source_location where = std::source_location::current()) {
  work(std::chrono::duration_cast<Duration>(d), where);
}

// spin() is CPU work lasting d with no preemption point inside: a loop that never calls the
// engine (sysmon's preemption request waits for its end). Real mode burns d x dilation of
// CPU time; a deterministic run advances the M's clock by d in one step.
void spin(Duration d, std::source_location where = std::source_location::current());
template <class Rep, class Period>
void spin(std::chrono::duration<Rep, Period> d, std::source_location where = std::source_location::current()) {
  spin(std::chrono::duration_cast<Duration>(d), where);
}

// pending_timers() is how many engine timers are armed in the current run.
size_t pending_timers();

namespace detail {
void enter_syscall(std::source_location where, Duration engine_time = Duration{0});
void exit_syscall() noexcept;
}  // namespace detail

// syscall() runs a blocking call (fn) outside the scheduler: while fn blocks, sysmon hands
// the goroutine's P to another M so other goroutines keep running; afterwards the goroutine
// reacquires a P (or queues globally). Returns fn's result; exceptions propagate.
// In a deterministic run the call takes no virtual time unless given one: syscall(fn, d)
// models a call lasting d of engine time (sysmon retakes the P after 20 us of it, as in real
// mode). Real mode ignores d: the call takes as long as it takes.
template <class F>
auto syscall(F&& fn, Duration engine_time, std::source_location where = std::source_location::current())
    -> std::invoke_result_t<F> {
  detail::enter_syscall(where, engine_time);
  struct Exit {
    ~Exit() { detail::exit_syscall(); }
  } exit_guard;
  return std::forward<F>(fn)();
}
template <class F>
auto syscall(F&& fn, std::source_location where = std::source_location::current())
    -> std::invoke_result_t<F> {
  detail::enter_syscall(where);
  struct Exit {
    ~Exit() { detail::exit_syscall(); }
  } exit_guard;
  return std::forward<F>(fn)();
}

}  // namespace gor
