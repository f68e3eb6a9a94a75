// chan.hpp — Go's channels: gor::Chan<T> and gor::make_chan<T>.
//
// A Chan<T> is a copyable handle on one channel (Go's channel value); a default-constructed
// Chan is the nil channel. The algorithms are Go 1.19's runtime/chan.go, compiled once in
// engine/src/chan.cpp on the type-erased detail::ChanCore; the template ChanImpl<T> only
// supplies the element moves and owns the ring buffer.
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "gor/detail/object_id.hpp"
#include "gor/detail/park.hpp"
#include "gor/go_type.hpp"
#include "gor/panic.hpp"

namespace gor {

namespace detail {

class ChanCore;

// ChanWaiter is Go's sudog: one goroutine blocked on one channel (a select blocks on several
// channels with one ChanWaiter each). It lives on the blocked goroutine's stack. Every field is
// protected by the lock of channel `c`, except `select_done`, which is atomic.
struct ChanWaiter {
  G* g = nullptr;                               // the blocked goroutine
  void* elem = nullptr;                         // send: the value to take; recv: where to put one
  ChanWaiter* next = nullptr;                       // wait-queue links
  ChanWaiter* prev = nullptr;
  ChanCore* c = nullptr;                        // channel whose queue holds the waiter
  std::atomic<uint32_t>* select_done = nullptr; // select: 0 until one waker claimed the select
  ChanWaiter** fired = nullptr;                     // select: the waker stores the winning waiter here
  int case_index = -1;                          // select: the case this waiter stands for
  bool is_select = false;
  bool success = false;  // set by the waker: true if a value was passed, false if woken by close
};

// ChanWaitQueue is an intrusive FIFO of Waiters (Go's waitq).
struct ChanWaitQueue {
  ChanWaiter* first = nullptr;
  ChanWaiter* last = nullptr;

  // enqueue() appends w.
  void enqueue(ChanWaiter* w) noexcept;
  // dequeue() unlinks and returns the first waiter that may be woken, or nullptr. A select
  // waiter is returned only if this call won its select (CAS of *select_done 0 -> 1); the
  // others are unlinked and skipped: their select was already won through another channel.
  ChanWaiter* dequeue() noexcept;
  // remove() unlinks w if it is still queued (Go's dequeueSudoG).
  void remove(ChanWaiter* w) noexcept;
};

// ChanCore is the type-erased channel (Go's hchan). Fields other than the immutable ones and
// `refs` are protected by `lock`. The element operations are supplied by ChanImpl<T>.
class ChanCore {
 public:
  ChanCore(size_t cap, std::string name, std::source_location where);
  ChanCore(const ChanCore&) = delete;
  ChanCore& operator=(const ChanCore&) = delete;
  virtual ~ChanCore();

  // buf_put() moves *src into ring slot i.
  virtual void buf_put(size_t i, void* src) noexcept = 0;
  // buf_take() moves ring slot i into *dst (dropped when dst is null) and resets the slot to T{}.
  virtual void buf_take(size_t i, void* dst) noexcept = 0;
  // elem_move() moves *src into *dst (direct handoff between two goroutines' stacks).
  virtual void elem_move(void* dst, void* src) noexcept = 0;
  // elem_type() is T in Go's words ("int", "struct{}", "Result": gor::go_type_name<T>()).
  virtual std::string elem_type() const = 0;
  // format_slot() writes ring slot i as text and returns true when T is printable
  // (arithmetic, enum, string-like); false otherwise. Called under `lock` (snapshots).
  virtual bool format_slot(size_t i, std::string& out) const = 0;
  // publish() registers the fully constructed channel (object_id.hpp); make_chan calls it.
  void publish() noexcept;

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  RuntimeLock lock;
  bool closed = false;
  // timer_chan marks a Timer's, Ticker's or after()'s channel (set by time.cpp right after
  // make_chan, before the handle is shared): Go 1.23's timer channels are synchronous, so
  // Chan::len() and Chan::cap() report 0 for it, whatever its internal one-slot buffer holds.
  bool timer_chan = false;
  // on_destroy, if set (time.cpp), is called with on_destroy_arg when the last handle goes,
  // before the channel is unregistered: after()'s timer is released with its channel.
  void (*on_destroy)(void* arg) noexcept = nullptr;
  void* on_destroy_arg = nullptr;
  const size_t cap;                 // ring size (Go's dataqsiz); 0: unbuffered
  std::atomic<size_t> count{0};     // values in the ring (Go's qcount); written under lock
  size_t sendx = 0;                 // ring index of the next send
  size_t recvx = 0;                 // ring index of the next receive
  ChanWaitQueue recvq;                  // blocked receivers
  ChanWaitQueue sendq;                  // blocked senders
  const uint64_t id;                // object id (detail/object_id.hpp): process-wide unique
  const std::string name;
  const std::source_location where; // creation site

 private:
  // destroy() unregisters the channel (before any part of it is destroyed, so a concurrent
  // snapshot never sees a half-destroyed channel) and deletes it.
  void destroy() noexcept;
  std::atomic<uint32_t> refs_{1};
};

// ChanImpl<T> is a channel of T: the element moves and the ring of `cap` values. The ring is
// raw storage: a slot holds a live T exactly while it is buffered (slots recvx .. recvx+count-1,
// mod cap), so T needs no default constructor to be sent, and a received value's resources
// are released when it leaves the ring, not when the slot is next overwritten.
template <class T>
class ChanImpl final : public ChanCore {
 public:
  ChanImpl(size_t cap, std::string name, std::source_location where)
      : ChanCore(cap, std::move(name), where),
        ring_(cap ? static_cast<T*>(::operator new(cap * sizeof(T), std::align_val_t(alignof(T)))) : nullptr) {}
  ~ChanImpl() override {
    const size_t n = count.load(std::memory_order_relaxed);
    for (size_t k = 0; k < n; ++k) std::destroy_at(ring_ + (recvx + k) % cap);
    if (ring_) ::operator delete(ring_, std::align_val_t(alignof(T)));
  }
  ChanImpl(const ChanImpl&) = delete;
  ChanImpl& operator=(const ChanImpl&) = delete;

  void buf_put(size_t i, void* src) noexcept override { std::construct_at(ring_ + i, std::move(*static_cast<T*>(src))); }
  void buf_take(size_t i, void* dst) noexcept override {
    if (dst) *static_cast<T*>(dst) = std::move(ring_[i]);
    std::destroy_at(ring_ + i);
  }
  void elem_move(void* dst, void* src) noexcept override {
    *static_cast<T*>(dst) = std::move(*static_cast<T*>(src));
  }
  std::string elem_type() const override { return go_type_name<T>(); }
  bool format_slot(size_t i, std::string& out) const override {
    const T& v = ring_[i];
    if constexpr (std::is_same_v<T, bool>) {
      out = v ? "true" : "false";
      return true;
    } else if constexpr (std::is_arithmetic_v<T>) {
      out = std::to_string(v);
      return true;
    } else if constexpr (std::is_enum_v<T>) {
      out = std::to_string(static_cast<std::underlying_type_t<T>>(v));
      return true;
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      out = std::string(std::string_view(v));
      return true;
    } else {
      (void)v;
      return false;
    }
  }

 private:
  T* ring_;  // cap slots of raw storage (nullptr when unbuffered)
};

// The operations of chan.go on a ChanCore (nullptr: the nil channel). `elem` points to a T:
// the value to send (moved from when the send happens), or where a received value goes
// (the caller initialises it to T{}; a receive that finds the channel closed leaves it).

// chan_send() is a blocking send (Go's chansend1). Panics "send on closed channel".
void chan_send(ChanCore* c, void* elem, std::source_location where);
// chan_try_send() sends only if it can without blocking (select with default). Panics
// "send on closed channel". Callable from any thread.
bool chan_try_send(ChanCore* c, void* elem, std::source_location where = {});
// chan_recv() is a blocking receive (chanrecv2); returns false if it got the zero value of
// a closed, drained channel.
bool chan_recv(ChanCore* c, void* elem, std::source_location where);
// RecvStatus is what a non-blocking receive did.
enum class RecvStatus { NotReady, Received, Closed };
// chan_try_recv() receives only if it can without blocking. Callable from any thread.
RecvStatus chan_try_recv(ChanCore* c, void* elem);
// chan_close() is Go's closechan. Panics "close of nil channel" / "close of closed channel".
// Callable from any thread.
void chan_close(ChanCore* c, std::source_location where);
// chan_len() is the number of buffered values (a racy snapshot, like Go's len(c)).
inline size_t chan_len(const ChanCore* c) noexcept { return c ? c->count.load(std::memory_order_relaxed) : 0; }

}  // namespace detail

template <class T>
class Chan;

template <class T>
Chan<T> make_chan(size_t cap = 0, std::string name = "",
                  std::source_location where = std::source_location::current());

// Chan<T> is a handle on a channel of T; copies share the channel. Default: the nil channel,
// on which send and receive block forever. Every operation is const (a lambda capturing a
// Chan by value needs no `mutable`). T must be movable without throwing (values move while
// the channel is locked). Receiving needs a default-constructible T, since a closed channel
// yields T{} (Go's zero value): only the receive operations require it.
template <class T>
class Chan {
  static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>,
                "gor::Chan<T>: T must be movable (construction and assignment) without throwing");
  static constexpr void require_zero_value() {
    static_assert(std::is_default_constructible_v<T>,
                  "gor::Chan<T>: receiving needs a default-constructible T (a closed channel yields T{})");
  }

 public:
  using value_type = T;

  Chan() noexcept = default;
  Chan(const Chan& o) noexcept : c_(o.c_) {
    if (c_) c_->retain();
  }
  Chan(Chan&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  Chan& operator=(const Chan& o) noexcept {
    Chan(o).swap(*this);
    return *this;
  }
  Chan& operator=(Chan&& o) noexcept {
    Chan(std::move(o)).swap(*this);
    return *this;
  }
  ~Chan() {
    if (c_) c_->release();
  }
  void swap(Chan& o) noexcept { std::swap(c_, o.c_); }

  // is_nil() tells whether this is the nil channel.
  bool is_nil() const noexcept { return c_ == nullptr; }
  // len() is the number of buffered values (0 for nil and, as in Go 1.23, for a timer's channel).
  size_t len() const noexcept { return c_ && c_->timer_chan ? 0 : detail::chan_len(c_); }
  // cap() is the buffer size (0 for nil, unbuffered and, as in Go 1.23, a timer's channel).
  size_t cap() const noexcept { return c_ && !c_->timer_chan ? c_->cap : 0; }
  // name() is the name given to make_chan ("" for nil); id() a process-wide unique id (0 for nil).
  const std::string& name() const noexcept {
    static const std::string none;
    return c_ ? c_->name : none;
  }
  uint64_t id() const noexcept { return c_ ? c_->id : 0; }

  // send() sends v, blocking until a receiver takes it or the buffer has room (`c <- v`).
  // Panics "send on closed channel". Must be called from a goroutine.
  void send(T v, std::source_location where = std::source_location::current()) const {
    detail::chan_send(c_, &v, where);
  }
  // recv() receives a value (`<-c`): T{} once the channel is closed and drained.
  T recv(std::source_location where = std::source_location::current()) const {
    require_zero_value();
    T v{};
    detail::chan_recv(c_, &v, where);
    return v;
  }
  // recv_ok() is the comma-ok receive (`v, ok := <-c`): ok is false for the T{} of a closed,
  // drained channel.
  std::pair<T, bool> recv_ok(std::source_location where = std::source_location::current()) const {
    require_zero_value();
    std::pair<T, bool> r{T{}, false};
    r.second = detail::chan_recv(c_, &r.first, where);
    return r;
  }
  // close() closes the channel: receivers drain the buffer, then get T{} and false; blocked
  // senders panic. Panics "close of nil channel" / "close of closed channel". Callable from
  // any thread.
  void close(std::source_location where = std::source_location::current()) const {
    detail::chan_close(c_, where);
  }
  // try_send() sends v if that needs no waiting (`select { case c <- v: default: }`) and says
  // whether it did; v is dropped otherwise. Panics "send on closed channel". Callable from any
  // thread, including a scheduler thread outside goroutines (timer callbacks).
  bool try_send(T v, std::source_location where = std::source_location::current()) const {
    return detail::chan_try_send(c_, &v, where);
  }
  // try_recv() receives if that needs no waiting: a value, or T{} from a closed and drained
  // channel (Go's select-with-default takes that case too); nullopt when nothing is ready.
  // Callable from any thread.
  std::optional<T> try_recv() const {
    require_zero_value();
    T v{};
    if (detail::chan_try_recv(c_, &v) == detail::RecvStatus::NotReady) return std::nullopt;
    return std::optional<T>(std::move(v));
  }

  // Iterator is the range-for receive loop (`for v := range c`): it receives until the channel
  // is closed and drained. *it yields the received value as an rvalue.
  class Iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;

    Iterator() = default;
    Iterator(detail::ChanCore* c, std::source_location where) : c_(c), done_(false), where_(where) { next(); }
    T&& operator*() const { return std::move(value_); }
    Iterator& operator++() {
      next();
      return *this;
    }
    void operator++(int) { next(); }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) noexcept { return it.done_; }

   private:
    void next() {
      value_ = T{};
      if (!detail::chan_recv(c_, &value_, where_)) done_ = true;
    }
    detail::ChanCore* c_ = nullptr;  // kept alive by the ranged-over handle
    bool done_ = true;
    std::source_location where_;
    mutable T value_{};
  };
  Iterator begin(std::source_location where = std::source_location::current()) const {
    require_zero_value();
    return Iterator(c_, where);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

  // operator== compares identity: two handles on the same channel (or both nil) are equal.
  friend bool operator==(const Chan& a, const Chan& b) noexcept { return a.c_ == b.c_; }

  // core() is the type-erased channel (select's case descriptors use it); nullptr for nil.
  detail::ChanCore* core() const noexcept { return c_; }

 private:
  explicit Chan(detail::ChanCore* c) noexcept : c_(c) {}
  friend Chan make_chan<T>(size_t, std::string, std::source_location);

  detail::ChanCore* c_ = nullptr;
};

// make_chan() makes a channel of T with a buffer of `cap` values (0: unbuffered), as Go's
// make(chan T, cap). `name` is shown in dumps and the GUI. Panics "makechan: size out of range".
template <class T>
Chan<T> make_chan(size_t cap, std::string name, std::source_location where) {
  if (cap > static_cast<size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / (sizeof(T) ? sizeof(T) : 1))
    throw Panic("makechan: size out of range");
  auto* c = new detail::ChanImpl<T>(cap, std::move(name), where);
  c->publish();
  return Chan<T>(c);
}

}  // namespace gor
