// context.cpp — Go 1.26's context/context.go on the engine.
//
// One CtxNode per context. Background/Todo are stateless roots; a Value node holds a key and
// a value; a Cancel node (Go's cancelCtx, and timerCtx when it has a deadline) holds the done
// channel, the error and its registered children, under `mu`.
//
// Ownership: a child holds its parent (shared_ptr), so values and deadlines can be looked up
// the chain; a cancel node holds its registered children weakly (Go's children map, without
// the cycle a garbage collector would break): a child nobody can observe any more is
// destroyed and unregisters itself.
//
// Locking: `mu` is a RuntimeLock held only for a few field updates and a non-blocking close of
// the done channel; it is a leaf lock (nothing else is taken under it but the channel's).
// Unlike Go, children are cancelled and timers stopped after `mu` is released: timer_stop()
// may wait for a deadline callback on another thread, which itself takes `mu` locks, so
// nothing waits while holding one. Cancel still guarantees what Go's does: when it returns,
// the node and its whole subtree are done, and a child registered concurrently either is in
// the snapshot of children taken with the error or sees the error and cancels itself.
#include "gor/context.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "gor/detail/race.hpp"
#include "gor/detail/timer.hpp"
#include "gor/panic.hpp"
#include "gor/trace.hpp"
#include "scheduler.hpp"

namespace gor {
namespace detail {

struct CtxNode {
  // WithoutCancel: Go's withoutCancelCtx, the end of the cancellation and deadline chain.
  enum class Kind : uint8_t { Background, Todo, Cancel, Value, WithoutCancel };

  explicit CtxNode(Kind k) : kind(k), seq(next_seq.fetch_add(1, std::memory_order_relaxed)) {}
  CtxNode(const CtxNode&) = delete;
  CtxNode& operator=(const CtxNode&) = delete;
  ~CtxNode();

  const Kind kind;
  std::shared_ptr<CtxNode> parent;  // nullptr for the roots
  std::weak_ptr<CtxNode> self;      // cancel nodes: for the deadline callback

  // Value nodes.
  CtxKey key;
  std::any val;

  // Cancel nodes. `done`, `has_deadline` and `deadline` are immutable after creation.
  Chan<Unit> done;
  bool has_deadline = false;
  TimePoint deadline{};
  RuntimeLock mu;
  CtxErr err = CtxErr::None;                                        // mu
  std::string cause;                 // mu: set with err (Go's cancelCtx.cause)
  std::string deadline_cause;        // immutable: the cause when the deadline passes ("": err's)
  // context.AfterFunc nodes: f starts in its own goroutine when the node is cancelled, unless
  // stop claimed it first. `keep` holds the node (its parent holds it weakly) until then.
  std::function<void()> after_f;
  std::source_location after_where;
  Scheduler* after_run = nullptr;
  std::atomic<bool> after_claimed{false};
  std::shared_ptr<CtxNode> keep;     // mu
  std::atomic<bool> subtree_cancelled{false};  // set when the first cancel has finished its subtree
  // children are kept in creation order (by seq), so a cancel reaches them in the same order
  // on every run: a deterministic run's trace may not depend on where nodes were allocated.
  // (Go's children map has a random order; any fixed order is one of its orders.)
  std::map<uint64_t, std::pair<CtxNode*, std::weak_ptr<CtxNode>>> children;  // mu; cleared when cancelled
  static inline std::atomic<uint64_t> next_seq{1};
  const uint64_t seq;                // creation order in the process
  CtxNode* registered_in = nullptr;  // ancestor holding us in `children` (set before sharing)
  bool timer_started = false;        // mu
  TimerNode timer;

  // nearest_canceler() is the nearest Cancel node at or above this one (Go's
  // parentCancelCtx), nullptr when the chain ends in a root (never cancelled).
  CtxNode* nearest_canceler() noexcept {
    CtxNode* n = this;
    while (n != nullptr && n->kind == Kind::Value) n = n->parent.get();
    return (n != nullptr && n->kind == Kind::Cancel) ? n : nullptr;
  }

  CtxErr load_err() {
    CtxErr e;
    {
      std::lock_guard<RuntimeLock> guard(mu);
      e = err;
    }
    // The cancel happens before err() observes it (Go: the cancelCtx's mutex).
    if (e != CtxErr::None && race_active()) [[unlikely]] race_acquire(this, 0, race_tag(RaceEdge::Context, done.id()));
    return e;
  }

  // cancel() is Go's cancelCtx.cancel (plus timerCtx's timer stop): closes done, records err,
  // cancels every registered child, and, if remove_from_parent, unregisters from the
  // ancestor. `from_own_timer` is set by the deadline callback, which must not stop its own
  // timer (it has fired and is not re-armed).
  // `why` is the cause to record ("": err's text).
  void cancel(bool remove_from_parent, CtxErr e, bool from_own_timer = false, std::string why = {});

  // remove_child() is Go's removeChild.
  void remove_child(CtxNode* child) {
    std::lock_guard<RuntimeLock> guard(mu);
    children.erase(child->seq);
  }

  // deadline_fire() is the deadline timer's callback (on a scheduler thread). Under the
  // node's timer lock it takes a strong reference (a node being destroyed has none left: its
  // destructor's timer_stop() is waiting for this lock, and nothing is to be done), releases
  // the lock as TimerNode requires, then cancels with the node kept alive by the reference.
  // No timer lock is held while cancelling, so cancel may stop its children's timers.
  static void deadline_fire(TimerNode* t, int64_t /*now*/) {
    std::shared_ptr<CtxNode> n = static_cast<CtxNode*>(t->arg)->self.lock();
    t->lock.unlock();
    if (n) n->cancel(true, CtxErr::DeadlineExceeded, true, n->deadline_cause);
  }
};

CtxNode::~CtxNode() {
  if (kind != Kind::Cancel) return;
  if (race_active()) [[unlikely]] race_free_sync(this);
  bool stop_timer;
  {
    std::lock_guard<RuntimeLock> guard(mu);
    stop_timer = timer_started;
  }
  // The deadline callback only runs on a live node: wait until it is not running any more.
  if (stop_timer && timers_in_run()) timer_stop(&timer);  // after the run its timer heaps are gone
  // registered_in is an ancestor, kept alive by `parent` until this destructor returns.
  if (registered_in != nullptr) registered_in->remove_child(this);
}

void CtxNode::cancel(bool remove_from_parent, CtxErr e, bool from_own_timer, std::string why) {
  std::shared_ptr<CtxNode> kept;  // an AfterFunc node's self-reference: released last
  decltype(children) kids;
  bool stop_timer;
  {
    std::unique_lock<RuntimeLock> guard(mu);
    if (err != CtxErr::None) {
      // Already cancelled, maybe right now by another thread. In Go the second call waits on
      // the lock the first holds while it cancels the children, so it returns only once the
      // whole subtree is done: wait for that too (the first canceller never parks).
      guard.unlock();
      while (!subtree_cancelled.load(std::memory_order_acquire)) {
        if (current_g() != nullptr) {
          gor::yield();
        } else {
          std::this_thread::yield();
        }
      }
      return;
    }
    if (race_active()) [[unlikely]] race_release_merge(this, 0, race_tag(RaceEdge::Context, done.id()));
    err = e;
    cause = why.empty() ? to_string(e) : std::move(why);
    kept = std::move(keep);
    done.close();  // non-blocking; wakes every goroutine waiting on done()
    if (tracing_active()) [[unlikely]] {
      // Parents first: this node's event precedes its children's (they are cancelled below).
      CtxNode* up = parent ? parent->nearest_canceler() : nullptr;
      trace_event(static_cast<int>(EventKind::ContextCancel), done.id(), static_cast<uint64_t>(e),
                  up != nullptr ? up->done.id() : 0);
    }
    kids.swap(children);
    stop_timer = timer_started && !from_own_timer;
  }
  std::string child_cause;
  {
    std::lock_guard<RuntimeLock> guard(mu);
    child_cause = cause;
  }
  for (auto& [seq_of_child, entry] : kids) {
    auto& weak = entry.second;
    if (std::shared_ptr<CtxNode> child = weak.lock()) child->cancel(false, e, false, child_cause);
  }
  subtree_cancelled.store(true, std::memory_order_release);
  if (remove_from_parent && registered_in != nullptr) registered_in->remove_child(this);
  if (stop_timer && timers_in_run()) timer_stop(&timer);
  // context.AfterFunc: the first of cancel and stop to claim f decides; cancel starts it.
  if (after_f && !after_claimed.exchange(true, std::memory_order_acq_rel)) {
    Scheduler* run = after_run;
    run->new_goroutine(after_f, after_where, std::string(), current_g());
  }
}

namespace {

std::shared_ptr<CtxNode> make_cancel_node(const std::shared_ptr<CtxNode>& parent) {
  auto n = std::make_shared<CtxNode>(CtxNode::Kind::Cancel);
  n->self = n;
  n->parent = parent;
  n->done = make_chan<Unit>(0, "context.Done");
  return n;
}

// propagate_cancel() is Go's propagateCancel: arrange for child to be cancelled when parent is.
void propagate_cancel(CtxNode* parent, const std::shared_ptr<CtxNode>& child) {
  CtxNode* p = parent->nearest_canceler();
  if (p == nullptr) return;  // the parent is never cancelled
  CtxErr perr;
  {
    std::lock_guard<RuntimeLock> guard(p->mu);
    perr = p->err;
    if (perr == CtxErr::None) {
      p->children.emplace(child->seq, std::make_pair(child.get(), std::weak_ptr<CtxNode>(child)));
      child->registered_in = p;
    }
  }
  if (perr != CtxErr::None) child->cancel(false, perr);  // the parent is already cancelled
}

// checked() is a parent node, or Go's panic for a nil parent.
const std::shared_ptr<CtxNode>& checked(const std::shared_ptr<CtxNode>& n) {
  if (!n) throw Panic("cannot create context from nil parent");
  return n;
}

}  // namespace

size_t ctx_children(const Context& ctx) {
  CtxNode* n = ctx.node_.get();
  if (n == nullptr || n->kind != CtxNode::Kind::Cancel) return 0;
  std::lock_guard<RuntimeLock> guard(n->mu);
  return n->children.size();
}
}  // namespace detail

std::string to_string(CtxErr e) {
  switch (e) {
    case CtxErr::None: return "";
    case CtxErr::Canceled: return "context canceled";
    case CtxErr::DeadlineExceeded: return "context deadline exceeded";
  }
  return "";
}

Chan<Unit> Context::done() const {
  detail::CtxNode* c = node_ ? node_->nearest_canceler() : nullptr;
  return c != nullptr ? c->done : Chan<Unit>();
}

CtxErr Context::err() const {
  detail::CtxNode* c = node_ ? node_->nearest_canceler() : nullptr;
  return c != nullptr ? c->load_err() : CtxErr::None;
}

std::any Context::value_of(const detail::CtxKey& key) const {
  for (detail::CtxNode* n = node_.get(); n != nullptr; n = n->parent.get()) {
    if (n->kind == detail::CtxNode::Kind::Value && n->key.matches(key)) return n->val;
  }
  return {};
}

std::optional<TimePoint> Context::deadline() const {
  for (detail::CtxNode* n = node_.get(); n != nullptr; n = n->parent.get()) {
    if (n->kind == detail::CtxNode::Kind::WithoutCancel) return std::nullopt;
    if (n->has_deadline) return n->deadline;
  }
  return std::nullopt;
}

std::string cause(const Context& ctx) {
  detail::CtxNode* c = ctx.node_ ? ctx.node_->nearest_canceler() : nullptr;
  if (c == nullptr) return std::string();
  std::lock_guard<detail::RuntimeLock> guard(c->mu);
  return c->cause;
}

Context background() {
  static const std::shared_ptr<detail::CtxNode> root =
      std::make_shared<detail::CtxNode>(detail::CtxNode::Kind::Background);
  return Context(root);
}

Context todo() {
  static const std::shared_ptr<detail::CtxNode> root =
      std::make_shared<detail::CtxNode>(detail::CtxNode::Kind::Todo);
  return Context(root);
}

std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  const auto& p = detail::checked(parent.node_);
  auto n = detail::make_cancel_node(p);
  detail::propagate_cancel(p.get(), n);
  CancelFunc cancel = [n] { n->cancel(true, CtxErr::Canceled); };
  return {Context(std::move(n)), std::move(cancel)};
}

namespace detail {
// deadline_node() is Go's WithDeadlineCause past its "parent's deadline is sooner" check.
std::pair<Context, CancelFunc> deadline_node(const std::shared_ptr<CtxNode>& p, TimePoint d, std::string why) {
  auto n = detail::make_cancel_node(p);
  n->has_deadline = true;
  n->deadline = d;
  n->deadline_cause = std::move(why);
  detail::propagate_cancel(p.get(), n);
  const int64_t when = d.time_since_epoch().count();
  if (when <= detail::nanotime()) {
    n->cancel(true, CtxErr::DeadlineExceeded, false, n->deadline_cause);  // already passed
    CancelFunc cancel = [n] { n->cancel(false, CtxErr::Canceled); };
    return {Context(std::move(n)), std::move(cancel)};
  }
  detail::timers_require_goroutine("with_deadline");
  bool arm;
  {
    std::lock_guard<detail::RuntimeLock> guard(n->mu);
    arm = n->err == CtxErr::None;  // propagate_cancel may have cancelled it already
    n->timer_started = arm;
  }
  if (arm) {
    n->timer.fire = &detail::CtxNode::deadline_fire;
    n->timer.arg = n.get();
    n->timer.kind = detail::TimerKind::Context;
    detail::timer_start(&n->timer, when);
    // A parent cancelled between the check and the start stopped a timer not yet armed:
    // stop it now so it does not stay pending until the deadline.
    if (n->load_err() != CtxErr::None) detail::timer_stop(&n->timer);
  }
  CancelFunc cancel = [n] { n->cancel(true, CtxErr::Canceled); };
  return {Context(std::move(n)), std::move(cancel)};
}
}  // namespace detail

std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint d) {
  const auto& p = detail::checked(parent.node_);
  if (std::optional<TimePoint> cur = parent.deadline(); cur && *cur < d) {
    return with_cancel(parent);  // the current deadline is already sooner than the new one
  }
  return detail::deadline_node(p, d, std::string());
}

std::pair<Context, CancelFunc> with_timeout_for(const Context& parent, Duration timeout) {
  return with_deadline(parent, TimePoint(Duration(detail::when_after(timeout))));
}

Context with_value_key(const Context& parent, detail::CtxKey key, std::any val) {
  const auto& p = detail::checked(parent.node_);
  auto n = std::make_shared<detail::CtxNode>(detail::CtxNode::Kind::Value);
  n->parent = p;
  n->key = std::move(key);
  n->val = std::move(val);
  return Context(std::move(n));
}

std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent) {
  const auto& p = detail::checked(parent.node_);
  auto n = detail::make_cancel_node(p);
  detail::propagate_cancel(p.get(), n);
  CancelCauseFunc cancel = [n](std::string why) { n->cancel(true, CtxErr::Canceled, false, std::move(why)); };
  return {Context(std::move(n)), std::move(cancel)};
}

std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, TimePoint d, std::string why) {
  const auto& p = detail::checked(parent.node_);
  if (std::optional<TimePoint> cur = parent.deadline(); cur && *cur < d) {
    return with_cancel(parent);  // the current deadline is already sooner than the new one
  }
  return detail::deadline_node(p, d, std::move(why));
}

Context without_cancel(const Context& parent) {
  const auto& p = detail::checked(parent.node_);
  auto n = std::make_shared<detail::CtxNode>(detail::CtxNode::Kind::WithoutCancel);
  n->parent = p;
  return Context(std::move(n));
}

std::function<bool()> after_func_source(const Context& ctx, std::function<void()> f, std::source_location where) {
  if (!f) throw std::invalid_argument("gor::after_func: empty function");
  const auto& p = detail::checked(ctx.node_);
  auto n = detail::make_cancel_node(p);
  n->after_f = std::move(f);
  n->after_where = where;
  n->after_run = detail::current_scheduler();
  if (n->after_run == nullptr) throw std::logic_error("gor::after_func: called outside a run");
  {
    std::lock_guard<detail::RuntimeLock> guard(n->mu);
    n->keep = n;  // registered weakly in its parent: it keeps itself until cancelled or stopped
  }
  detail::propagate_cancel(p.get(), n);  // an already cancelled parent starts f right here
  if (p->nearest_canceler() == nullptr) {
    std::lock_guard<detail::RuntimeLock> guard(n->mu);
    n->keep.reset();  // ctx can never be done: f never runs; stop() holds the node
  }
  return [n]() -> bool {
    if (n->after_claimed.exchange(true, std::memory_order_acq_rel)) return false;
    n->cancel(true, CtxErr::Canceled);  // unregisters it from the parent, drops `keep`
    return true;
  };
}

}  // namespace gor
