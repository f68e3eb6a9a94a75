// fiber_switch.hpp — the one place where execution moves between stacks.
//
// Boost 1.74's fcontext switch (jump_fcontext, ~5 ns) knows nothing of sanitizers or of the
// C++ runtime's per-thread exception state, so every switch goes through switch_context(),
// which:
//   - tells ASan which stack is about to run (__sanitizer_start/finish_switch_fiber),
//   - tells TSan which fiber runs now (__tsan_switch_to_fiber),
// and the goroutine side saves/restores the exception-handling globals (see EhState).
// The annotations are compiled in only under the asan/tsan presets (GOR_ASAN/GOR_TSAN).
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <pthread.h>

#include <cstddef>

#if defined(GOR_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(GOR_TSAN)
extern "C" {
void* __tsan_get_current_fiber(void);
void* __tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void* fiber);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
}
#endif

namespace gor::detail {

namespace ctx = boost::context::detail;

// EhState is the C++ runtime's per-thread exception state (libsupc++'s __cxa_eh_globals:
// the caught-exception stack and the uncaught count). A goroutine may block inside a catch
// block and resume on another OS thread, so the state travels with the goroutine: it is
// saved when the goroutine switches out and restored when it switches in, and the
// scheduler stack always runs with an empty state.
struct EhState {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

extern "C" EhState* __cxa_get_globals() noexcept;  // libsupc++; the layout above is its ABI

// eh_swap_out() saves the thread's exception state (`globals`: its __cxa_get_globals(), which
// the caller has cached per thread) into `saved` and clears the thread's.
inline void eh_swap_out(EhState* globals, EhState& saved) noexcept {
  saved = *globals;
  *globals = EhState{};
}
// eh_swap_in() installs `saved` as the exception state `globals` of the resuming thread.
inline void eh_swap_in(EhState* globals, const EhState& saved) noexcept { *globals = saved; }

// FiberIdentity is what the sanitizers need to know about one stack.
struct FiberIdentity {
  const void* stack_bottom = nullptr;  // lowest address
  size_t stack_size = 0;
#if defined(GOR_ASAN)
  void* fake_stack = nullptr;
#endif
#if defined(GOR_TSAN)
  void* tsan_fiber = nullptr;
  bool owns_tsan_fiber = false;
#endif
};

// fiber_identity_for_thread() describes the current OS thread's own stack (a scheduler stack).
inline void fiber_identity_for_thread(FiberIdentity& id) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
      id.stack_bottom = addr;
      id.stack_size = size;
    }
    pthread_attr_destroy(&attr);
  }
#if defined(GOR_TSAN)
  id.tsan_fiber = __tsan_get_current_fiber();
  id.owns_tsan_fiber = false;
#else
  (void)id;
#endif
}

// fiber_identity_create() describes a goroutine stack [bottom, bottom+size).
inline void fiber_identity_create(FiberIdentity& id, const void* bottom, size_t size) {
  id.stack_bottom = bottom;
  id.stack_size = size;
#if defined(GOR_TSAN)
  id.tsan_fiber = __tsan_create_fiber(0);
  id.owns_tsan_fiber = true;
#endif
}

// fiber_identity_destroy() releases what fiber_identity_create() made.
inline void fiber_identity_destroy(FiberIdentity& id) {
#if defined(GOR_TSAN)
  if (id.owns_tsan_fiber && id.tsan_fiber) __tsan_destroy_fiber(id.tsan_fiber);
  id.tsan_fiber = nullptr;
  id.owns_tsan_fiber = false;
#else
  (void)id;
#endif
}

// switch_context() jumps from the stack described by `from` to the context `to` whose stack
// is described by `target`. `exiting` says the current stack will never be resumed.
// Returns what the resumer passed (Boost's transfer_t).
inline ctx::transfer_t switch_context(FiberIdentity& from, const FiberIdentity& target, ctx::fcontext_t to,
                                      void* data, bool exiting = false) {
#if defined(GOR_ASAN)
  __sanitizer_start_switch_fiber(exiting ? nullptr : &from.fake_stack, target.stack_bottom, target.stack_size);
#else
  (void)exiting;
#endif
#if defined(GOR_TSAN)
  __tsan_switch_to_fiber(target.tsan_fiber, 0);
#endif
  ctx::transfer_t t = ctx::jump_fcontext(to, data);
#if defined(GOR_ASAN)
  __sanitizer_finish_switch_fiber(from.fake_stack, nullptr, nullptr);
#endif
  (void)from;
  (void)target;
  return t;
}

// fiber_entered() must be the first call on a new stack (finishes ASan's switch).
inline void fiber_entered(FiberIdentity& self) {
#if defined(GOR_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
  (void)self;
}

}  // namespace gor::detail
