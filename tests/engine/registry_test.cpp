// registry_test.cpp — the object registry behind RunControl::snapshot(): channels, mutexes,
// sync objects and timers as seen while paused, one id namespace, and the object events.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "gor/control.hpp"
#include "gor/gor.hpp"
#include "gor/trace.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

gor::RunResult run_controlled(int procs, gor::RunControl& control, std::function<void()> main,
                              gor::TraceObserver* observer = nullptr) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.control = &control;
  if (observer != nullptr) {
    cfg.trace = true;
    cfg.observer = observer;
  }
  return gor::run(cfg, std::move(main));
}

void wait_for(const std::atomic<bool>& flag) {
  while (!flag.load()) std::this_thread::sleep_for(1ms);
}

// paused_snapshot() pauses, snapshots until pred holds (resuming in between), and returns the
// snapshot taken while paused; the run is left paused.
template <class Pred>
gor::Snapshot paused_snapshot(gor::RunControl& control, Pred pred) {
  for (;;) {
    if (control.pause().ok) {
      std::optional<gor::Snapshot> s = control.snapshot();
      if (s && pred(*s)) return *s;
      control.resume();
    }
    std::this_thread::sleep_for(1ms);
  }
}

const gor::ChannelInfo* find_channel(const gor::Snapshot& s, const std::string& name) {
  for (const auto& c : s.channels)
    if (c.name == name) return &c;
  return nullptr;
}
const gor::MutexInfo* find_mutex(const gor::Snapshot& s, const std::string& name) {
  for (const auto& m : s.mutexes)
    if (m.name == name) return &m;
  return nullptr;
}
const gor::SyncObjectInfo* find_sync(const gor::Snapshot& s, const std::string& name) {
  for (const auto& o : s.sync_objects)
    if (o.name == name) return &o;
  return nullptr;
}
const gor::GoroutineInfo* find_g(const gor::Snapshot& s, uint64_t id) {
  for (const auto& g : s.goroutines)
    if (g.id == id) return &g;
  return nullptr;
}

}  // namespace

TEST(Registry, ChannelBufferQueuesAndClosedWhilePaused) {
  gor::RunControl control;
  std::atomic<bool> ready{false};
  std::atomic<uint64_t> receiver{0}, sender1{0}, sender2{0}, ping_id{0}, jobs_id{0};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      auto jobs = gor::make_chan<int>(4, "jobs");
      auto words = gor::make_chan<std::string>(2, "words");
      auto ping = gor::make_chan<int>(0, "ping");
      auto full = gor::make_chan<int>(1, "full");
      auto done = gor::make_chan<int>(0, "done");
      jobs_id = jobs.id();
      ping_id = ping.id();
      jobs.send(1);
      jobs.send(2);
      jobs.send(3);
      words.send("hello");
      done.close();
      full.send(7);
      gor::go([&, ping] { receiver = gor::detail::current_goid(); (void)ping.recv(); });
      gor::go([&, full] { sender1 = gor::detail::current_goid(); full.send(8); });
      gor::go([&, full] { sender2 = gor::detail::current_goid(); full.send(9); });
      ready = true;
      for (;;) gor::sleep(1ms);  // until stopped
    });
  });
  wait_for(ready);
  gor::Snapshot s = paused_snapshot(control, [&](const gor::Snapshot& s) {
    const gor::ChannelInfo* f = find_channel(s, "full");
    const gor::ChannelInfo* p = find_channel(s, "ping");
    return f && p && f->sendq.size() == 2 && p->recvq.size() == 1;
  });
  const gor::ChannelInfo* jobs = find_channel(s, "jobs");
  ASSERT_NE(jobs, nullptr);
  EXPECT_EQ(jobs->id, jobs_id.load());
  EXPECT_EQ(jobs->elem_type, "int");
  EXPECT_EQ(jobs->cap, 4u);
  EXPECT_EQ(jobs->len, 3u);
  EXPECT_EQ(jobs->buffer, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_FALSE(jobs->closed);
  EXPECT_TRUE(jobs->created_at.starts_with("tests/engine/registry_test.cpp:")) << jobs->created_at;
  EXPECT_NE(jobs->created_at.find(" in main."), std::string::npos) << jobs->created_at;
  const gor::ChannelInfo* words = find_channel(s, "words");
  ASSERT_NE(words, nullptr);
  EXPECT_EQ(words->elem_type, "string");
  EXPECT_EQ(words->buffer, (std::vector<std::string>{"hello"}));
  const gor::ChannelInfo* done = find_channel(s, "done");
  ASSERT_NE(done, nullptr);
  EXPECT_TRUE(done->closed);
  const gor::ChannelInfo* full = find_channel(s, "full");
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(full->buffer, (std::vector<std::string>{"7"}));
  // Both senders queued; FIFO order is the order they blocked, which we don't control here.
  std::vector<uint64_t> senders = full->sendq;
  std::sort(senders.begin(), senders.end());
  std::vector<uint64_t> expected{sender1.load(), sender2.load()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(senders, expected);
  EXPECT_TRUE(full->recvq.empty());
  const gor::ChannelInfo* ping = find_channel(s, "ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_EQ(ping->recvq, std::vector<uint64_t>{receiver.load()});
  // One id namespace: the blocked receiver waits on the channel's id.
  const gor::GoroutineInfo* g = find_g(s, receiver.load());
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->wait_reason, "chan receive");
  EXPECT_EQ(g->wait_object, ping_id.load());
  EXPECT_EQ(ping->id, ping_id.load());
  // Sites in Go's words: project-relative path, a short function name; main has no creation site.
  EXPECT_TRUE(g->created_at.starts_with("tests/engine/registry_test.cpp:")) << g->created_at;
  EXPECT_NE(g->created_at.find(" in main."), std::string::npos) << g->created_at;
  EXPECT_EQ(g->created_at.find("::"), std::string::npos) << g->created_at;
  EXPECT_TRUE(g->blocked_at.starts_with("tests/engine/registry_test.cpp:")) << g->blocked_at;
  const gor::GoroutineInfo* main_g = find_g(s, 1);
  ASSERT_NE(main_g, nullptr);
  EXPECT_EQ(main_g->created_at, "");
  // Channel ids are ordered by creation, and the list is by id.
  EXPECT_TRUE(std::is_sorted(s.channels.begin(), s.channels.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
  control.resume();
  control.stop();
  runner.join();
  EXPECT_TRUE(r.stopped);
}

// A snapshot formats only the head of a long buffer (the world is stopped meanwhile); len
// still counts every value.
TEST(Registry, LongChannelBufferFormatsOnlyItsHead) {
  gor::RunControl control;
  std::atomic<bool> ready{false};
  gor::RunResult r;
  constexpr int kValues = 10000;
  std::thread runner([&] {
    r = run_controlled(1, control, [&] {
      auto big = gor::make_chan<int>(kValues, "big");
      for (int i = 0; i < kValues; ++i) big.send(i);
      (void)big.recv();  // the head moves: values start at 1
      ready = true;
      for (;;) gor::sleep(1ms);  // until stopped
    });
  });
  wait_for(ready);
  gor::Snapshot s = paused_snapshot(control, [&](const gor::Snapshot& s) { return find_channel(s, "big") != nullptr; });
  const gor::ChannelInfo* big = find_channel(s, "big");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->len, size_t{kValues - 1});
  ASSERT_EQ(big->buffer.size(), gor::kSnapshotBufferValues);
  for (size_t i = 0; i < big->buffer.size(); ++i) EXPECT_EQ(big->buffer[i], std::to_string(i + 1));
  control.resume();
  control.stop();
  runner.join();
  EXPECT_TRUE(r.stopped);
}

TEST(Registry, MutexHolderFifoWaitersAndStarvation) {
  gor::RunControl control;
  std::atomic<bool> phase{false}, ready{false}, release{false};
  std::atomic<uint64_t> holder{0};
  std::array<std::atomic<uint64_t>, 3> waiters{};
  std::atomic<uint64_t> mu_id{0};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(1, control, [&] {
      gor::Mutex mu{"mu"};
      mu_id = mu.id();
      gor::go([&] {
        holder = gor::detail::current_goid();
        mu.lock();
        while (!phase.load()) gor::sleep(100us);
        gor::sleep(2ms);  // every waiter has now waited more than 1 ms
        // Unlock wakes the front waiter; relocking at once beats it (same P), so it goes back
        // to the front of the queue and switches the mutex to starvation mode.
        mu.unlock();
        mu.lock();
        ready = true;
        while (!release.load()) gor::sleep(1ms);
        mu.unlock();
      });
      gor::WaitGroup lockers;
      lockers.add(3);
      gor::sleep(1ms);
      for (int i = 0; i < 3; ++i) {
        gor::go([&, i] {
          waiters[i] = gor::detail::current_goid();
          mu.lock();
          mu.unlock();
          lockers.done();
        });
        gor::sleep(1ms);  // on one P the new goroutine runs (and queues) while main sleeps
      }
      phase = true;
      lockers.wait();  // the mutex outlives every goroutine that uses it
      while (!release.load()) gor::sleep(1ms);
      gor::sleep(1ms);
    });
  });
  wait_for(ready);
  gor::Snapshot s = paused_snapshot(control, [&](const gor::Snapshot& s) {
    const gor::MutexInfo* m = find_mutex(s, "mu");
    return m && m->starving && m->waiters.size() == 3;
  });
  const gor::MutexInfo* m = find_mutex(s, "mu");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->id, mu_id.load());
  EXPECT_EQ(m->kind, "Mutex");
  EXPECT_EQ(m->holder, holder.load());
  EXPECT_TRUE(m->starving);
  EXPECT_EQ(m->starving_switches, 1u);
  EXPECT_EQ(m->normal_switches, 0u);
  ASSERT_EQ(m->waiters.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m->waiters[i].g, waiters[i].load()) << i;
    EXPECT_GT(m->waiters[i].since_ns, 0);
    const gor::GoroutineInfo* g = find_g(s, waiters[i].load());
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->wait_reason, "sync.Mutex.Lock");
    EXPECT_EQ(g->wait_object, m->id);
  }
  EXPECT_TRUE(s.deadlocks.empty());
  release = true;
  control.resume();
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

TEST(Registry, WaitGroupSemaphoreRWMutexAndTimers) {
  gor::RunControl control;
  std::atomic<bool> ready{false}, release{false};
  std::atomic<uint64_t> wg_waiter{0}, sleeper{0}, writer{0}, sem_waiter{0};
  std::atomic<bool> cleaned{false};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      gor::WaitGroup wg{"wg"};
      gor::Semaphore sem(3, "sem");
      gor::RWMutex rw{"rw"};
      gor::Once once{"once"};
      once.call([] {});
      wg.add(3);
      wg.done();
      sem.acquire(2);
      rw.rlock();
      gor::WaitGroup helpers;
      helpers.add(3);
      gor::go([&] { wg_waiter = gor::detail::current_goid(); wg.wait(); helpers.done(); });
      gor::go([&] { sem_waiter = gor::detail::current_goid(); sem.acquire(2); sem.release(2); helpers.done(); });
      gor::go([&] { writer = gor::detail::current_goid(); rw.lock(); rw.unlock(); helpers.done(); });
      gor::go([&] { sleeper = gor::detail::current_goid(); gor::sleep(std::chrono::hours(1)); });
      ready = true;
      while (!release.load()) gor::sleep(1ms);
      rw.runlock();
      sem.release(2);
      wg.done();
      wg.done();
      helpers.wait();  // the objects outlive every goroutine that uses them
      cleaned = true;
      for (;;) gor::sleep(1ms);  // until stopped
    });
  });
  wait_for(ready);
  gor::Snapshot s = paused_snapshot(control, [&](const gor::Snapshot& s) {
    const gor::SyncObjectInfo* wg = find_sync(s, "wg");
    const gor::SyncObjectInfo* sem = find_sync(s, "sem");
    const gor::MutexInfo* rw = find_mutex(s, "rw");
    bool sleeping = std::any_of(s.timers.begin(), s.timers.end(),
                                [&](const auto& t) { return sleeper.load() != 0 && t.g == sleeper.load(); });
    return wg && sem && rw && wg->waiters.size() == 1 && sem->waiters.size() == 1 && rw->waiters.size() == 1 &&
           sleeping && sleeper.load() != 0;
  });
  const gor::SyncObjectInfo* wg = find_sync(s, "wg");
  EXPECT_EQ(wg->kind, "WaitGroup");
  EXPECT_EQ(wg->value, 2);
  EXPECT_EQ(wg->waiters[0].g, wg_waiter.load());
  const gor::SyncObjectInfo* sem = find_sync(s, "sem");
  EXPECT_EQ(sem->kind, "Semaphore");
  EXPECT_EQ(sem->value, 2);
  EXPECT_EQ(sem->capacity, 3);
  EXPECT_EQ(sem->waiters[0].g, sem_waiter.load());
  const gor::SyncObjectInfo* once = find_sync(s, "once");
  ASSERT_NE(once, nullptr);
  EXPECT_EQ(once->value, 1);
  const gor::MutexInfo* rw = find_mutex(s, "rw");
  EXPECT_EQ(rw->kind, "RWMutex");
  EXPECT_EQ(rw->readers, 1);
  EXPECT_EQ(rw->holder, 0u);  // the writer still waits for the reader
  EXPECT_EQ(rw->waiters[0].g, writer.load());
  const gor::GoroutineInfo* w = find_g(s, writer.load());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->wait_object, rw->id);
  auto t = std::find_if(s.timers.begin(), s.timers.end(), [&](const auto& t) { return t.g == sleeper.load(); });
  ASSERT_NE(t, s.timers.end());
  EXPECT_EQ(t->kind, "sleep");
  EXPECT_GT(t->when_ns, s.now_ns);
  EXPECT_TRUE(std::is_sorted(s.timers.begin(), s.timers.end(),
                             [](const auto& a, const auto& b) { return a.when_ns < b.when_ns; }));
  release = true;
  control.resume();
  wait_for(cleaned);
  control.stop();
  runner.join();
  EXPECT_TRUE(r.stopped);
}

// The kind numbers are part of the .gortrace format (docs/gortrace-format.md).
static_assert(static_cast<int>(gor::EventKind::RunEnd) == 26);
static_assert(static_cast<int>(gor::EventKind::ObjectCreate) == 27);
static_assert(static_cast<int>(gor::EventKind::PartialDeadlock) == 31);
static_assert(static_cast<int>(gor::EventKind::Race) == 32);
static_assert(static_cast<int>(gor::EventKind::TimerAdd) == 33);
static_assert(static_cast<int>(gor::EventKind::RegionEnd) == 38);
static_assert(static_cast<int>(gor::EventKind::StealMove) == 39);
static_assert(static_cast<int>(gor::EventKind::RaceSync) == 40);
static_assert(static_cast<int>(gor::EventKind::RunqFromGlobal) == 41);
static_assert(static_cast<int>(gor::EventKind::RunqOverflow) == 42);
static_assert(static_cast<int>(gor::EventKind::RunqToGlobalHead) == 43);
static_assert(static_cast<int>(gor::EventKind::ChanType) == 44);
static_assert(static_cast<int>(gor::EventKind::ObjectValue) == 45);
static_assert(static_cast<int>(gor::EventKind::ProcStop) == 46);
static_assert(static_cast<int>(gor::EventKind::Count_) == 47);

TEST(Registry, ObjectEventsShareTheIds) {
  gor::TraceRecorder rec;
  gor::RunControl control;
  std::atomic<uint64_t> mu_id{0}, chan_id{0};
  const int kLockers = 4;
  const int kOps = gortest::sanitized_scale(200);
  gor::RunResult r = run_controlled(2, control, [&] {
    gor::Mutex mu{"guard"};
    mu_id = mu.id();
    {
      auto c = gor::make_chan<int>(3, "pipe");
      chan_id = c.id();
      c.send(1);
      (void)c.recv();
    }
    gor::WaitGroup wg;
    wg.add(kLockers);
    long counter = 0;
    mu.lock();  // held while the lockers start: they park on it (GoBlock with its id)
    for (int i = 0; i < kLockers; ++i) {
      gor::go([&] {
        for (int k = 0; k < kOps; ++k) {
          mu.lock();
          ++counter;
          if (k % 16 == 0) gor::yield();  // contention: others park on the mutex
          mu.unlock();
        }
        wg.done();
      });
    }
    gor::sleep(2ms);
    mu.unlock();
    wg.wait();
  }, &rec);
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto events = rec.events();
  size_t acquires = 0, releases = 0, creates_mu = 0, creates_chan = 0, types_chan = 0, destroys_chan = 0, blocks_on_mu = 0;
  for (const gor::Event& e : events) {
    if (e.kind == gor::EventKind::MutexAcquire && e.a0 == mu_id.load()) ++acquires;
    if (e.kind == gor::EventKind::MutexRelease && e.a0 == mu_id.load()) ++releases;
    if (e.kind == gor::EventKind::ObjectCreate && e.a0 == mu_id.load()) {
      ++creates_mu;
      EXPECT_EQ(e.a1 & 0xff, 2u);
      EXPECT_EQ(rec.string(e.a2), "guard");
    }
    if (e.kind == gor::EventKind::ObjectCreate && e.a0 == chan_id.load()) {
      ++creates_chan;
      EXPECT_EQ(e.a1 & 0xff, 1u);
      EXPECT_EQ(e.a1 >> 8, 3u);
      EXPECT_EQ(rec.string(e.a2), "pipe");
    }
    if (e.kind == gor::EventKind::ChanType && e.a0 == chan_id.load()) {
      ++types_chan;
      EXPECT_EQ(rec.string(e.a2), "int");  // the element type in Go's words
    }
    if (e.kind == gor::EventKind::ObjectDestroy && e.a0 == chan_id.load()) ++destroys_chan;
    if (e.kind == gor::EventKind::GoBlock && e.a1 == mu_id.load()) ++blocks_on_mu;
    if (e.kind == gor::EventKind::ChanSend) {
      EXPECT_EQ(e.a0, chan_id.load());
    }
  }
  EXPECT_EQ(acquires, static_cast<size_t>(kLockers * kOps + 1));
  EXPECT_EQ(releases, static_cast<size_t>(kLockers * kOps + 1));
  EXPECT_EQ(creates_mu, 1u);
  EXPECT_EQ(creates_chan, 1u);
  EXPECT_EQ(types_chan, 1u);
  EXPECT_EQ(destroys_chan, 1u);
  EXPECT_GT(blocks_on_mu, 0u);
  EXPECT_STREQ(gor::event_kind_name(gor::EventKind::PartialDeadlock), "partial_deadlock");
}
