// race_test.cpp — the happens-before race detector (Config::race, gor/race.hpp).
//
// Part 1: no false positives. Each test is a correctly synchronised program whose only
// ordering between the accesses is one edge of Go's memory model (go, channel send/receive,
// buffered-slot reuse, close, Mutex, RWMutex, WaitGroup, Once, Cond, Semaphore, context), so a
// missing or misplaced edge in the detector makes it report a race and the test fail.
// Part 2: true positives, the catalogue of issue 8, each asserting how many distinct races
// (pairs of source sites) are reported. A happens-before detector does not depend on the
// interleaving, so the counts are exact on every schedule.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using gortest::ProcsTest;

gor::RunResult run_race(int procs, std::function<void()> main, bool fatal = false, gor::TraceObserver* obs = nullptr) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = 7;
  cfg.race = true;
  cfg.race_fatal = fatal;
  cfg.trace = obs != nullptr;
  cfg.observer = obs;
  return gor::run(cfg, std::move(main));
}

std::string all_reports(const gor::RunResult& r) {
  std::string s;
  for (const auto& t : r.race_reports) s += t;
  return s;
}

#define EXPECT_NO_RACE(r)                                                 \
  do {                                                                    \
    EXPECT_EQ((r).status, gor::RunStatus::Ok) << (r).message << (r).dump; \
    EXPECT_EQ((r).races, 0u) << all_reports(r);                           \
  } while (0)

// ---------------------------------------------------------------------------------------
// Part 1: correctly synchronised programs report nothing.

class RaceFree : public ProcsTest {};
GOR_INSTANTIATE_PROCS(RaceFree);

TEST_P(RaceFree, GoStatementOrdersParentBeforeChild) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> x{0, "x"};
    auto done = gor::make_chan<int>();
    x.store(1);  // before `go`: the child sees it
    gor::go([&, done] {  // channels by value: the goroutine may outlive main's frame
      x.update([](int v) { return v + 1; });
      done.send(0);
    });
    done.recv();
    EXPECT_EQ(x.load(), 2);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, UnbufferedSendHappensBeforeReceiveAndReceiveBeforeSendCompletes) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> to_receiver{0}, to_sender{0};
    auto ch = gor::make_chan<int>();
    auto done = gor::make_chan<int>();
    gor::go([&, ch, done] {
      to_sender.store(5);  // before the receive: ordered before the send completes
      (void)ch.recv();
      EXPECT_EQ(to_receiver.load(), 7);
      done.send(0);
    });
    to_receiver.store(7);  // before the send: ordered before the receive completes
    ch.send(1);
    EXPECT_EQ(to_sender.load(), 5);
    done.recv();
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, BufferedChannelPublishesEachValue) {
  gor::RunResult r = run_race(GetParam(), [] {
    std::vector<std::unique_ptr<gor::Shared<int>>> data;
    for (int i = 0; i < 20; ++i) data.push_back(std::make_unique<gor::Shared<int>>(0));
    auto ch = gor::make_chan<int>(3);
    auto done = gor::make_chan<int>();
    gor::go([&, ch, done] {
      for (int i : ch) data[i]->update([](int v) { return v + 10; });
      done.send(0);
    });
    for (int i = 0; i < 20; ++i) {
      data[i]->store(i);
      ch.send(i);
      if (i % 4 == 0) gor::yield();
    }
    ch.close();
    done.recv();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(data[i]->load(), i + 10);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, BufferedChannelAsSemaphoreOrdersKthReceiveBeforeKPlusCapSend) {
  // Go's memory model: the k-th receive on a channel with capacity C is synchronized before
  // the completion of the (k+C)-th send. A cap-1 channel used as a lock relies on exactly that.
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> counter{0, "counter"};
    auto sem = gor::make_chan<int>(1);
    gor::WaitGroup wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      gor::go([&] {
        for (int i = 0; i < 20; ++i) {
          sem.send(1);
          const int v = counter.load();
          gor::yield();
          counter.store(v + 1);
          (void)sem.recv();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(counter.load(), 80);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, CloseHappensBeforeReceiveThatObservesIt) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> x{0};
    auto done = gor::make_chan<int>(2);
    auto parked = gor::make_chan<gor::Unit>();
    gor::go([&, done] {
      x.store(1);
      done.close();
    });
    gor::go([&, done, parked] {  // a receiver possibly parked when close wakes it
      auto [v, ok] = done.recv_ok();
      EXPECT_FALSE(ok);
      EXPECT_EQ(x.load(), 1);
      parked.close();
    });
    (void)parked.recv_ok();
    auto [v, ok] = done.recv_ok();
    EXPECT_FALSE(ok);
    EXPECT_EQ(x.load(), 1);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, SelectCasesSynchronise) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> a{0}, b{0};
    auto ca = gor::make_chan<int>();
    auto cb = gor::make_chan<int>(1);
    auto quit = gor::make_chan<int>();
    gor::go([&, ca, cb, quit] {
      a.store(1);
      ca.send(1);
      b.store(2);
      cb.send(2);
      quit.close();
    });
    int got = 0;
    bool open = true;
    while (open) {
      gor::select(gor::on_recv(ca, [&](int, bool) { EXPECT_EQ(a.load(), 1); ++got; }),
                  gor::on_recv(cb, [&](int, bool) { EXPECT_EQ(b.load(), 2); ++got; }),
                  gor::on_recv(quit, [&](int, bool) { open = false; }));
    }
    // quit closed after both sends completed; a pending buffered value may remain.
    if (got < 2) {
      EXPECT_EQ(cb.recv(), 2);
      EXPECT_EQ(b.load(), 2);
    }
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, MutexOrdersCriticalSections) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> counter{0, "counter"};
    gor::Mutex mu;
    gor::WaitGroup wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      gor::go([&, w] {
        for (int i = 0; i < 25; ++i) {
          if (w == 0) {
            while (!mu.try_lock()) gor::yield();
          } else {
            mu.lock();
          }
          const int v = counter.load();
          if (i % 5 == 0) gor::yield();
          counter.store(v + 1);
          mu.unlock();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(counter.load(), 100);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, RWMutexReadersAfterWritersAndWritersAfterReaders) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> x{0, "x"};
    gor::RWMutex rw;
    gor::WaitGroup wg;
    for (int w = 0; w < 2; ++w) {
      wg.add(1);
      gor::go([&] {
        for (int i = 0; i < 10; ++i) {
          rw.lock();
          x.update([](int v) { return v + 1; });  // write after the readers' loads
          rw.unlock();
          gor::yield();
        }
        wg.done();
      });
    }
    for (int rd = 0; rd < 3; ++rd) {
      wg.add(1);
      gor::go([&, rd] {
        for (int i = 0; i < 10; ++i) {
          if (rd == 0) {
            while (!rw.try_rlock()) gor::yield();
          } else {
            rw.rlock();
          }
          (void)x.load();  // read after the last writer's store
          gor::yield();
          rw.runlock();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(x.load(), 20);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, WaitGroupDoneHappensBeforeWaitReturns) {
  gor::RunResult r = run_race(GetParam(), [] {
    std::vector<std::unique_ptr<gor::Shared<int>>> slots;
    for (int i = 0; i < 8; ++i) slots.push_back(std::make_unique<gor::Shared<int>>(0));
    gor::Shared<int> total{0};
    gor::WaitGroup wg;
    for (int i = 0; i < 8; ++i) {
      wg.add(1);
      gor::go([&, i] {
        if (i % 2) gor::yield();
        slots[i]->store(i + 1);
        wg.done();
      });
    }
    wg.wait();
    int sum = 0;
    for (auto& s : slots) sum += s->load();
    total.store(sum);
    EXPECT_EQ(sum, 36);
    wg.wait();  // counter already zero: the fast path acquires too
    for (auto& s : slots) s->store(0);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, OnceFunctionHappensBeforeEveryCallReturns) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> config{0, "config"};
    gor::Once once;
    gor::WaitGroup wg;
    for (int w = 0; w < 6; ++w) {
      wg.add(1);
      gor::go([&] {
        once.call([&] {
          gor::yield();  // others park in call() or arrive after it finished
          config.store(42);
        });
        EXPECT_EQ(config.load(), 42);
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, CondSignalAndBroadcast) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Mutex mu;
    gor::Cond cond(mu);
    gor::Shared<int> data{0}, ready{0};
    gor::WaitGroup wg;
    for (int w = 0; w < 3; ++w) {
      wg.add(1);
      gor::go([&] {
        mu.lock();
        while (ready.load() == 0) cond.wait();
        mu.unlock();
        EXPECT_EQ(data.load(), 9);
        wg.done();
      });
    }
    gor::yield();
    data.store(9);
    mu.lock();
    ready.store(1);
    cond.signal();
    cond.broadcast();
    mu.unlock();
    wg.wait();
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, SemaphoreReleaseHappensBeforeAcquire) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Semaphore sem(2);
    gor::Shared<int> counter{0};
    gor::WaitGroup wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      gor::go([&, w] {
        for (int i = 0; i < 10; ++i) {
          if (w == 0) {
            while (!sem.try_acquire(2)) gor::yield();
          } else {
            sem.acquire(2);  // the whole semaphore: exclusive
          }
          const int v = counter.load();
          gor::yield();
          counter.store(v + 1);
          sem.release(2);
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(counter.load(), 40);
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, ContextCancelHappensBeforeDoneAndErr) {
  gor::RunResult r = run_race(GetParam(), [] {
    auto [ctx, cancel] = gor::with_cancel(gor::background());
    auto [child, child_cancel] = gor::with_cancel(ctx);
    gor::Shared<int> reason{0};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&, c = child] {
      (void)c.done().recv_ok();  // observes the cancel through done()
      EXPECT_EQ(reason.load(), 3);
      wg.done();
    });
    gor::go([&, c = ctx] {
      while (c.err() == gor::CtxErr::None) gor::yield();  // observes it through err()
      EXPECT_EQ(reason.load(), 3);
      wg.done();
    });
    gor::yield();
    reason.store(3);
    cancel();
    wg.wait();
    child_cancel();
  });
  EXPECT_NO_RACE(r);
}

// ---------------------------------------------------------------------------------------
// Part 2: racy programs are reported, each distinct race once.

class RaceFound : public ProcsTest {};
GOR_INSTANTIATE_PROCS(RaceFound);

TEST_P(RaceFound, UnsynchronisedCounter) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> counter{0, "counter"};
    gor::WaitGroup wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      gor::go([&] {
        for (int i = 0; i < 50; ++i) {
          counter.update([](int v) { return v + 1; });  // read and write, one site
          if (i % 7 == 0) gor::yield();
        }
        wg.done();
      });
    }
    wg.wait();
    (void)counter.load();  // ordered after every worker: not a race
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  ASSERT_EQ(r.races, 1u) << all_reports(r);  // hundreds of racing accesses, one pair of sites
  ASSERT_EQ(r.race_reports.size(), 1u);
  const std::string& rep = r.race_reports[0];
  EXPECT_EQ(rep.find("==================\nWARNING: DATA RACE\n"), 0u) << rep;
  EXPECT_NE(rep.find(" at 0x"), std::string::npos) << rep;
  EXPECT_NE(rep.find("by goroutine "), std::string::npos) << rep;
  EXPECT_NE(rep.find("Previous "), std::string::npos) << rep;
  EXPECT_NE(rep.find("Location is Shared \"counter\" of size 4"), std::string::npos) << rep;
  EXPECT_NE(rep.find("race_test.cpp:"), std::string::npos) << rep;
  EXPECT_NE(rep.find(") created at:\n"), std::string::npos) << rep;
  EXPECT_EQ(rep.substr(rep.size() - 19), "==================\n") << rep;
}

TEST_P(RaceFound, FlagBasedPublication) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> data{0, "data"};
    gor::Shared<bool> published{false, "published"};
    std::atomic<bool> seen{false};  // invisible to the detector: only to end the program
    gor::go([&] {
      data.store(42);
      published.store(true);  // a plain flag publishes nothing
    });
    gor::go([&] {
      while (!published.load()) gor::yield();
      EXPECT_EQ(data.load(), 42);
      seen.store(true);
    });
    while (!seen.load()) gor::yield();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.races, 2u) << all_reports(r);  // the flag itself, and the data it "published"
  const std::string s = all_reports(r);
  EXPECT_NE(s.find("\"published\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"data\""), std::string::npos) << s;
}

TEST_P(RaceFound, ClosureCapture) {
  // Go's loop-variable capture: `for i := ...; go func() { use(i) }()`. The C++ closure
  // captures i by reference; main keeps writing it while the children read it.
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> i{0, "i"};
    gor::Shared<int> sum{0};
    gor::WaitGroup wg;
    gor::Mutex mu;
    for (i.store(0); i.load() < 5; i.update([](int v) { return v + 1; })) {
      wg.add(1);
      gor::go([&] {
        const int mine = i.load();
        mu.lock();
        sum.update([mine](int s) { return s + mine; });  // under the lock: not a race
        mu.unlock();
        wg.done();
      });
      if (i.load() == 2) gor::yield();
    }
    wg.wait();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.races, 1u) << all_reports(r);  // the child's load against main's update of i
  EXPECT_NE(all_reports(r).find("\"i\""), std::string::npos);
}

TEST_P(RaceFound, ReadUnderRLockRacesWithUnlockedWrite) {
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> x{0, "x"};
    gor::RWMutex rw;
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      rw.rlock();
      (void)x.load();  // under RLock...
      gor::yield();
      rw.runlock();
      wg.done();
    });
    gor::go([&] {
      gor::yield();
      x.store(1);  // ...but the writer takes no lock at all
      wg.done();
    });
    wg.wait();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.races, 1u) << all_reports(r);
  const std::string rep = all_reports(r);  // which access came first depends on the schedule
  EXPECT_TRUE((rep.find("\nWrite at") != std::string::npos && rep.find("Previous read at") != std::string::npos) ||
              (rep.find("\nRead at") != std::string::npos && rep.find("Previous write at") != std::string::npos))
      << rep;
  if (::testing::Test::HasFailure()) std::printf("%s", rep.c_str());
}

TEST_P(RaceFound, ReadsUnderRLockRaceWithEachOthersWritesUnderRLock) {
  // Readers are not ordered with each other: writing under RLock is a race.
  gor::RunResult r = run_race(GetParam(), [] {
    gor::Shared<int> x{0, "x"};
    gor::RWMutex rw;
    gor::WaitGroup wg;
    for (int k = 0; k < 2; ++k) {
      wg.add(1);
      gor::go([&] {
        rw.rlock();
        x.update([](int v) { return v + 1; });
        gor::yield();
        rw.runlock();
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_EQ(r.races, 1u) << all_reports(r);
}

TEST_P(RaceFound, WriteAfterWaitRacesWithGoroutineNotInTheGroup) {
  int uncounted_line = 0;
  gor::RunResult r = run_race(GetParam(), [&] {
    gor::Shared<int> x{0, "x"};
    gor::WaitGroup wg;
    std::atomic<bool> uncounted_done{false};  // invisible to the detector
    wg.add(1);
    gor::go([&] {
      (void)x.load();  // counted: ordered before wait() returns
      wg.done();
    });
    gor::go([&] {
      uncounted_line = __LINE__ + 1;
      (void)x.load();  // forgot wg.add(1): nothing orders this read
      uncounted_done.store(true);
    });
    wg.wait();
    x.store(1);
    while (!uncounted_done.load()) gor::yield();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  ASSERT_EQ(r.races, 1u) << all_reports(r);
  EXPECT_NE(r.race_reports[0].find("race_test.cpp:" + std::to_string(uncounted_line)), std::string::npos)
      << r.race_reports[0];
  EXPECT_NE(r.race_reports[0].find("main goroutine"), std::string::npos) << r.race_reports[0];
}

TEST_P(RaceFound, AnnotatedMemory) {
  gor::RunResult r = run_race(GetParam(), [] {
    std::atomic<int> cell{0};  // well defined in C++; a plain int at the Go level
    int64_t two[2] = {0, 0};   // adjacent words: no race between them
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      gor::race_write(&cell, sizeof cell);
      cell.store(1, std::memory_order_relaxed);
      gor::race_write(&two[0], sizeof(int64_t));
      wg.done();
    });
    gor::go([&] {
      gor::race_read(&cell, sizeof cell);
      (void)cell.load(std::memory_order_relaxed);
      gor::race_write(&two[1], sizeof(int64_t));
      wg.done();
    });
    wg.wait();
    gor::race_write(&two, sizeof two);  // after wait: ordered with both
  });
  EXPECT_EQ(r.races, 1u) << all_reports(r);
}

// Channels: close writes the channel, send reads it (Go's chan.go with raceenabled), so a send
// and a close that no edge orders race, reported on the channel itself. The goroutines below
// take turns through a C++ atomic, which orders them in time but is no edge for the detector.
// send_then_unordered_close() runs send(c) in one goroutine and then, ordered only by a C++
// atomic (no edge for the detector), c.close() in another.
gor::RunResult send_then_unordered_close(int procs, const char* name, std::function<void(gor::Chan<int>)> send) {
  return run_race(procs, [name, &send] {
    auto c = gor::make_chan<int>(1, name);
    std::atomic<bool> sent{false};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&, c] {
      send(c);
      sent.store(true);
      wg.done();
    });
    gor::go([&, c] {
      while (!sent.load()) gor::yield();
      c.close();
      wg.done();
    });
    wg.wait();
  });
}

TEST_P(RaceFound, CloseRacesWithAnUnorderedSend) {
  gor::RunResult r = send_then_unordered_close(GetParam(), "jobs", [](gor::Chan<int> c) { c.send(1); });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  ASSERT_EQ(r.races, 1u) << all_reports(r);
  const std::string& t = r.race_reports[0];
  EXPECT_NE(t.find("WARNING: DATA RACE"), std::string::npos) << t;
  EXPECT_NE(t.find("Write at "), std::string::npos) << t;
  EXPECT_NE(t.find("runtime.closechan()"), std::string::npos) << t;
  EXPECT_NE(t.find("Previous read at "), std::string::npos) << t;
  EXPECT_NE(t.find("runtime.chansend()"), std::string::npos) << t;
  EXPECT_NE(t.find("Location is channel \"jobs\""), std::string::npos) << t;
  EXPECT_NE(t.find("race_test.cpp"), std::string::npos) << t;  // the user's sites
}

TEST_P(RaceFound, SendAfterAnUnorderedCloseRacesAndPanics) {
  std::atomic<bool> panicked{false};
  gor::RunResult r = run_race(GetParam(), [&] {
    auto c = gor::make_chan<int>(1);
    std::atomic<bool> closed{false};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&, c] {
      c.close();
      closed.store(true);
      wg.done();
    });
    gor::go([&, c] {
      while (!closed.load()) gor::yield();
      try {
        c.try_send(1);
      } catch (const gor::Panic&) {  // send on closed channel, after the race is recorded
        panicked = true;
      }
      wg.done();
    });
    wg.wait();
  });
  EXPECT_TRUE(panicked.load());
  ASSERT_EQ(r.races, 1u) << all_reports(r);
  const std::string& t = r.race_reports[0];
  EXPECT_NE(t.find("Read at "), std::string::npos) << t;
  EXPECT_NE(t.find("runtime.chansend()"), std::string::npos) << t;
  EXPECT_NE(t.find("Previous write at "), std::string::npos) << t;
  EXPECT_NE(t.find("runtime.closechan()"), std::string::npos) << t;
  EXPECT_NE(t.find("Location is channel at "), std::string::npos) << t;  // unnamed
}

TEST_P(RaceFound, SelectSendCaseRacesWithAnUnorderedClose) {
  gor::RunResult r = send_then_unordered_close(GetParam(), "", [](gor::Chan<int> c) {
    auto other = gor::make_chan<int>(1);
    other.send(0);  // full: only c's case is ready
    gor::select(gor::on_send(c, 1), gor::on_send(other, 2));
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.races, 1u) << all_reports(r);
}

TEST_P(RaceFree, CloseOrderedAfterTheSendsIsSilent) {
  gor::RunResult r = run_race(GetParam(), [] {
    auto c = gor::make_chan<int>(4);
    auto sent = gor::make_chan<int>();
    auto drained = gor::make_chan<int>();
    gor::go([c, sent] {  // the sends happen before `sent` is closed...
      c.send(1);
      c.try_send(2);
      sent.close();
    });
    gor::go([c, sent, drained] {
      sent.recv();  // ...which happens before this receive, so before the close below
      c.close();
      int n = 0;
      for (;;) {
        auto [v, ok] = c.recv_ok();
        if (!ok) break;
        n += v;
      }
      EXPECT_EQ(n, 3);
      drained.close();
    });
    drained.recv();
    // A sender that closes its own channel is ordered with itself.
    auto own = gor::make_chan<int>(1);
    own.send(1);
    own.close();
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFree, ChannelAtAReusedAddressStartsClean) {
  // A goroutine makes a channel, sends on it and drops it; main, told through a C++ atomic (no
  // edge), makes another that may take the same memory and closes it. The new channel must not
  // inherit the old one's accesses, or the close would race with the old send.
  gor::RunResult r = run_race(GetParam(), [] {
    for (int i = 0; i < 50; ++i) {
      std::atomic<bool> dropped{false};
      gor::go([&dropped, i] {
        {
          auto c = gor::make_chan<int>(1);
          c.send(i);
        }
        dropped.store(true);
      });
      while (!dropped.load()) gor::yield();
      auto d = gor::make_chan<int>(1);  // often where c was
      d.close();
    }
  });
  EXPECT_NO_RACE(r);
}

TEST_P(RaceFound, ASyncObjectAtAReusedAddressDoesNotOrderWithTheOldOne) {
  // A Mutex is destroyed and another made in the same memory: the new one starts with no clock.
  // G2 writes x and unlocks the first; G3, told through a C++ atomic (no edge), locks the second
  // and reads x. Had the old clock survived, that lock would order the read after the write.
  gor::RunResult r = run_race(GetParam(), [] {
    alignas(gor::Mutex) unsigned char storage[sizeof(gor::Mutex)];
    gor::Mutex* m = new (storage) gor::Mutex;
    gor::Shared<int> x{0, "x"};
    std::atomic<int> phase{0};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      m->lock();
      x.store(1);
      m->unlock();
      m->~Mutex();
      m = new (storage) gor::Mutex;  // same address
      phase.store(1);
      wg.done();
    });
    gor::go([&] {
      while (phase.load() == 0) gor::yield();
      m->lock();
      (void)x.load();
      m->unlock();
      wg.done();
    });
    wg.wait();
    m->~Mutex();
  });
  EXPECT_EQ(r.races, 1u) << all_reports(r);
}

TEST(Race, BytesOfOneWordDoNotRace) {
  gor::RunResult r = run_race(2, [] {
    std::atomic<uint8_t> bytes[8] = {};
    gor::WaitGroup wg;
    for (int k = 0; k < 8; ++k) {
      wg.add(1);
      gor::go([&, k] {
        gor::race_write(&bytes[k], 1);
        bytes[k].store(1, std::memory_order_relaxed);
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_NO_RACE(r);
}

TEST(Race, SharedOfNonTrivialType) {
  gor::RunResult r = run_race(2, [] {
    gor::Shared<std::string> s{"a", "s"};
    gor::WaitGroup wg;
    wg.add(2);
    for (int k = 0; k < 2; ++k) {
      gor::go([&] {
        s.update([](std::string& v) { v += "b"; });
        wg.done();
      });
    }
    wg.wait();
    EXPECT_GE(s.load().size(), 2u);
  });
  EXPECT_EQ(r.races, 1u) << all_reports(r);
}

TEST(Race, FatalEndsTheRunWithPanic) {
  gor::RunResult r = run_race(2, [] {
    gor::Shared<int> x{0};
    auto never = gor::make_chan<int>();
    for (int k = 0; k < 2; ++k) {
      // Both stay parked after their store: none is exiting (and being freed) while the one
      // that raced takes the panic dump (see the report of issue 8 on dump_goroutines).
      gor::go([&x, never] {
        x.store(1);
        (void)never.recv();
      });
    }
    (void)never.recv();  // the race ends the run
  }, /*fatal=*/true);
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "race detected");
  EXPECT_TRUE(r.fatal);  // Go: "fatal error: race detected" (with GORACE=halt_on_error=1)
  EXPECT_EQ(r.races, 1u);
  EXPECT_NE(r.dump.find("goroutine "), std::string::npos);
}

TEST(Race, OffByDefaultAndThenFree) {
  gor::Config cfg;
  cfg.procs = 2;
  gor::RunResult r = gor::run(cfg, [] {
    gor::Shared<int> x{0};
    gor::WaitGroup wg;
    wg.add(2);
    for (int k = 0; k < 2; ++k) {
      gor::go([&] {
        x.update([](int v) { return v + 1; });
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_EQ(r.races, 0u);
  EXPECT_TRUE(r.race_reports.empty());
}

TEST(Race, TraceHasOneRaceEventPerReport) {
  gor::TraceRecorder rec;
  uint64_t g1 = 0, g2 = 0;
  gor::RunResult r = run_race(2, [&] {
    gor::Shared<int> x{0}, y{0};
    gor::WaitGroup wg;
    wg.add(2);
    gor::go([&] {
      g1 = gor::goid();
      x.store(1);
      y.store(1);
      wg.done();
    });
    gor::go([&] {
      g2 = gor::goid();
      x.store(2);
      y.store(2);
      wg.done();
    });
    wg.wait();
  }, false, &rec);
  ASSERT_EQ(r.races, 2u) << all_reports(r);
  EXPECT_STREQ(gor::event_kind_name(gor::EventKind::Race), "race");
  ASSERT_EQ(rec.count(gor::EventKind::Race), 2u);
  for (const gor::Event& e : rec.events()) {
    if (e.kind != gor::EventKind::Race) continue;
    EXPECT_TRUE((e.g == g1 && e.a0 == g2) || (e.g == g2 && e.a0 == g1)) << e.g << " " << e.a0;
    EXPECT_NE(rec.string(e.a1).find("race_test.cpp:"), std::string::npos);
    const std::string text = rec.string(e.a2);
    EXPECT_TRUE(text == r.race_reports[0] || text == r.race_reports[1]) << text;
  }
}

TEST(Race, MemoryReusedByANewSharedStartsClean) {
  // Goroutines and their stacks are pooled: a goroutine's locals land where a finished
  // goroutine's were, with nothing ordering the two. A new Shared there must not inherit the
  // old accesses (that would be a false positive).
  gor::RunResult r = run_race(1, [] {
    for (int k = 0; k < 20; ++k) {
      std::atomic<bool> finished{false};  // invisible to the detector
      gor::go([&finished] {
        gor::Shared<int> local{0};
        local.store(1);
        (void)local.load();
        finished.store(true);
      });
      while (!finished.load()) gor::yield();
      gor::yield();  // let it end, so the next goroutine may reuse its G and stack
    }
  });
  EXPECT_NO_RACE(r);
}

}  // namespace
