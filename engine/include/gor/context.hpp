// context.hpp — Go's context package (Go 1.26's context/context.go) on the engine.
//
// A Context carries a cancellation signal (done(), err()), an optional deadline and values
// down a tree of contexts. Cancelling a context cancels its whole subtree, never its parent;
// a child's deadline is never later than its parent's. Deadlines run on engine timers
// (engine time, dilation-aware).
//
//   auto [ctx, cancel] = gor::with_timeout(gor::background(), 50ms);
//   gor::select(gor::on_recv(ctx.done()), gor::on_recv(results));
//   cancel();  // always call it: it releases the context's timer and its place in the parent
#pragma once

#include <any>
#include <cstddef>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <source_location>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "gor/chan.hpp"
#include "gor/runtime.hpp"
#include "gor/time.hpp"

namespace gor {

// Unit is the element type of done channels (Go's struct{}).
struct Unit {};

// CtxErr is a context's Err(): None until the context is done, then why.
enum class CtxErr { None, Canceled, DeadlineExceeded };

// to_string() is Go's error text: "context canceled", "context deadline exceeded" ("" for None).
std::string to_string(CtxErr e);

// CancelFunc cancels its context (Go's CancelFunc): idempotent, callable from any goroutine,
// concurrently. It also releases the context's timer and unregisters it from its parent.
using CancelFunc = std::function<void()>;

// CancelCauseFunc is Go's CancelCauseFunc: like CancelFunc, and it records `cause` (an error's
// text) as the context's cause(); an empty cause means Go's nil, i.e. "context canceled".
using CancelCauseFunc = std::function<void(std::string cause)>;

class Context;

namespace detail {
struct CtxNode;  // context.cpp

// CtxKey is a context value's key of any comparable type K (Go's `any` key compared with
// ==): keys of different types never match, as in Go.
struct CtxKey {
  const std::type_info* type = nullptr;
  std::shared_ptr<const void> data;
  bool (*equal)(const void* a, const void* b) = nullptr;

  template <class K>
  static CtxKey of(K key) {
    CtxKey k;
    k.type = &typeid(K);
    k.data = std::make_shared<const K>(std::move(key));
    k.equal = [](const void* a, const void* b) { return *static_cast<const K*>(a) == *static_cast<const K*>(b); };
    return k;
  }
  bool matches(const CtxKey& o) const { return *type == *o.type && equal(data.get(), o.data.get()); }
};

// deadline_node() makes a deadline context under p (context.cpp).
std::pair<Context, CancelFunc> deadline_node(const std::shared_ptr<CtxNode>& p, TimePoint d, std::string why);

// StringLike is true for the key types that are looked up as std::string (string literals,
// std::string, std::string_view): `with_value(ctx, "k", v)` and `value("k")` agree.
template <class K>
inline constexpr bool kStringLike = std::is_convertible_v<const K&, std::string_view>;
// ctx_children() is how many children are registered in ctx for cancellation (Go's
// len(c.children)); for tests.
size_t ctx_children(const Context& ctx);
}  // namespace detail

// Context is Go's context.Context: a cheap copyable handle. A default-constructed Context is
// Go's nil Context: its methods answer like background(), and deriving from it panics
// "cannot create context from nil parent".
class Context {
 public:
  Context() noexcept = default;

  // done() is a channel closed when the context is cancelled or its deadline passes. It is
  // the nil channel (never ready) for background() and todo(), which are never cancelled.
  Chan<Unit> done() const;
  // err() is CtxErr::None while done() is open, then Canceled or DeadlineExceeded, for good.
  CtxErr err() const;
  // value() is the value of the nearest with_value() up the chain with this key; an empty
  // std::any when none. A key of any comparable type works (Go's `any` key): a value is found
  // only under a key of the same type that compares equal (string-like keys are strings).
  std::any value(std::string_view key) const { return value_of(detail::CtxKey::of(std::string(key))); }
  template <class K>
    requires(!detail::kStringLike<K>)
  std::any value(const K& key) const {
    return value_of(detail::CtxKey::of(key));
  }
  // deadline() is when the context will be cancelled by itself, if ever (the nearest
  // deadline up the chain).
  std::optional<TimePoint> deadline() const;

  // is_nil() tells whether this is the nil Context.
  bool is_nil() const noexcept { return node_ == nullptr; }

  // operator== is identity: the same context.
  friend bool operator==(const Context& a, const Context& b) noexcept { return a.node_ == b.node_; }

 private:
  explicit Context(std::shared_ptr<detail::CtxNode> n) noexcept : node_(std::move(n)) {}
  friend struct detail::CtxNode;
  friend Context background();
  friend Context todo();
  friend std::pair<Context, CancelFunc> with_cancel(const Context& parent);
  friend std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint d);
  friend Context with_value_key(const Context& parent, detail::CtxKey key, std::any val);
  friend size_t detail::ctx_children(const Context& ctx);
  friend std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent);
  friend std::pair<Context, CancelFunc> detail::deadline_node(const std::shared_ptr<detail::CtxNode>& p, TimePoint d,
                                                              std::string why);
  friend std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, TimePoint d, std::string cause);
  friend Context without_cancel(const Context& parent);
  friend std::string cause(const Context& ctx);
  friend std::function<bool()> after_func_source(const Context& ctx, std::function<void()> f, std::source_location where);

  std::any value_of(const detail::CtxKey& key) const;

  std::shared_ptr<detail::CtxNode> node_;
};

// background() is the root context: never cancelled, no deadline, no values.
Context background();
// todo() is like background(), for code that does not know yet which context to use.
Context todo();

// with_cancel() is a child of parent that is done when cancel is called or parent is done,
// whichever happens first. Panics "cannot create context from nil parent".
std::pair<Context, CancelFunc> with_cancel(const Context& parent);

// with_deadline() is with_cancel() that is also done (DeadlineExceeded) at engine time d. If
// parent's deadline is earlier, it is with_cancel(parent) (the child keeps the parent's
// deadline). A deadline already past gives a context done at creation with DeadlineExceeded.
std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint d);

// with_timeout() is with_deadline(parent, now() + timeout).
std::pair<Context, CancelFunc> with_timeout_for(const Context& parent, Duration timeout);
template <class Rep, class Period>
std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::duration<Rep, Period> timeout) {
  return with_timeout_for(parent, detail::to_duration(timeout));
}

// with_cancel_cause() is Go's WithCancelCause: with_cancel() whose cancel function records a
// cause, read back with cause().
std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent);

// with_deadline_cause() is Go's WithDeadlineCause: with_deadline() whose cause(), when the
// deadline passes, is `cause` (err() is still DeadlineExceeded). Cancelling it gives
// "context canceled".
std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, TimePoint d, std::string cause);

// with_timeout_cause() is Go's WithTimeoutCause: with_deadline_cause(parent, now() + timeout, cause).
template <class Rep, class Period>
std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, std::chrono::duration<Rep, Period> timeout,
                                                  std::string cause) {
  return with_deadline_cause(parent, TimePoint(Duration(detail::when_after(detail::to_duration(timeout)))),
                             std::move(cause));
}

// cause() is Go's context.Cause: "" (Go's nil) while ctx is not done, then the cause its
// cancellation recorded: the text given to a CancelCauseFunc or with_deadline_cause, else
// err()'s text. A child cancelled with its parent has the parent's cause.
std::string cause(const Context& ctx);

// without_cancel() is Go's WithoutCancel: a context with parent's values that is never
// cancelled, has no deadline, and whose cause() is "" (nil), whatever happens to parent.
Context without_cancel(const Context& parent);

// after_func() is Go's context.AfterFunc: once ctx is done, f runs in its own goroutine (at
// once if ctx is already done; never if ctx can never be done). The function returned is
// Go's stop: it unregisters f and returns true if that kept f from starting, false if f had
// already been started or stop was called before.
std::function<bool()> after_func_source(const Context& ctx, std::function<void()> f, std::source_location where);
inline std::function<bool()> after_func(const Context& ctx, std::function<void()> f,
                                        std::source_location where = std::source_location::current()) {
  return after_func_source(ctx, std::move(f), where);
}

// with_value() is a child of parent whose value(key) is val; everything else is parent's.
// The key may be of any comparable type (Go: `type ctxKey struct{}`, `type key int`, ...).
Context with_value_key(const Context& parent, detail::CtxKey key, std::any val);
inline Context with_value(const Context& parent, std::string key, std::any val) {
  return with_value_key(parent, detail::CtxKey::of(std::move(key)), std::move(val));
}
template <class K>
  requires(!detail::kStringLike<K>)
Context with_value(const Context& parent, K key, std::any val) {
  return with_value_key(parent, detail::CtxKey::of(std::move(key)), std::move(val));
}

}  // namespace gor
