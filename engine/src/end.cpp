// end.cpp — the end of a run in real mode: every M stops within kEndGrace, or is abandoned.
//
// Go ends the process as soon as main.main returns (or a panic or fatal error is printed):
// exit(2) takes every thread with it, whatever it was doing. gor::run is a library call, so
// it cannot kill threads; it asks them to stop instead. set_ending() sets every goroutine's
// preempt flag and wakes every idle M and sysmon; an M running a goroutine leaves at that
// goroutine's next preemption point, an idle one at once. Two kinds of thread do not come:
//
//   - an M whose goroutine runs a loop with no preemption point (plain C++ code that never
//     calls the engine; in instrumented code a prologue check catches it, preempt.cpp);
//   - an M blocked in gor::syscall (a read that never returns, a sleep of an hour).
//
// stop_machines() waits for them for at most kEndGrace (wall time), then abandons them:
// each is reported (RunResult::abandoned: which goroutine, where), marked `abandoned`, and its
// std::thread detached. It is never joined. Such a thread parks for good (park_thread_forever)
// at the first point where it reaches the engine: a switch to its scheduler stack (any
// blocking call, a yield or preemption point, the goroutine's end) or the return from its
// syscall, so it never runs another goroutine nor touches another run.
//
// What that costs: the abandoned goroutine's code may still run until that point, and may use
// any memory it could reach: its own stack, the run's objects, main's frame. So the run's
// memory is never freed (gor::run leaks the Scheduler and keeps this run's goroutine stacks out
// of the pool); memory outside the run that the goroutine uses (the caller's locals it captured)
// is the caller's to keep alive, or, as goroscope-cli does, the process exits at once, as Go's.
// A thread and its stack, and the run's stacks (virtual, committed only as touched) stay
// allocated until the process exits.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "go_names.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {
constexpr auto kEndGrace = std::chrono::milliseconds(50);  // with teardown, well under 100 ms
}

[[noreturn]] void park_thread_forever() noexcept {
  for (;;) ::pause();  // returns only after a signal handler ran: park again
}

void Scheduler::stop_machines() {
  const auto deadline = std::chrono::steady_clock::now() + kEndGrace;
  for (;;) {
    std::vector<Machine*> running, stopped;
    {
      std::lock_guard<std::mutex> guard(lock_);
      for (auto& m : allm_) {
        if (!m->thread.joinable()) continue;
        (m->exited.load(std::memory_order_acquire) ? stopped : running).push_back(m.get());
      }
      for (Machine* m = midle_; m != nullptr; m = m->link) m->park.wakeup();
    }
    for (Machine* m : stopped) m->thread.join();
    if (running.empty()) return;
    if (std::chrono::steady_clock::now() < deadline) {
      sysmon_note_.wakeup();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    // Give up on them: report each, then let it go.
    for (Machine* m : running) {
      m->abandoned.store(true, std::memory_order_seq_cst);
      if (m->exited.load(std::memory_order_acquire)) {  // it left after all
        m->thread.join();
        continue;
      }
      m->thread.detach();
      ++abandoned_threads_;
      G* g = m->curg;
      if (g != nullptr) abandoned_gs_.push_back(g);
      std::ostringstream line;
      line << "thread M" << m->id;
      if (g == nullptr) {
        line << " did not stop (on its scheduler stack)";
      } else {
        const GState s = g->state.load(std::memory_order_acquire);
        line << " goroutine " << g->id;
        if (s == GState::Syscall) {
          const std::string path = project_path(g->blocked_at.file_name());
          line << " [syscall] at " << path << ":" << g->blocked_at.line()
               << ": blocked in gor::syscall, did not return";
        } else {
          const std::string path = project_path(g->created_at.file_name());
          line << " [running] created at " << path << ":" << g->created_at.line()
               << ": reached no preemption point (a loop with no engine call)";
        }
      }
      line << "; abandoned, not joined";
      std::lock_guard<std::mutex> guard(result_lock_);
      result_.abandoned.push_back(line.str());
    }
    return;
  }
}

void Scheduler::stack_overflow(Machine* m, G* g, const char* sp) {
  char line[160];
  std::snprintf(line, sizeof line, "runtime: sp=%p stack=[%p, %p]\n", static_cast<const void*>(sp),
                static_cast<const void*>(g->stack), static_cast<const void*>(g->stack + g->stack_size));
  const std::string preamble =
      "runtime: goroutine stack exceeds " + std::to_string(g->stack_size) + "-byte limit\n" + line;
  if (!ending()) {
    set_ending(RunStatus::Panic, "stack overflow", g, dump_entry(g, clock.now(), /*running=*/true), /*fatal=*/true);
    std::lock_guard<std::mutex> guard(result_lock_);
    if (result_.panicking_goid == g->id) result_.preamble = preamble;
  }
  if (tracer_ != nullptr) trace(m, EventKind::GoEnd, g->id);
  // g never runs again: its frames are dropped (what they own leaks), its closure is destroyed
  // here, and its stack and G go back to the caches.
  try {
    g->fn = nullptr;
  } catch (...) {
  }
  free_goroutine(m->p, g);
}

}  // namespace gor::detail
