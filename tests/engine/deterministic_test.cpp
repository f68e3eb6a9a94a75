// deterministic_test.cpp — Config::deterministic: the same Config gives the same run, event
// for event and byte for byte; virtual time is exact; schedules replay and detect divergence.
//
// Each run whose bytes are compared runs in a child process of its own (fork), so that both
// start from the same process state (object ids are process-wide): the comparison is of the
// raw bytes of every event, with nothing normalised.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "gor/gor.hpp"
#include "gor/trace.hpp"
#include "child_process.hpp"

namespace {

using namespace std::chrono_literals;

// in_child() runs fn in a forked child (child_process.hpp) and returns the bytes it produced,
// with "<child failed>" appended when the child did not exit cleanly within a minute.
std::string in_child(const std::function<std::string()>& fn) {
  gortest::ChildResult r = gortest::in_child_within(std::chrono::minutes(1), fn);
  if (r.timed_out || r.exit_status != 0) r.out += "\n<child failed>";
  return r.out;
}

// event_bytes() is every event's raw bytes (timestamp, kind, goroutine, arguments, P, M) and
// every string, in delivery order, plus the run's result line.
std::string event_bytes(const gor::TraceRecorder& rec, const gor::RunResult& r) {
  std::string out;
  for (const gor::Event& e : rec.events()) {
    out.append(reinterpret_cast<const char*>(&e.ts), sizeof e.ts);
    out.append(reinterpret_cast<const char*>(&e.g), sizeof e.g);
    out.append(reinterpret_cast<const char*>(&e.a0), sizeof e.a0);
    out.append(reinterpret_cast<const char*>(&e.a1), sizeof e.a1);
    out.append(reinterpret_cast<const char*>(&e.a2), sizeof e.a2);
    out.append(reinterpret_cast<const char*>(&e.p), sizeof e.p);
    out.append(reinterpret_cast<const char*>(&e.m), sizeof e.m);
    out.push_back(static_cast<char>(e.kind));
  }
  for (uint64_t id = 1; !rec.string(id).empty(); ++id) out += rec.string(id) + '\n';
  out += "status " + std::to_string(static_cast<int>(r.status)) + " " + r.message + " engine_ns " +
         std::to_string(r.engine_ns) + " events " + std::to_string(r.trace_events) + " schedule " +
         std::string(r.schedule.bytes.begin(), r.schedule.bytes.end());
  return out;
}

gor::Config det_config(int procs, uint64_t seed) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = seed;
  cfg.deterministic = true;
  return cfg;
}

// A program with everything that interleaves: spawns, work, channels, a mutex, a
// WaitGroup, select with a timeout, sleeps and a Shared counter.
void busy_program(int workers) {
  auto jobs = gor::make_chan<int>(8, "jobs");
  auto results = gor::make_chan<int>(8, "results");
  gor::Mutex mu("mu");
  gor::WaitGroup wg;
  int total = 0;
  for (int w = 0; w < workers; ++w) {
    wg.add(1);
    gor::go([&, jobs, results] {
      for (int j : jobs) {
        gor::work(std::chrono::microseconds(50 + 37 * (j % 5)));
        mu.lock();
        total += j;
        mu.unlock();
        results.send(j * 2);
      }
      wg.done();
    });
  }
  gor::go([&, jobs] {
    for (int i = 0; i < 60; ++i) {
      jobs.send(i);
      if (i % 20 == 0) gor::sleep(200us);
    }
    jobs.close();
  });
  gor::go([&, results] {
    wg.wait();
    results.close();
  });
  int got = 0;
  for (bool open = true; open;) {
    auto timeout = gor::after(5ms);
    gor::select(gor::on_recv(results, [&](int, bool ok) {
                  if (ok) {
                    ++got;
                  } else {
                    open = false;
                  }
                }),
                gor::on_recv(timeout));
  }
  if (got != 60) throw std::runtime_error("lost results");
}

std::string traced_run_bytes(int procs, uint64_t seed, const std::function<void()>& main,
                             std::shared_ptr<const gor::Schedule> replay = nullptr) {
  return in_child([&] {
    gor::TraceRecorder rec;
    gor::Config cfg = det_config(procs, seed);
    cfg.trace = true;
    cfg.observer = &rec;
    cfg.replay = replay;
    gor::RunResult r = gor::run(cfg, main);
    return event_bytes(rec, r);
  });
}

class DeterministicRuns : public ::testing::TestWithParam<int> {};

TEST_P(DeterministicRuns, SameConfigGivesTheSameBytes) {
  const int procs = GetParam();
  for (uint64_t seed : {1ull, 99ull}) {
    std::string a = traced_run_bytes(procs, seed, [] { busy_program(4); });
    std::string b = traced_run_bytes(procs, seed, [] { busy_program(4); });
    ASSERT_GT(a.size(), 1000u);
    EXPECT_EQ(a.find("<child failed>"), std::string::npos) << a.substr(a.size() > 300 ? a.size() - 300 : 0);
    EXPECT_TRUE(a == b) << "seed " << seed << ": runs differ (" << a.size() << " vs " << b.size() << " bytes)";
  }
}

TEST_P(DeterministicRuns, TracingChangesNothing) {
  // The same run with tracing off ends at the same engine time with the same schedule.
  const int procs = GetParam();
  std::string traced = in_child([&] {
    gor::TraceRecorder rec;
    gor::Config cfg = det_config(procs, 5);
    cfg.trace = true;
    cfg.observer = &rec;
    gor::RunResult r = gor::run(cfg, [] { busy_program(3); });
    return std::to_string(r.engine_ns) + " " + std::string(r.schedule.bytes.begin(), r.schedule.bytes.end());
  });
  std::string plain = in_child([&] {
    gor::RunResult r = gor::run(det_config(procs, 5), [] { busy_program(3); });
    return std::to_string(r.engine_ns) + " " + std::string(r.schedule.bytes.begin(), r.schedule.bytes.end());
  });
  EXPECT_EQ(traced, plain);
}

TEST_P(DeterministicRuns, ReplayReproducesTheRun) {
  const int procs = GetParam();
  // Record with one seed; replay its schedule (which carries the seed) in a fresh process.
  gor::TraceRecorder rec;
  gor::Config cfg = det_config(procs, 1234);
  cfg.trace = true;
  cfg.observer = &rec;
  gor::RunResult first = gor::run(cfg, [] { busy_program(4); });
  ASSERT_EQ(first.status, gor::RunStatus::Ok) << first.message;
  auto schedule = std::make_shared<const gor::Schedule>(first.schedule);
  std::string a = traced_run_bytes(procs, 1234, [] { busy_program(4); });
  std::string b = traced_run_bytes(procs, 0, [] { busy_program(4); }, schedule);
  EXPECT_TRUE(a == b) << "replay differs from the recorded run";
  if (procs > 1) EXPECT_GT(first.schedule.size(), 0u) << "ties between Ms should have been decided";
}

INSTANTIATE_TEST_SUITE_P(Procs, DeterministicRuns, ::testing::Values(1, 2, 4));

TEST(Deterministic, RunFromHereFollowsTheRecordingThenGoesItsOwnWay) {
  // Config::replay_events: the recorded schedule up to event N, the seeded chooser after it.
  gor::Config cfg = det_config(4, 77);
  gor::RunResult first = gor::run(cfg, [] { busy_program(6); });
  ASSERT_EQ(first.status, gor::RunStatus::Ok) << first.message;
  auto schedule = std::make_shared<const gor::Schedule>(first.schedule);
  auto run_from = [&](uint64_t n) {
    return in_child([&] {
      gor::TraceRecorder rec;
      gor::Config c = det_config(4, 77);
      c.trace = true;
      c.observer = &rec;
      c.replay = schedule;
      c.replay_events = n;
      gor::RunResult r = gor::run(c, [] { busy_program(6); });
      return event_bytes(rec, r);
    });
  };
  const std::string whole = traced_run_bytes(4, 77, [] { busy_program(6); });
  constexpr size_t kEventBytes = 8 * 5 + 2 + 2 + 1;  // event_bytes()' record of one event
  const size_t events = whole.find("status ") / kEventBytes;  // strings follow; bound below
  ASSERT_GT(events, 400u);
  const uint64_t n = 300;
  const std::string from = run_from(n);
  EXPECT_EQ(from.find("<child failed>"), std::string::npos);
  EXPECT_NE(from.find("status 0 "), std::string::npos) << "the continuation did not end cleanly";
  EXPECT_TRUE(from.compare(0, n * kEventBytes, whole, 0, n * kEventBytes) == 0) << "the recorded part differs";
  EXPECT_NE(from, whole) << "the run after event " << n << " should have gone its own way";
  EXPECT_EQ(from, run_from(n)) << "running from the same moment twice must give the same run";
}

TEST(Deterministic, DifferentSeedsGiveDifferentSchedules) {
  std::string a = traced_run_bytes(4, 1, [] { busy_program(6); });
  std::string b = traced_run_bytes(4, 2, [] { busy_program(6); });
  EXPECT_NE(a, b);
}

TEST(Deterministic, TimersFireAtExactEngineTimes) {
  for (int procs : {1, 2, 4}) {
    int64_t slept = -1, timed_out = -1, ticked = -1;
    gor::RunResult r = gor::run(det_config(procs, 3), [&] {
      auto t0 = gor::now();
      gor::sleep(30ms);
      slept = (gor::now() - t0).count();
      t0 = gor::now();
      auto never = gor::make_chan<int>(0);
      auto timer = gor::after(30ms);
      if (gor::select(gor::on_recv(never), gor::on_recv(timer)) == 1) timed_out = (gor::now() - t0).count();
      t0 = gor::now();
      gor::work(7ms);
      ticked = (gor::now() - t0).count();
    });
    ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
    EXPECT_EQ(slept, 30'000'000) << "procs " << procs;
    // after() arms the timer at t0: select's operation cost does not delay it.
    EXPECT_EQ(timed_out, 30'000'000) << "procs " << procs;
    EXPECT_EQ(ticked, 7'000'000) << "procs " << procs;
  }
}

TEST(Deterministic, ParallelWorkTakesTheTimeOfOneP) {
  // Four goroutines each computing 10 ms on 4 Ps end at 10 ms of engine time (plus the
  // operations' costs), and at 40 ms on 1 P: work is per P, as on real cores.
  auto program = [] {
    gor::WaitGroup wg;
    for (int i = 0; i < 4; ++i) {
      wg.add(1);
      gor::go([&] {
        gor::work(10ms);
        wg.done();
      });
    }
    wg.wait();
  };
  gor::RunResult four = gor::run(det_config(4, 8), program);
  gor::RunResult one = gor::run(det_config(1, 8), program);
  ASSERT_EQ(four.status, gor::RunStatus::Ok) << four.message;
  ASSERT_EQ(one.status, gor::RunStatus::Ok) << one.message;
  EXPECT_GE(four.engine_ns, 10'000'000);
  EXPECT_LT(four.engine_ns, 11'000'000);
  EXPECT_GE(one.engine_ns, 40'000'000);
  EXPECT_LT(one.engine_ns, 41'000'000);
}

TEST(Deterministic, SysmonPreemptsLongWork) {
  // One P, two goroutines computing 50 ms each: sysmon preempts each after 10 ms, so they
  // alternate instead of running one after the other.
  std::vector<int> order;
  gor::RunResult r = gor::run(det_config(1, 4), [&] {
    gor::WaitGroup wg;
    for (int id = 0; id < 2; ++id) {
      wg.add(1);
      gor::go([&, id] {
        for (int i = 0; i < 50; ++i) {
          gor::work(1ms);
          if (order.empty() || order.back() != id) order.push_back(id);
        }
        wg.done();
      });
    }
    wg.wait();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_GE(r.preempt_requests, 4u);
  EXPECT_GE(order.size(), 5u) << "the two goroutines should alternate at preemptions";
}

TEST(Deterministic, DeadlockIsDetected) {
  gor::RunResult r = gor::run(det_config(2, 1), [] {
    auto c = gor::make_chan<int>(0);
    c.recv();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);
  EXPECT_EQ(r.message, "all goroutines are asleep - deadlock!");
}

TEST(Deterministic, LongSleepsJumpInstantly) {
  gor::RunResult r = gor::run(det_config(2, 1), [] { gor::sleep(std::chrono::hours(1000)); });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.engine_ns, 3'600'000'000'000'000LL);
}

TEST(Deterministic, SyscallTakesItsModelledTimeAndLosesItsP) {
  gor::RunResult r = gor::run(det_config(1, 1), [] {
    auto done = gor::make_chan<int>(1);
    gor::go([done] { done.send(gor::syscall([] { return 1; }, std::chrono::milliseconds(5))); });
    int beats = 0;
    for (int i = 0; i < 10; ++i) {
      gor::sleep(200us);
      ++beats;
    }
    done.recv();
    if (beats != 10) throw std::runtime_error("heartbeat stopped");
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_GE(r.syscall_handoffs, 1u);
  EXPECT_GE(r.engine_ns, 5'000'000);
}

TEST(Deterministic, ReplayOfAnotherProgramDiverges) {
  gor::RunResult first = gor::run(det_config(4, 77), [] { busy_program(4); });
  ASSERT_EQ(first.status, gor::RunStatus::Ok);
  ASSERT_GT(first.schedule.size(), 0u);
  gor::Config cfg = det_config(4, 0);
  cfg.replay = std::make_shared<const gor::Schedule>(first.schedule);
  gor::RunResult other = gor::run(cfg, [] { busy_program(1); });
  EXPECT_EQ(other.status, gor::RunStatus::Panic);
  EXPECT_TRUE(other.fatal);
  EXPECT_EQ(other.message.rfind("replay diverged: ", 0), 0u) << other.message;
}

TEST(Deterministic, MalformedScheduleIsRejected) {
  gor::Config cfg = det_config(2, 0);
  auto bad = std::make_shared<gor::Schedule>();
  bad->seed = 1;
  bad->bytes = {0x05};
  cfg.replay = bad;
  EXPECT_THROW(gor::run(cfg, [] {}), std::invalid_argument);
}

TEST(Deterministic, ScheduleEncodingRoundTrips) {
  gor::Schedule s;
  std::vector<gor::Decision> ds = {{2, 0}, {2, 1}, {15, 14}, {16, 3}, {300, 299}, {3, 2}};
  for (auto d : ds) s.append(d);
  auto back = s.decode();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, ds);
  EXPECT_EQ(s.bytes.size(), 1u + 1u + 1u + 3u + 5u + 1u);
  s.bytes.pop_back();
  s.bytes.push_back(0x00);  // a truncated long decision
  std::string error;
  EXPECT_FALSE(s.decode(&error).has_value());
  EXPECT_NE(error.find("truncated"), std::string::npos);
}

TEST(Deterministic, SeedZeroPicksAndReportsOne) {
  gor::RunResult a = gor::run(det_config(1, 0), [] {});
  gor::RunResult b = gor::run(det_config(1, 0), [] {});
  EXPECT_NE(a.seed, 0u);
  EXPECT_NE(a.seed, b.seed);
  EXPECT_TRUE(a.deterministic);
}

TEST(Deterministic, EnvironmentTurnsTheModeOn) {
  std::string out = in_child([] {
    setenv("GOR_DETERMINISTIC", "1", 1);
    setenv("GOR_SEED", "42", 1);
    gor::Config cfg;
    cfg.procs = 2;
    gor::RunResult r = gor::run(cfg, [] { gor::sleep(1ms); });
    gor::Config chosen;
    chosen.procs = 2;
    chosen.deterministic = false;
    gor::RunResult real = gor::run(chosen, [] {});
    return std::to_string(r.deterministic) + " " + std::to_string(r.seed) + " " + std::to_string(r.engine_ns) + " " +
           std::to_string(real.deterministic);
  });
  EXPECT_EQ(out, "1 42 1000000 0");
}

}  // namespace

namespace {

// PreemptEvery preempts at every n-th Preempt choice and takes the first Thread candidate.
class PreemptEvery : public gor::Strategy {
 public:
  explicit PreemptEvery(uint64_t n) : n_(n) {}
  uint32_t choose(const gor::ChoicePoint& p) override {
    if (p.kind == gor::ChoiceKind::Thread) return 0;
    seen_goroutine_ = seen_goroutine_ || p.goroutines[0] != 0;
    return ++count_ % n_ == 0 ? 1 : 0;
  }
  bool seen_goroutine_ = false;

 private:
  uint64_t n_;
  uint64_t count_ = 0;
};

// lost_update_program() is counter++ from two goroutines without a lock, on Shared.
int lost_update_program() {
  gor::Shared<int> counter(0, "counter");
  gor::WaitGroup wg;
  for (int w = 0; w < 2; ++w) {
    wg.add(1);
    gor::go([&] {
      for (int i = 0; i < 3; ++i) counter.store(counter.load() + 1);
      wg.done();
    });
  }
  wg.wait();
  return counter.load();
}

}  // namespace

TEST(Deterministic, ForcedPreemptionsRevealALostUpdateAndReplay) {
  // On one P without preemption points the two goroutines run one after the other: 6.
  int plain = -1;
  gor::RunResult a = gor::run(det_config(1, 3), [&] { plain = lost_update_program(); });
  ASSERT_EQ(a.status, gor::RunStatus::Ok);
  EXPECT_EQ(plain, 6);
  // Preempting at every other scheduling point interleaves the reads and the writes.
  auto strategy = std::make_shared<PreemptEvery>(2);
  gor::Config cfg = det_config(1, 3);
  cfg.preemption_points = true;
  cfg.strategy = strategy;
  int lost = -1;
  gor::RunResult b = gor::run(cfg, [&] { lost = lost_update_program(); });
  ASSERT_EQ(b.status, gor::RunStatus::Ok) << b.message;
  EXPECT_TRUE(strategy->seen_goroutine_);
  EXPECT_LT(lost, 6);
  EXPECT_TRUE(b.schedule.preemption_points);
  // The schedule alone (no strategy) reproduces it.
  gor::Config again = det_config(1, 0);
  again.replay = std::make_shared<const gor::Schedule>(b.schedule);
  int replayed = -1;
  gor::RunResult c = gor::run(again, [&] { replayed = lost_update_program(); });
  ASSERT_EQ(c.status, gor::RunStatus::Ok) << c.message;
  EXPECT_EQ(replayed, lost);
  EXPECT_EQ(c.schedule, b.schedule);
  EXPECT_EQ(c.engine_ns, b.engine_ns);
}
