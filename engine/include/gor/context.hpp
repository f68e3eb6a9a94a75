// context.hpp — Go's context package (Go 1.19's context/context.go) on the engine.
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
#include <string_view>
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

class Context;

namespace detail {
struct CtxNode;  // context.cpp
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
  // std::any when none.
  std::any value(std::string_view key) const;
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
  friend Context with_value(const Context& parent, std::string key, std::any val);
  friend size_t detail::ctx_children(const Context& ctx);

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

// with_value() is a child of parent whose value(key) is val; everything else is parent's.
Context with_value(const Context& parent, std::string key, std::any val);

}  // namespace gor
