// lock_timeouts.cpp — two transfers lock two accounts in opposite orders: a deadlock, unless
// the second lock is tried with TryLock or with a timeout, and the first one released on failure.
//
//   plain:   a.mu.Lock(); b.mu.Lock()                          // G1: a then b; G2: b then a
//   trylock: a.mu.Lock(); for !b.mu.TryLock() { a.mu.Unlock(); backoff(); a.mu.Lock() }
//   timeout: a.tok <- {}; select { case b.tok <- {}: case <-t.C: <-a.tok; backoff(); retry }
#include <atomic>
#include <memory>
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

struct Account {
  explicit Account(const char* name) : mu(name), tok(gor::make_chan<gor::Unit>(1, name)) {}
  gor::Mutex mu;            // plain and trylock variants
  gor::Chan<gor::Unit> tok;  // timeout variant: a lock that a select can wait on
  int64_t balance = 100;    // guarded by the lock in use
};

void lock_timeouts_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const int64_t rounds = p.get_int("rounds");
  const auto give_up = std::chrono::milliseconds(p.get_int("give-up-ms"));

  // The accounts and counters outlive main: a stuck pair still waits on the accounts' locks
  // after main has returned (Go's values escape to the heap; here they are shared).
  struct State {
    Account a{"account A"}, b{"account B"};
    std::atomic<int64_t> done{0}, retries{0};
  };
  auto st = std::make_shared<State>();
  auto finished = gor::make_chan<int>(2, "finished");

  // transfer() moves 1 from `from` to `to`, holding both locks (first `from`, then `to`).
  auto transfer = [st, variant, give_up](Account& from, Account& to, int who) {
    const auto backoff = std::chrono::microseconds(300 * who);  // different per goroutine: no lockstep
    for (;;) {
      if (variant == "timeout") {
        from.tok.send(gor::Unit{});
        gor::sleep(1ms);  // the work between the two locks: the window for the deadlock
        gor::Timer t(give_up);
        if (gor::select(gor::on_send(to.tok, gor::Unit{}), gor::on_recv(t.chan())) == 0) {
          --from.balance;
          ++to.balance;
          (void)to.tok.recv();
          (void)from.tok.recv();
          return;
        }
        (void)from.tok.recv();  // timed out: release the first lock so the other can finish
      } else {
        from.mu.lock();
        gor::sleep(1ms);
        if (variant == "plain") {
          to.mu.lock();  // BUG when the other goroutine holds `to` and waits for `from`
        } else if (!to.mu.try_lock()) {
          from.mu.unlock();  // trylock failed: back off without holding anything
          st->retries.fetch_add(1);
          gor::sleep(backoff);
          continue;
        }
        --from.balance;
        ++to.balance;
        to.mu.unlock();
        from.mu.unlock();
        return;
      }
      st->retries.fetch_add(1);
      gor::sleep(backoff);
    }
  };
  gor::go_named("transfer A->B", [st, transfer, finished, rounds] {
    for (int64_t r = 0; r < rounds; ++r, st->done.fetch_add(1)) transfer(st->a, st->b, 1);
    finished.send(1);
  });
  gor::go_named("transfer B->A", [st, transfer, finished, rounds] {
    for (int64_t r = 0; r < rounds; ++r, st->done.fetch_add(1)) transfer(st->b, st->a, 2);
    finished.send(2);
  });
  Account& a = st->a;
  Account& b = st->b;
  std::atomic<int64_t>& done = st->done;
  std::atomic<int64_t>& retries = st->retries;
  // main waits for both, but not forever: a deadlocked pair never reports.
  gor::Timer patience(std::chrono::milliseconds(p.get_int("patience-ms")));
  int ended = 0;
  while (ended < 2 && gor::select(gor::on_recv(finished), gor::on_recv(patience.chan())) == 0) ++ended;
  const bool stuck = ended < 2;
  out.say(variant, " variant: ", done.load(), " of ", 2 * rounds, " transfers done, ", retries.load(),
          " retries after a failed second lock", stuck ? "; the two goroutines are stuck: a partial deadlock" : "");
  if (!stuck) out.say("balances: A ", a.balance, ", B ", b.balance, " (sum ", a.balance + b.balance, ")");
  out.set("transfers", static_cast<double>(done.load()));
  out.set("expected", static_cast<double>(2 * rounds));
  out.set("retries", static_cast<double>(retries.load()));
  out.set("stuck", stuck ? 1 : 0);
  out.set("sum", stuck ? 0.0 : static_cast<double>(a.balance + b.balance));
}

}  // namespace

Sample lock_timeouts() {
  SampleInfo info;
  info.id = "lock-timeouts";
  info.title = "Lock timeouts against deadlocks";
  info.topic = "Deadlocks";
  info.summary = "Two transfers lock two accounts in opposite orders and deadlock; TryLock or a select with a timer backs off and both finish.";
  info.explanation =
      "Two goroutines move money between accounts A and B, each transfer holding both accounts' "
      "locks: one goroutine locks A then B, the other B then A, with a little work in between. "
      "In the plain variant the second lock is an ordinary Lock. In the trylock variant it is "
      "Mutex.TryLock (Go 1.18), and on failure the goroutine releases the lock it holds, backs "
      "off and starts over. In the timeout variant each lock is a channel of capacity 1, and the "
      "second one is taken in a select against a Timer: if the timer fires first, the goroutine "
      "releases its first lock and retries.\n\n"
      "What to watch: in the plain run both goroutines soon hold one lock each and wait in "
      "`sync.Mutex.Lock` for the other's: a cycle. The rest of the program (main, waiting with "
      "its own timer) goes on, so Go's runtime reports nothing; Goroscope's detector names the "
      "cycle. In the other runs a failed attempt shows as a retry, and every transfer completes; "
      "the total balance stays 200.\n\n"
      "Under the hood TryLock is one compare-and-swap that never parks; the channel lock with a "
      "timeout parks in `select` on both the lock's channel and the timer's. Neither removes the "
      "cycle: they turn a permanent wait into a retry, and with unlucky timing two goroutines can "
      "keep backing off together (livelock), which is why the back-off differs per goroutine.\n\n"
      "The better fix is a lock order: every goroutine takes A before B (for instance by account "
      "number). Timeouts are for locks you do not control, or for giving up with an error.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "plain: Lock (deadlocks); trylock: TryLock and back off; timeout: a channel lock taken in a select with a Timer.",
                   {"plain", "trylock", "timeout"}),
      int_param("rounds", "Rounds", "Transfers each goroutine makes.", 5, 1, 10000),
      int_param("give-up-ms", "Give up (ms)", "Timeout variant: how long to wait for the second lock.", 2, 1, 1000),
      int_param("patience-ms", "Patience (ms)", "How long main waits for the transfers before calling them stuck.", 500, 50, 60000),
  };
  return Sample{std::move(info), lock_timeouts_main};
}

}  // namespace goroscope::samples
