// once.hpp — gor::Once, Go's sync.Once on the engine.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <cstdint>
#include <source_location>
#include <type_traits>
#include <utility>

#include "gor/detail/object_id.hpp"
#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"

namespace gor {

// Once runs a function exactly once. call(fn) runs fn if no call has run it yet; every
// caller returns only after that fn finished (the others park in "sync.Mutex.Lock", as Go's
// doSlow does on its mutex). Once done,
// call is one acquire load. If fn throws (a panic), Once considers it done, as Go does,
// and the exception propagates to the caller that ran it. Neither copyable nor movable.
// It may be destroyed as soon as any call() returned: the runner's last touch is the one
// atomic store that publishes "done" and releases the waiter queue together.
class Once {
 public:
  Once() = default;
  // Once(name) names it for dumps, snapshots and traces; it is registered at once.
  explicit Once(const char* name) noexcept { oid_.name(detail::ObjectKind::Once, this, name); }
  ~Once() {
    oid_.release();
    if (detail::race_active()) [[unlikely]] detail::race_free_sync(this);
  }
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // call() runs fn unless done; returns after fn finished (in this or another goroutine).
  template <class F>
  void call(F&& fn, std::source_location where = std::source_location::current()) {
    if (state_.load(std::memory_order_acquire) & kDone) {
      if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Once, oid_, detail::ObjectKind::Once, this));  // fn happens before
      return;
    }
    using Fn = std::remove_reference_t<F>;
    call_slow([](void* f) { (*static_cast<Fn*>(f))(); }, const_cast<void*>(static_cast<const void*>(&fn)), where);
    if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Once, oid_, detail::ObjectKind::Once, this));
  }

  // done() is whether fn has finished.
  bool done() const noexcept { return state_.load(std::memory_order_acquire) & kDone; }

  struct Waiter;  // a goroutine parked in call(), on its stack (once.cpp)

 private:
  friend struct detail::Inspector;
  static constexpr uint32_t kLocked = 1;   // guards waiters_ (a spin bit in the state word)
  static constexpr uint32_t kRunning = 2;  // fn is running
  static constexpr uint32_t kDone = 4;     // fn has finished

  void call_slow(void (*invoke)(void*), void* fn, std::source_location where);
  bool lock_unless_done() noexcept;  // false when done (then not locked)
  static void unlock_fn(void* self) noexcept;

  std::atomic<uint32_t> state_{0};
  Waiter* waiters_ = nullptr;  // LIFO stack of waiters, guarded by kLocked
  detail::ObjectId oid_;
};

// once_func() is Go's sync.OnceFunc: a function that calls f only the first time it is
// called; every call returns after f has finished. If f panics (throws), every call throws
// that same exception, the first one included.
template <class F>
std::function<void()> once_func(F f) {
  struct State {
    explicit State(F fn) : f(std::move(fn)) {}
    Once once;
    F f;
    std::exception_ptr panic;
  };
  auto s = std::make_shared<State>(std::move(f));
  return [s] {
    s->once.call([&] {
      try {
        s->f();
      } catch (...) {
        s->panic = std::current_exception();
      }
    });
    if (s->panic) std::rethrow_exception(s->panic);
  };
}

// once_value() is Go's sync.OnceValue: a function that calls f only the first time and
// returns f's result on every call; if f panics (throws), every call throws that exception.
template <class F>
auto once_value(F f) -> std::function<std::invoke_result_t<F&>()> {
  using R = std::invoke_result_t<F&>;
  struct State {
    explicit State(F fn) : f(std::move(fn)) {}
    Once once;
    F f;
    std::optional<R> value;
    std::exception_ptr panic;
  };
  auto s = std::make_shared<State>(std::move(f));
  return [s]() -> R {
    s->once.call([&] {
      try {
        s->value.emplace(s->f());
      } catch (...) {
        s->panic = std::current_exception();
      }
    });
    if (s->panic) std::rethrow_exception(s->panic);
    return *s->value;
  };
}

}  // namespace gor
