// race.hpp — memory the race detector watches: gor::Shared<T>, gor::race_read/race_write.
//
// With Config::race the engine runs a happens-before race detector (like Go's -race): every
// goroutine carries a vector clock, the engine's synchronisation (go, channels, select, the
// sync package, Semaphore, context) adds Go's memory-model edges, and each recorded memory
// access is checked against the earlier ones to the same bytes. Two accesses race when at
// least one writes and neither happens before the other. A race is reported once per pair of
// source sites (RunResult::races, RunResult::race_reports, an EventKind::Race trace event) and
// the run continues, unless Config::race_fatal ends it (status Panic, "race detected").
//
// C++ memory is not instrumented by the compiler here: the detector sees exactly the accesses
// made through Shared<T> and the race_read/race_write annotations. With race off each costs
// one relaxed load and a predictable branch.
#pragma once

#include <atomic>
#include <cstddef>
#include <source_location>
#include <type_traits>
#include <utility>

#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"

namespace gor {

// race_read() and race_write() tell the detector that the calling goroutine reads or writes
// the `size` bytes at addr (annotations for memory that is not a Shared). The memory itself
// must be accessed in a well-defined way in C++ (atomics, or under a lock the detector does
// not know about); the detector judges the Go-level program. Outside goroutines, or with race
// off, they do nothing.
inline void race_read(const void* addr, size_t size, std::source_location where = std::source_location::current()) {
  detail::sched_point();
  if (detail::race_active()) [[unlikely]] detail::race_access(addr, size, false, where, nullptr);
}
inline void race_write(const void* addr, size_t size, std::source_location where = std::source_location::current()) {
  detail::sched_point();
  if (detail::race_active()) [[unlikely]] detail::race_access(addr, size, true, where, nullptr);
}
// race_free() forgets the accesses recorded for [addr, addr+size): call it before memory
// annotated with race_read/race_write is reused for another object (Shared does it itself).
inline void race_free(const void* addr, size_t size) noexcept {
  if (detail::race_active()) [[unlikely]] detail::race_free(addr, size);
}

// Shared<T> is a variable shared between goroutines whose every load and store the race
// detector records (at the caller's source site). It is a plain variable at the Go level:
// it provides no synchronisation and no atomicity (update() is a load, then a store, and
// loses concurrent updates). In C++ each load and store is indivisible (a relaxed atomic for
// small trivially copyable T, a tiny lock otherwise), so a racy program stays well defined
// and quiet under ThreadSanitizer. Neither copyable nor movable.
namespace detail {
template <class T, bool = std::is_trivially_copyable_v<T> && (sizeof(T) <= 8)>
struct lock_free_atomic : std::false_type {};
template <class T>
struct lock_free_atomic<T, true> : std::bool_constant<std::atomic<T>::is_always_lock_free> {};
}  // namespace detail

template <class T>
class Shared {
  static constexpr bool kAtomic = detail::lock_free_atomic<T>::value;

 public:
  explicit Shared(T init = T{}, const char* name = nullptr) : value_(std::move(init)), name_(name) {
    race_free(this, sizeof(*this));  // the memory may have held another Shared
  }
  ~Shared() { race_free(this, sizeof(*this)); }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  // load() reads the value (a recorded read).
  T load(std::source_location where = std::source_location::current()) const {
    detail::sched_point();
    if (detail::race_active()) [[unlikely]] detail::race_access(&value_, sizeof(T), false, where, name_);
    return raw_load();
  }
  // store() writes the value (a recorded write).
  void store(T v, std::source_location where = std::source_location::current()) {
    detail::sched_point();
    if (detail::race_active()) [[unlikely]] detail::race_access(&value_, sizeof(T), true, where, name_);
    raw_store(std::move(v));
  }
  // update(fn) is store(fn(load())) when fn returns T, else a load, fn(T&) and a store.
  template <class F>
  void update(F&& fn, std::source_location where = std::source_location::current()) {
    T v = load(where);
    if constexpr (std::is_invocable_v<F&, T&>) {
      if constexpr (std::is_void_v<std::invoke_result_t<F&, T&>>) {
        fn(v);
      } else {
        v = fn(v);
      }
    } else {
      v = fn(std::as_const(v));
    }
    store(std::move(v), where);
  }
  // name() is the name given at construction (nullptr: none), shown in race reports.
  const char* name() const noexcept { return name_; }

 private:
  using Storage = std::conditional_t<kAtomic, std::atomic<T>, T>;
  T raw_load() const {
    if constexpr (kAtomic) {
      return value_.load(std::memory_order_relaxed);
    } else {
      lock_.lock();
      T v = value_;
      lock_.unlock();
      return v;
    }
  }
  void raw_store(T v) {
    if constexpr (kAtomic) {
      value_.store(v, std::memory_order_relaxed);
    } else {
      lock_.lock();
      value_ = std::move(v);
      lock_.unlock();
    }
  }
  Storage value_;
  const char* name_;
  mutable detail::RuntimeLock lock_;  // guards value_ when it is not an atomic
};

}  // namespace gor
