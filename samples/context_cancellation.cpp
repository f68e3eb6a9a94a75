// context_cancellation.cpp — a request fans out to a tree of workers; cancelling the root
// stops the whole subtree.
//
//   ctx, cancel := context.WithTimeout(context.Background(), timeout)   // the request
//   for w := range workers {
//     wctx, wcancel := context.WithCancel(ctx)                          // one branch
//     go worker(wctx)               // t := time.NewTicker(step); defer t.Stop()
//                                   // for { select { case <-wctx.Done(): return; case <-t.C: } }
//     for h := range helpers { go helper(context.WithTimeout(wctx, 1s)) }   // leaves
//   }
//   time.Sleep(cancelAfter); cancel()   // or let the timeout fire
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

// Tally is what the goroutines of the tree report, updated under `mu`.
struct Tally {
  gor::Mutex mu{"mu"};
  int64_t stopped = 0;            // goroutines that saw their context done and returned
  int64_t canceled = 0;           // ... with err() == Canceled
  int64_t deadline_exceeded = 0;  // ... with err() == DeadlineExceeded
  int64_t steps = 0;              // units of work done, all goroutines
  int64_t late_steps = 0;         // steps started after main's cancel() had returned: must stay 0
  gor::TimePoint last_stop{};     // engine time of the last goroutine to stop
};

// work_until_done() does steps of work until ctx is done, checking ctx.err() before each step
// and waiting for the next step with a select on ctx.done(), like a well-behaved Go worker.
void work_until_done(const gor::Context& ctx, gor::Duration step, const std::atomic<bool>& cancel_returned,
                     Tally& tally) {
  int64_t steps = 0;
  int64_t late = 0;
  gor::Ticker tick(step);  // one timer for the whole loop (not a time.After per step)
  for (;;) {
    // Read the flag first: if cancel() had returned, err() must already say so.
    const bool after_cancel = cancel_returned.load(std::memory_order_acquire);
    if (ctx.err() != gor::CtxErr::None) break;
    if (after_cancel) ++late;  // a step started after the cancellation: the bug this sample rules out
    ++steps;
    bool done = false;
    gor::select(gor::on_recv(ctx.done(), [&](gor::Unit) { done = true; }), gor::on_recv(tick.chan()));
    if (done) break;
  }
  const gor::CtxErr err = ctx.err();
  std::lock_guard g(tally.mu);
  ++tally.stopped;
  if (err == gor::CtxErr::Canceled) ++tally.canceled;
  if (err == gor::CtxErr::DeadlineExceeded) ++tally.deadline_exceeded;
  tally.steps += steps;
  tally.late_steps += late;
  tally.last_stop = std::max(tally.last_stop, gor::now());
}

void context_cancellation_main(const SampleParams& p, SampleOutcome& out) {
  const int workers = static_cast<int>(p.get_int("workers"));
  const int helpers = static_cast<int>(p.get_int("helpers"));
  const bool cancel_early = p.get_choice("ending") == "cancel";
  const auto timeout = std::chrono::milliseconds(p.get_int("timeout-ms"));
  const auto cancel_after = std::chrono::milliseconds(p.get_int("cancel-after-ms"));
  const gor::Duration step = std::chrono::milliseconds(p.get_int("step-ms"));

  Tally tally;
  std::atomic<bool> cancel_returned{false};
  gor::WaitGroup wg{"wg"};

  gor::log("request: fan out");
  auto [ctx, cancel] = gor::with_timeout(gor::background(), timeout);  // the root of the tree
  for (int w = 1; w <= workers; ++w) {
    auto [wctx, wcancel] = gor::with_cancel(ctx);  // a branch: done when the root is
    wg.add(1);
    gor::go_named("worker " + std::to_string(w), [&, wctx, wcancel] {
      work_until_done(wctx, step, cancel_returned, tally);
      wcancel();  // release the branch (idempotent once the root cancelled it)
      wg.done();
    });
    for (int h = 1; h <= helpers; ++h) {
      // A leaf with its own, longer timeout: a child's deadline never outlives its parent's.
      auto [hctx, hcancel] = gor::with_timeout(wctx, 1s);
      wg.add(1);
      gor::go_named("helper " + std::to_string(w) + "." + std::to_string(h), [&, hctx, hcancel] {
        work_until_done(hctx, step, cancel_returned, tally);
        hcancel();
        wg.done();
      });
    }
  }
  const int64_t total = static_cast<int64_t>(workers) * (1 + helpers);
  out.say(workers, " workers with ", helpers, " helpers each: ", total, " goroutines under one request context");

  gor::TimePoint cancelled_at;
  if (cancel_early) {
    gor::sleep(cancel_after);
    gor::log("cancel the root");
    cancelled_at = gor::now();
    cancel();  // cancels every context derived from ctx, synchronously, before returning
    cancel_returned.store(true, std::memory_order_release);
  } else {
    gor::select(gor::on_recv(ctx.done()));  // wait for the request's deadline
    gor::log("deadline passed");
    cancelled_at = gor::now();
    // No cancel_returned here: the timer is still cancelling the subtree while main wakes, so
    // late steps are only counted against main's own cancel() (the `cancel` ending).
  }
  wg.wait();
  cancel();  // always release the root (a no-op after cancellation)
  gor::log("every worker stopped");

  const double stop_ms = std::chrono::duration<double, std::milli>(tally.last_stop - cancelled_at).count();
  out.say(cancel_early ? "root cancelled by main" : "root timed out", ": ", gor::to_string(ctx.err()));
  out.say(tally.stopped, " of ", total, " goroutines stopped (", tally.canceled, " canceled, ",
          tally.deadline_exceeded, " deadline exceeded) after ", tally.steps, " steps of work");
  out.say("last goroutine stopped ", fixed(std::max(stop_ms, 0.0), 2), " ms after the root was done",
          cancel_early ? "; steps started after cancel() returned: " + std::to_string(tally.late_steps) : std::string());
  out.set("goroutines", static_cast<double>(total));
  out.set("stopped", static_cast<double>(tally.stopped));
  out.set("canceled", static_cast<double>(tally.canceled));
  out.set("deadline_exceeded", static_cast<double>(tally.deadline_exceeded));
  out.set("steps", static_cast<double>(tally.steps));
  out.set("late_steps", static_cast<double>(tally.late_steps));
  out.set("stop_ms", std::max(stop_ms, 0.0));
}

}  // namespace

Sample context_cancellation() {
  SampleInfo info;
  info.id = "context-cancellation";
  info.title = "Context cancellation tree";
  info.topic = "Context";
  info.summary = "A request fans out to workers and helpers under one context; cancelling the root stops the whole tree.";
  info.explanation =
      "The main goroutine plays a server handling one request. It creates the request's context with "
      "a timeout, then starts a few workers, each with its own child context, and each worker's "
      "helpers get a grandchild context with a (longer) timeout of their own. Every goroutine does "
      "small steps of work; between steps it waits in a select on its context's done channel and a "
      "timer. Then main cancels the root, or, with the `timeout` ending, lets its deadline pass.\n\n"
      "What to watch: all goroutines tick along in parallel; at the cancel "
      "every one of them wakes from its select at the same moment and ends. Nobody had to tell the "
      "helpers anything: cancelling a context closes its done channel and cancels every context "
      "derived from it, down the whole tree, before cancel() returns. Each goroutine also checks "
      "ctx.err() before starting a step, so none starts new work once the request is over; the "
      "sample counts such late steps (there are none).\n\n"
      "Under the hood each cancellable context keeps a set of its children; cancel() closes its "
      "done channel, records the error (Canceled, or DeadlineExceeded when its timer fired) and "
      "cancels the children recursively, then removes itself from its parent. A child's deadline "
      "is never later than its parent's: the helpers' 1 s timeout is cut short by the request's.\n\n"
      "The pitfalls: a goroutine that never looks at ctx.done() (a loop with a plain sleep) keeps "
      "running after the request is abandoned, a goroutine leak; and forgetting to call the cancel "
      "function of a context that ends normally keeps its timer and its place in the parent alive "
      "until the parent ends. The fix is the Go idiom: pass ctx to everything, select on ctx.done() "
      "wherever you wait, and `defer cancel()` right after creating a context.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("workers", "Workers", "Workers the request fans out to, each with a child context.", 4, 1, 64),
      int_param("helpers", "Helpers per worker", "Goroutines each worker starts under a grandchild context.", 2, 0, 16),
      choice_param("ending", "Ending", "Who ends the request: main cancels the root, or the root's timeout fires.",
                   {"cancel", "timeout"}),
      int_param("cancel-after-ms", "Cancel after (ms)", "When main cancels the root (engine ms).", 200, 0, 10000),
      int_param("timeout-ms", "Timeout (ms)", "The request context's timeout (engine ms).", 400, 1, 20000),
      int_param("step-ms", "Step (ms)", "How long one step of work takes (engine ms).", 20, 1, 1000),
  };
  return Sample{std::move(info), context_cancellation_main};
}

}  // namespace goroscope::samples
