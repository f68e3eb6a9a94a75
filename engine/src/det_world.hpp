// det_world.hpp — deterministic mode's world: every M and sysmon as a fiber on one OS thread,
// virtual time, and the seeded chooser that decides which of them moves next.
//
// The scheduler's design essay (scheduler.cpp, "Deterministic mode") explains the model; in
// short:
//   - An actor is one thread of control of the run: an M's scheduler loop, or sysmon. In
//     real mode each is an OS thread. Here each is a fiber, and the world runs exactly one at
//     a time on the thread that called gor::run.
//   - Each actor has its own virtual clock (vt). An actor moves only at a scheduling point:
//     it charges what it just did to its clock (DetWorld::point) and the chooser picks the
//     actor with the lowest clock to move next. Ties are broken by the seeded chooser, and
//     every tie broken is one decision of the run's Schedule.
//   - An actor that blocks (an M parking on its Note, sysmon sleeping) is a candidate again
//     when it is woken, at max(its clock, now); one that sleeps with a timeout is a
//     candidate at its deadline. So when every M is blocked, time jumps to the next timer
//     (testing/synctest's rule), and nothing reads the wall clock.
//   - now() is the clock of the actor that moves: it never goes back.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fiber_switch.hpp"
#include "gor/schedule.hpp"
#include "gor/strategy.hpp"

namespace gor::detail {

struct Machine;
class Note;
class DetWorld;

// DetActor is one thread of control of a deterministic run: an M's loop, or sysmon.
// Its fields are touched only on the world's thread.
struct DetActor {
  enum class State : uint8_t { Ready, Blocked, Finished };
  DetWorld* world = nullptr;
  int index = 0;               // creation order: candidates are ordered by it
  Machine* m = nullptr;        // nullptr for sysmon
  std::function<void()> body;
  ctx::fcontext_t context = nullptr;  // where it resumes while switched out
  char* stack = nullptr;       // its own stack (mmap'ed), the M's g0 stack
  size_t stack_size = 0;
  FiberIdentity own_identity;  // sysmon's stack; an M uses Machine::g0_fiber instead
  FiberIdentity* own = nullptr;  // its own stack's identity
  FiberIdentity* on = nullptr;   // the stack it was on when it switched out (its own or a goroutine's)
  EhState eh;                  // the C++ exception state while switched out
  int64_t vt = 0;              // virtual clock (engine ns)
  State state = State::Ready;
  int64_t wake_at = INT64_MAX; // Blocked with a timeout: when it becomes a candidate again
  Note* note = nullptr;        // Blocked: the Note it sleeps on (nullptr: waiting to join)
  bool timed_out = false;
};

// DetWorld runs one deterministic run's actors. Created by the Scheduler in deterministic
// mode; run() is called on the thread that called gor::run.
class DetWorld {
 public:
  // DetWorld(seed, op_cost_ns, replay): replay (may be null) is the schedule to re-execute.
  DetWorld(uint64_t seed, int64_t op_cost_ns, const Schedule* replay, bool preemption_points = false,
           Strategy* strategy = nullptr);
  ~DetWorld();
  DetWorld(const DetWorld&) = delete;
  DetWorld& operator=(const DetWorld&) = delete;

  // spawn() adds an actor running body; it first moves at the current time. For an M, m's
  // g0_fiber is set to describe the actor's stack. Called on the world's thread (or before
  // run()).
  DetActor* spawn(Machine* m, std::function<void()> body);
  // adopt() makes the calling actor (spawned with m = nullptr) the M m (M0 of the run).
  void adopt(Machine* m);
  // run() runs the actors until every one has finished. Executed on the thread of gor::run.
  void run();

  // point() is a scheduling point of the calling actor: cost ns of virtual time are charged
  // to it, then the chooser picks who moves next (maybe the caller again).
  void point(int64_t cost);
  // op_point() is point() with the configured cost of one engine operation.
  void op_point() { point(op_cost_); }
  // block() parks the calling actor on note n until wake(n) or until virtual time wake_at
  // (INT64_MAX: no timeout). Returns true if woken, false on timeout.
  bool block(Note* n, int64_t wake_at);
  // wake() makes the actor blocked on n a candidate again; returns false if none was.
  // From another thread it is queued and done by the world's thread at its next choice.
  bool wake(Note* n);
  // join_others() blocks the caller until every other actor has finished.
  void join_others();

  // now() is the virtual time of the actor that moves (engine ns since the run started).
  int64_t now() const noexcept { return now_.load(std::memory_order_relaxed); }
  const std::atomic<int64_t>& now_ref() const noexcept { return now_; }
  int64_t op_cost() const noexcept { return op_cost_; }
  // on_world_thread() is whether the caller is the world's thread.
  static bool on_world_thread() noexcept;
  // current() is the actor that moves (world thread only), nullptr in the world loop.
  DetActor* current() const noexcept { return current_; }

  // replay_until() makes the replay stop once *events trace events have been recorded
  // (Config::replay_events); from then on the seeded chooser decides. Before run().
  void replay_until(const uint64_t* events, uint64_t count) {
    replay_events_seen_ = events;
    replay_events_ = count;
  }
  // schedule() is the decisions taken so far (the whole run's, once run() returned).
  Schedule schedule() const;
  // divergence() is the first difference from the replayed schedule ("" if none).
  std::string divergence() const;
  // on_freeze is called on the world's thread as the world freezes (RunControl pause or a
  // step's end), before another thread may look: the tracer delivers what it holds.
  std::function<void()> on_freeze;
  // on_divergence is called once, on an actor, when the replay first diverges.
  std::function<void(const std::string&)> on_divergence;
  // preemption_points() is Config::preemption_points.
  bool preemption_points() const noexcept { return preemption_points_; }
  // decide_preempt() is the Preempt choice at a scheduling point of goroutine `goid`:
  // whether to preempt it there (recorded, replayed, or asked of the strategy).
  bool decide_preempt(uint64_t goid);
  // replay_left() says what of the replayed schedule the run did not use ("" if it used it all).
  std::string replay_left() const;
  // decisions() is how many ties the chooser broke.
  uint64_t decisions() const noexcept { return decisions_taken_; }
  // switches() is how many times another actor was chosen than the one at its point.
  uint64_t switches() const noexcept { return switches_; }

  // pause_world()/resume_world()/world_paused(): another thread freezes the world between two
  // scheduling points (RunControl in deterministic mode). pause_world() returns once the
  // world is frozen or has ended (false), or after timeout (false).
  bool pause_world(std::chrono::milliseconds timeout);
  void resume_world();
  bool world_paused() const;
  // freeze_at_next_choice() (world thread) freezes the world at its next scheduling decision,
  // as if pause_world() had been called then.
  void freeze_at_next_choice();
  // freeze_after_events() (another thread, the world frozen) makes the world freeze at its first
  // scheduling decision once *recorded (the tracer's count, world thread) reaches target.
  void freeze_after_events(const uint64_t* recorded, uint64_t target);
  // freeze_after_events_pending() says whether that count is still to be reached (any thread);
  // freeze_after_events(nullptr, 0) cancels it.
  bool freeze_after_events_pending() const;

 private:
  friend void det_actor_entry_impl(DetActor* a, ctx::fcontext_t world);
  DetActor* choose();          // the next actor to move, nullptr if none can
  // decide() is a choice among n candidates of `kind` (goroutines: what each candidate runs):
  // replayed, asked of the strategy, or drawn from the seeded generator; always recorded.
  uint32_t decide(uint32_t n, ChoiceKind kind, const uint64_t* goroutines);
  void switch_out(DetActor* self, bool exiting);
  // move_on() lets the chooser pick who moves next from the caller's point (maybe the caller
  // again, at once) and returns when the caller moves again.
  void move_on(DetActor* self);
  void take_external();        // the wakes queued by other threads
  void check_frozen();         // waits while another thread froze the world
  void report_divergence();
  void finish(DetActor* a);

  std::vector<std::unique_ptr<DetActor>> actors_;
  DetActor* current_ = nullptr;
  DetActor* next_ = nullptr;
  ctx::fcontext_t world_context_ = nullptr;  // the world loop, while an actor moves
  FiberIdentity world_identity_;
  std::atomic<int64_t> now_{0};
  const int64_t op_cost_;
  uint64_t rng_;
  std::optional<ScheduleReader> replay_reader_;  // the schedule being re-executed
  const uint64_t* replay_events_seen_ = nullptr;  // the tracer's count of recorded events
  uint64_t replay_events_ = 0;                     // replay until that count (0: to the end)
  Schedule log_;               // the decisions taken (the replayed ones too)
  const bool preemption_points_;
  Strategy* const strategy_;
  uint64_t decisions_taken_ = 0;
  uint64_t switches_ = 0;
  std::string divergence_;
  bool divergence_reported_ = false;
  int alive_ = 0;              // actors not finished
  Note* join_note_ = nullptr;  // the actor waiting in join_others()
  std::unique_ptr<Note> join_wait_;

  // Cross-thread requests (other threads: wakes, freezing).
  std::atomic<bool> external_{false};  // something below is pending
  mutable std::mutex ext_mu_;
  std::condition_variable ext_cv_;
  std::vector<Note*> ext_wakes_;
  bool freeze_ = false;        // another thread asked the world to stop
  const uint64_t* freeze_events_seen_ = nullptr;  // freeze_after_events(): the tracer's count
  uint64_t freeze_events_at_ = 0;                 // ... and the count to freeze at (0: none)
  bool frozen_ = false;        // the world is stopped
  bool ended_ = false;         // run() returned
};

// det_world_of_thread() is the calling thread's world (deterministic runs), else nullptr.
DetWorld* det_world_of_thread() noexcept;

}  // namespace gor::detail
