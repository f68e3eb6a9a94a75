// wait_reason_test.cpp — every wait reason, by its exact Go text, and the blocking site
// (file:line in function of the blocking call) in the deadlock dump (RunResult::dump), in
// the final snapshot of a deadlocked run, in a live RunControl snapshot and in
// RunControl::dump(), for a goroutine blocked at a known line.
//
// Each case is one blocking call made by a probe goroutine on the same source line as
// Probe::mark(), whose defaulted std::source_location is therefore the site the engine must
// report. The expected dump entry is built from it in dump.cpp's format:
//
//   goroutine 7 [chan receive]:
//   main.(*WaitReasonTest_ChanReceive_Test).TestBody.func(...)
//   	tests/engine/wait_reason_test.cpp:123
//   created by main.program.func in goroutine 1
//   	tests/engine/wait_reason_test.cpp:99
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <source_location>
#include <string>
#include <thread>

#include "../../engine/src/go_names.hpp"
#include "gor/control.hpp"
#include "gor/gor.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

constexpr const char* kDeadlock = "all goroutines are asleep - deadlock!";

// site_text() is a source location as snapshots print it, in Go's words
// ("tests/engine/wait_reason_test.cpp:12 in main.f").
std::string site_text(const std::source_location& s) { return gor::detail::go_site(s); }

// Probe is what the blocking goroutine tells the test: its id and the site of its blocking
// call (mark() is called on the same line, just before it).
struct Probe {
  std::atomic<uint64_t> id{0};
  std::source_location site;
  std::source_location created;  // where main started the probe (written before go())
  std::atomic<bool> marked{false};
  void mark(std::source_location where = std::source_location::current()) {
    site = where;
    id.store(gor::goid(), std::memory_order_relaxed);
    marked.store(true, std::memory_order_release);
  }
};

// Env holds the objects the probes block on; it outlives the run (goroutines still blocked
// on them are unwound when the run ends).
struct Env {
  gor::Mutex mu{"mu"};
  gor::RWMutex rw{"rw"};
  gor::WaitGroup wg{"wg"};
  gor::Mutex cond_mu{"cond mu"};
  gor::Cond cond{cond_mu, "cond"};
  gor::Semaphore sem{1, "sem"};
  gor::Once once{"once"};
  std::atomic<bool> in_once{false};  // the first caller is inside once's function
  gor::Chan<int> a, b;
  std::atomic<bool> release{false};  // ends the syscall case's blocking call
  std::atomic<bool> finish{false};   // lets main return (live-snapshot runs)
};

struct Case {
  std::string reason;                  // expected wait reason, Go's words
  std::string state = "waiting";       // expected snapshot state while blocked
  bool deadlocks = true;               // blocked for good: the run deadlocks
  bool site_is_caller = true;          // the reported site is the caller's line
  std::function<void(Env&)> setup;     // in main, before the probe starts
  std::function<void(Env&, Probe&)> block;  // in the probe: p.mark(); <blocking call>;
};

// expected_entry() is the probe's dump entry in Go's shape (dump.cpp): the header, the
// blocked frame (a Go-style function name, then the project-relative path and line) and
// "created by <function> in goroutine 1" with the go statement's line. When the site is not
// the caller's line, only the header and the start of a frame are known.
std::string expected_entry(const Case& c, const Probe& p) {
  std::string entry = "goroutine " + std::to_string(p.id.load()) + " [" + c.reason + "]:\nmain.";
  if (!c.site_is_caller) return entry;
  return entry + "\x01(...)\n\ttests/engine/wait_reason_test.cpp:" + std::to_string(p.site.line()) +
         "\ncreated by main.\x01 in goroutine 1\n\ttests/engine/wait_reason_test.cpp:" +
         std::to_string(p.created.line()) + "\n";
}

// has_entry() tells whether `dump` holds `expected`, where '\x01' stands for a function name.
bool has_entry(const std::string& dump, const std::string& expected) {
  std::string pattern;
  for (const char ch : expected) {
    if (ch == '\x01') {
      pattern += "[^ \n]+";
      continue;
    }
    if (std::string("\\^$.|?*+()[]{}").find(ch) != std::string::npos) pattern += '\\';
    pattern += ch;
  }
  return std::regex_search(dump, std::regex(pattern));
}

void expect_info(const Case& c, const Probe& p, const gor::GoroutineInfo& g) {
  EXPECT_EQ(g.state, c.state);
  EXPECT_EQ(g.wait_reason, c.reason);
  if (c.site_is_caller) {
    EXPECT_EQ(g.blocked_at, site_text(p.site));
  }
  EXPECT_FALSE(g.blocked_at.empty());
  EXPECT_EQ(g.created_at, site_text(p.created));
  EXPECT_EQ(g.parent, 1u);
}

const gor::GoroutineInfo* find_g(const gor::Snapshot& s, uint64_t id) {
  for (const gor::GoroutineInfo& g : s.goroutines) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

// program() is main: set up, start the probe, then block for good (deadlock runs) or until
// the test lets it return.
std::function<void()> program(const Case& c, Env& env, Probe& p) {
  return [&c, &env, &p] {
    if (c.setup) c.setup(env);
    p.created = std::source_location::current(); gor::go([&c, &env, &p] { c.block(env, p); });
    if (c.deadlocks) {
      gor::Chan<int>().recv();
    } else {
      while (!env.finish.load()) gor::sleep(1ms);
    }
  };
}

gor::Config config(int procs, gor::RunControl* control) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = 3;
  cfg.control = control;
  cfg.race = gortest::race_from_env();
  return cfg;
}

// check_deadlock_dump() runs the case to its deadlock and checks the dump and the final snapshot.
void check_deadlock_dump(int procs, const Case& c) {
  SCOPED_TRACE("deadlock dump: " + c.reason);
  Env env;
  Probe p;
  gor::RunControl control;
  gor::RunResult r = gor::run(config(procs, &control), program(c, env, p));
  ASSERT_EQ(r.status, gor::RunStatus::Deadlock) << r.message << "\n" << r.dump;
  EXPECT_EQ(r.message, kDeadlock);
  ASSERT_TRUE(p.marked.load());
  EXPECT_TRUE(has_entry(r.dump, expected_entry(c, p)))
      << "expected entry:\n" << expected_entry(c, p) << "in dump:\n" << r.dump;
  // main is blocked on its nil channel, at program()'s line, and has no "created by" (Go's
  // shape for the main goroutine).
  const size_t main_at = r.dump.find("goroutine 1 [chan receive (nil chan)]:\nmain.");
  EXPECT_NE(main_at, std::string::npos) << r.dump;
  if (main_at != std::string::npos) {
    const std::string main_entry = r.dump.substr(main_at, r.dump.find("\n\n", main_at) - main_at);
    EXPECT_EQ(main_entry.find("created by"), std::string::npos) << main_entry;
  }

  std::optional<gor::Snapshot> s = control.final_snapshot();
  ASSERT_TRUE(s.has_value());
  const gor::GoroutineInfo* g = find_g(*s, p.id.load());
  ASSERT_NE(g, nullptr) << "probe G" << p.id.load() << " missing from the final snapshot";
  expect_info(c, p, *g);
}


// check_live() runs the case under a RunControl and inspects a snapshot and control.dump()
// taken while the probe is blocked.
void check_live(int procs, const Case& c) {
  SCOPED_TRACE("live snapshot: " + c.reason);
  Env env;
  Probe p;
  Case live = c;
  live.deadlocks = false;
  gor::RunControl control;
  gor::RunResult r;
  std::thread runner([&] { r = gor::run(config(procs, &control), program(live, env, p)); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!p.marked.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  std::optional<gor::GoroutineInfo> seen;
  std::string dump;
  while (p.marked.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline) {
    std::optional<gor::Snapshot> s = control.snapshot();
    if (s) {
      const gor::GoroutineInfo* g = find_g(*s, p.id.load());
      if (g != nullptr && g->state == c.state) {
        seen = *g;
        dump = control.dump();
        break;
      }
    }
    std::this_thread::sleep_for(1ms);
  }
  env.release.store(true);
  env.finish.store(true);
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message << "\n" << r.dump;
  ASSERT_TRUE(seen.has_value()) << "probe never seen in state " << c.state;
  expect_info(c, p, *seen);
  // The dump was taken a moment after the snapshot: the probe is still blocked (nothing
  // releases it before env.release).
  EXPECT_TRUE(has_entry(dump, expected_entry(c, p)))
      << "expected entry:\n" << expected_entry(c, p) << "in dump:\n" << dump;
}

void check(int procs, const Case& c) {
  if (c.deadlocks) check_deadlock_dump(procs, c);
  check_live(procs, c);
}

class WaitReasonTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(WaitReasonTest);

void make_chans(Env& e) {
  e.a = gor::make_chan<int>(0, "a");
  e.b = gor::make_chan<int>(0, "b");
}

}  // namespace

// The brief's headline: a goroutine blocked in a channel receive is shown at the line of
// that receive, in the deadlock dump and in a snapshot.
TEST_P(WaitReasonTest, ChanReceive) {
  Case c;
  c.reason = "chan receive";
  c.setup = make_chans;
  c.block = [](Env& e, Probe& p) { p.mark(); (void)e.a.recv(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanReceiveCommaOkAndRange) {
  Case c;
  c.reason = "chan receive";
  c.setup = make_chans;
  c.block = [](Env& e, Probe& p) { p.mark(); (void)e.a.recv_ok(); };
  check(GetParam(), c);
  c.block = [](Env& e, Probe& p) { p.mark(); for (int v : e.a) (void)v; };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanReceiveOnBufferedEmptyChannel) {
  Case c;
  c.reason = "chan receive";
  c.setup = [](Env& e) { e.a = gor::make_chan<int>(4, "buffered"); };
  c.block = [](Env& e, Probe& p) { p.mark(); (void)e.a.recv(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanSend) {
  Case c;
  c.reason = "chan send";
  c.setup = make_chans;
  c.block = [](Env& e, Probe& p) { p.mark(); e.a.send(1); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanSendOnFullBufferedChannel) {
  Case c;
  c.reason = "chan send";
  c.setup = [](Env& e) {
    e.a = gor::make_chan<int>(1, "full");
    e.a.send(0);
  };
  c.block = [](Env& e, Probe& p) { p.mark(); e.a.send(1); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanReceiveNilChan) {
  Case c;
  c.reason = "chan receive (nil chan)";
  c.block = [](Env& e, Probe& p) { p.mark(); (void)e.a.recv(); };  // e.a is nil: no setup
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, ChanSendNilChan) {
  Case c;
  c.reason = "chan send (nil chan)";
  c.block = [](Env& e, Probe& p) { p.mark(); e.a.send(1); };
  check(GetParam(), c);
}

// A blocked select reports the site of its first case (select.hpp).
TEST_P(WaitReasonTest, Select) {
  Case c;
  c.reason = "select";
  c.setup = make_chans;
  c.block = [](Env& e, Probe& p) { p.mark(); gor::select(gor::on_recv(e.a), gor::on_send(e.b, 1)); };
  check(GetParam(), c);
}

// select() with no cases: the reason is exact; its site is not the caller's (see
// SelectNoCasesSiteIsTheCaller below), so only its presence is checked here.
TEST_P(WaitReasonTest, SelectNoCases) {
  Case c;
  c.reason = "select (no cases)";
  c.site_is_caller = false;
  c.block = [](Env&, Probe& p) { p.mark(); gor::select(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, MutexLock) {
  Case c;
  c.reason = "sync.Mutex.Lock";
  c.setup = [](Env& e) { e.mu.lock(); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.mu.lock(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, RWMutexRLock) {
  Case c;
  c.reason = "sync.RWMutex.RLock";
  c.setup = [](Env& e) { e.rw.lock(); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.rw.rlock(); };
  check(GetParam(), c);
}

// A reader blocked behind a waiting writer (writer preference) is in RLock too.
TEST_P(WaitReasonTest, RWMutexRLockBehindWaitingWriter) {
  Case c;
  c.reason = "sync.RWMutex.RLock";
  c.setup = [](Env& e) {
    e.rw.rlock();
    gor::go([&e] { e.rw.lock(); });  // queues behind the reader
    // Once the writer is pending, try_rlock fails and a new rlock() must block.
    while (e.rw.try_rlock()) {
      e.rw.runlock();
      gor::sleep(100us);
    }
  };
  c.block = [](Env& e, Probe& p) { p.mark(); e.rw.rlock(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, RWMutexLock) {
  Case c;
  c.reason = "sync.RWMutex.Lock";
  c.setup = [](Env& e) { e.rw.rlock(); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.rw.lock(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, WaitGroupWait) {
  Case c;
  c.reason = "sync.WaitGroup.Wait";
  c.setup = [](Env& e) { e.wg.add(1); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.wg.wait(); };
  check(GetParam(), c);
}

TEST_P(WaitReasonTest, CondWait) {
  Case c;
  c.reason = "sync.Cond.Wait";
  c.block = [](Env& e, Probe& p) {
    e.cond_mu.lock();
    p.mark(); e.cond.wait();
    e.cond_mu.unlock();
  };
  check(GetParam(), c);
}

// Go 1.26 has no wait reason of its own for x/sync's weighted semaphore: Acquire waits in a
// select on ctx.Done() and its ready channel.
TEST_P(WaitReasonTest, WeightedSemaphoreWaitsInSelect) {
  Case c;
  c.reason = "select";
  c.setup = [](Env& e) { e.sem.acquire(1); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.sem.acquire(1); };
  check(GetParam(), c);
}

// A request larger than the capacity waits in x/sync's `<-ctx.Done()`, which with a context
// that is never done is a receive from a nil channel.
TEST_P(WaitReasonTest, WeightedSemaphoreOverCapacityWaitsOnNilChan) {
  Case c;
  c.reason = "chan receive (nil chan)";
  c.block = [](Env& e, Probe& p) { p.mark(); e.sem.acquire(2); };
  check(GetParam(), c);
}

// A goroutine waiting for another goroutine's Once.Do waits in Go's o.m.Lock():
// "sync.Mutex.Lock" (Go 1.26 has no Once wait reason).
TEST_P(WaitReasonTest, OnceWaiterIsInMutexLock) {
  Case c;
  c.reason = "sync.Mutex.Lock";
  c.setup = [](Env& e) {
    make_chans(e);
    gor::go([&e] { e.once.call([&e] { e.in_once.store(true); (void)e.a.recv(); }); });
    while (!e.in_once.load()) gor::sleep(100us);
  };
  c.block = [](Env& e, Probe& p) { p.mark(); e.once.call([] {}); };
  check(GetParam(), c);
}

// A writer queued behind another writer waits in Go's rw.w.Lock(): "sync.Mutex.Lock". Only
// the wait for the readers to drain is "sync.RWMutex.Lock" (the RWMutexLock case above).
TEST_P(WaitReasonTest, RWMutexWriterBehindWriterIsInMutexLock) {
  Case c;
  c.reason = "sync.Mutex.Lock";
  c.setup = [](Env& e) { e.rw.lock(); };
  c.block = [](Env& e, Probe& p) { p.mark(); e.rw.lock(); };
  check(GetParam(), c);
}

// A sleeper is not deadlocked (its timer is pending): live snapshot and dump only.
TEST_P(WaitReasonTest, Sleep) {
  Case c;
  c.reason = "sleep";
  c.deadlocks = false;
  c.block = [](Env&, Probe& p) { p.mark(); gor::sleep(1h); };
  check(GetParam(), c);
}

// A goroutine inside gor::syscall, blocked on something outside the engine, is in state
// "syscall" with reason "syscall", at the line of the gor::syscall call.
TEST_P(WaitReasonTest, Syscall) {
  Case c;
  c.reason = "syscall";
  c.state = "syscall";
  c.deadlocks = false;
  c.block = [](Env& e, Probe& p) {
    p.mark(); gor::syscall([&e] { while (!e.release.load()) std::this_thread::sleep_for(200us); });
  };
  check(GetParam(), c);
}

// The wait reason is cleared when the goroutine runs again: after its receive completes, a
// snapshot shows the same goroutine blocked at its second site with the second reason.
TEST(WaitReason, ReasonAndSiteFollowTheLatestBlock) {
  gor::RunControl control;
  Env env;
  Probe first, second;
  std::atomic<bool> step{false};
  gor::RunResult r;
  std::thread runner([&] {
    r = gor::run(config(2, &control), [&] {
      make_chans(env);
      gor::go([&] {
        first.mark(); (void)env.a.recv();
        second.mark(); gor::sleep(1h);
      });
      while (!step.load()) gor::sleep(1ms);
      env.a.send(1);
      while (!env.finish.load()) gor::sleep(1ms);
    });
  });
  auto wait_for = [&](Probe& p, const std::string& reason) -> std::optional<gor::GoroutineInfo> {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (p.marked.load(std::memory_order_acquire)) {
        if (auto s = control.snapshot()) {
          const gor::GoroutineInfo* g = find_g(*s, p.id.load());
          if (g != nullptr && g->state == "waiting" && g->wait_reason == reason) return *g;
        }
      }
      std::this_thread::sleep_for(1ms);
    }
    return std::nullopt;
  };
  std::optional<gor::GoroutineInfo> g1 = wait_for(first, "chan receive");
  step.store(true);
  std::optional<gor::GoroutineInfo> g2 = wait_for(second, "sleep");
  env.finish.store(true);
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  ASSERT_TRUE(g1.has_value());
  ASSERT_TRUE(g2.has_value());
  EXPECT_EQ(g1->id, g2->id);
  EXPECT_EQ(g1->blocked_at, site_text(first.site));
  EXPECT_EQ(g2->blocked_at, site_text(second.site));
  EXPECT_NE(first.site.line(), second.site.line());
}

// select() with no cases should report its caller's line like every other blocking call
// (issue 2: "every blocking call capture std::source_location").
TEST(WaitReason, SelectNoCasesSiteIsTheCaller) {
  Case c;
  c.reason = "select (no cases)";
  c.block = [](Env&, Probe& p) { p.mark(); gor::select(); };
  Env env;
  Probe p;
  gor::RunResult r = gor::run(config(1, nullptr), program(c, env, p));
  ASSERT_EQ(r.status, gor::RunStatus::Deadlock) << r.message;
  EXPECT_TRUE(has_entry(r.dump, expected_entry(c, p))) << r.dump;
}
