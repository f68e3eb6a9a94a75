// preempt.cpp — preemption and stack checks at function prologues (GCC -finstrument-functions).
//
// Go ≥ 1.14 preempts a goroutine anywhere with a signal, because its compiler records, for
// every instruction, where the pointers are (stack maps), and its runtime can resume any
// goroutine on any thread. Neither holds for C++: a goroutine interrupted inside malloc, or
// between two instructions that keep a pointer only in a register, cannot safely be switched
// out from a signal handler. What C++ can do safely is what Go did before 1.14: check at
// every function prologue. Code compiled with GCC's -finstrument-functions calls
// __cyg_profile_func_enter() on entry to every function (inlined ones included), and the
// engine defines it here:
//
//   - if the running goroutine's preempt flag is set (sysmon after 10 ms on one P, the run's
//     end, stop-the-world), the goroutine yields there, as at gor::preempt_point();
//   - if the stack pointer is within kPrologueMargin of the goroutine's stack bottom, the run
//     ends with Go's "fatal error: stack overflow" before the frame can grow further
//     (Go's morestack check, without the growing).
//
// The samples are built with -finstrument-functions (samples/CMakeLists.txt); any program
// can be. A function entry is a safe point as much as an engine call is: the code is between
// two calls, and everything it holds it holds across a call. What stays non-preemptible is a
// loop that calls no function of instrumented code (a `for (;;) ++x;`, or one that only calls
// the C++ library or the engine's uninstrumented code), as in Go ≤ 1.13.
//
// In a deterministic run the hook does not yield (the world's schedule is decided at engine
// calls only, so a run replays the same with or without instrumentation); it still checks
// the stack.
#include "gor/panic.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {
// kPrologueMargin is the stack kept free for reporting an overflow (on the goroutine's own
// stack, before switching to the scheduler stack).
constexpr size_t kPrologueMargin = 16 * 1024;
}  // namespace

// prologue_slow() is the hook's rare path: an overflow, or a preemption to honour.
__attribute__((noinline, no_instrument_function)) static void prologue_slow(Machine* m, G* g, char* sp) noexcept {
  if (sp < g->stack + kPrologueMargin) {
    m->overflow_sp = sp;
    m->action = MAction::StackOverflow;
    g->sched->switch_to_scheduler(g);
    std::abort();  // an overflowed goroutine is never resumed
  }
  if (g->sched->det() != nullptr) return;  // deterministic: engine calls only (see above)
  g->preempt.store(false, std::memory_order_relaxed);
  if (g->unwinding) return;  // being unwound: its destructors run to the end
  g->sched->yield_nothrow(g, MAction::Preempt);
  if (g->unwinding) {
    // The run ended while it was preempted here, and teardown resumed it to unwind it. A
    // throw from a prologue hook may cross a noexcept function: abandon its frames instead
    // (what a goroutine blocking in a destructor while unwinding gets, ForcedUnwind's note).
    g->m->action = MAction::Abandon;
    g->sched->switch_to_scheduler(g);
    std::abort();
  }
}

}  // namespace gor::detail

extern "C" {

__attribute__((no_instrument_function)) void __cyg_profile_func_enter(void* fn, void* call_site) noexcept {
  (void)fn;
  (void)call_site;
  using namespace gor::detail;
  Machine* m = current_machine();
  if (m == nullptr) return;
  G* g = m->curg;
  if (g == nullptr) return;
  char* sp = static_cast<char*>(__builtin_frame_address(0));
  if (sp < g->stack + kPrologueMargin || g->preempt.load(std::memory_order_relaxed)) [[unlikely]] {
    prologue_slow(m, g, sp);
  }
}

__attribute__((no_instrument_function)) void __cyg_profile_func_exit(void* fn, void* call_site) noexcept {
  (void)fn;
  (void)call_site;
}

}  // extern "C"
