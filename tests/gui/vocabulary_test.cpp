// vocabulary_test.cpp — the engine's public typed vocabulary of trace events (gor/trace.hpp):
// Go's texts, and each typed accessor reading what a real traced run recorded (the engine
// packs the fields, the accessors unpack them: this is where the two meet).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <gor/gor.hpp>
#include <gor/trace.hpp>

namespace {

using namespace std::chrono_literals;
using gor::EventKind;

std::vector<gor::Event> of_kind(const std::vector<gor::Event>& events, EventKind k) {
  std::vector<gor::Event> out;
  for (const gor::Event& e : events)
    if (e.kind == k) out.push_back(e);
  return out;
}

TEST(Vocabulary, WaitReasonsHaveGosTexts) {
  using W = gor::WaitReason;
  const std::pair<W, const char*> go[] = {
      {W::None, ""},
      {W::ChanReceive, "chan receive"},
      {W::ChanSend, "chan send"},
      {W::ChanReceiveNilChan, "chan receive (nil chan)"},
      {W::ChanSendNilChan, "chan send (nil chan)"},
      {W::Select, "select"},
      {W::SelectNoCases, "select (no cases)"},
      {W::MutexLock, "sync.Mutex.Lock"},
      {W::RWMutexRLock, "sync.RWMutex.RLock"},
      {W::RWMutexLock, "sync.RWMutex.Lock"},
      {W::WaitGroupWait, "sync.WaitGroup.Wait"},
      {W::CondWait, "sync.Cond.Wait"},
      {W::OnceDo, "sync.Once.Do"},
      {W::Semacquire, "semacquire"},
      {W::Sleep, "sleep"},
      {W::Syscall, "syscall"},
      {W::Preempted, "preempted"}};
  ASSERT_EQ(std::size(go), static_cast<size_t>(W::Count_));
  for (const auto& [r, text] : go) EXPECT_EQ(gor::wait_reason_text(r), text);
  EXPECT_EQ(gor::wait_reason_text(static_cast<W>(99)), "wait reason 99") << "a newer engine's reason";
  EXPECT_STREQ(gor::object_kind_text(gor::ObjectKind::RWMutex), "RWMutex");
  EXPECT_STREQ(gor::object_kind_text(static_cast<gor::ObjectKind>(0)), "?");
  EXPECT_STREQ(gor::race_edge_text(gor::RaceEdge::Mutex), "unlock -> lock");
}

// A traced run that blocks on a buffered channel, sleeps, selects with a default, and takes a
// mutex under the race detector: each coded event reads back as what the program did.
TEST(Vocabulary, TypedAccessorsReadWhatTheEngineRecorded) {
  gor::TraceRecorder rec;
  gor::Config cfg;
  cfg.procs = 2;
  cfg.trace = true;
  cfg.race = true;
  cfg.observer = &rec;
  const gor::RunResult r = gor::run(cfg, [] {
    auto jobs = gor::make_chan<int>(3, "jobs");
    gor::Mutex mu("counter");
    int counter = 0;
    gor::go([jobs, &mu, &counter] {
      gor::sleep(1ms);
      mu.lock();
      ++counter;
      mu.unlock();
      jobs.send(1);
    });
    jobs.recv();  // blocks: nothing sent yet
    mu.lock();
    ++counter;
    mu.unlock();
    const int chosen = gor::select(gor::on_recv(jobs), gor::on_default());
    EXPECT_EQ(chosen, 1);
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  const std::vector<gor::Event> events = rec.events();

  uint64_t jobs_id = 0;
  for (const gor::Event& e : of_kind(events, EventKind::ObjectCreate)) {
    const gor::ObjectFields o = gor::object_fields(e);
    if (rec.string(o.name) == "jobs") {
      EXPECT_EQ(o.kind, gor::ObjectKind::Channel);
      EXPECT_EQ(o.capacity, 3u);
      jobs_id = o.object;
    }
  }
  ASSERT_NE(jobs_id, 0u) << "the channel was announced with its name";

  bool blocked_on_jobs = false;
  for (const gor::Event& e : of_kind(events, EventKind::GoBlock)) {
    const gor::BlockFields b = gor::block_fields(e);
    if (b.reason == gor::WaitReason::ChanReceive && b.object == jobs_id) blocked_on_jobs = true;
  }
  EXPECT_TRUE(blocked_on_jobs);

  const std::vector<gor::Event> adds = of_kind(events, EventKind::TimerAdd);
  ASSERT_FALSE(adds.empty());
  const gor::TimerFields add = gor::timer_fields(adds.front());
  EXPECT_EQ(add.code, gor::TimerCode::Sleep);
  EXPECT_FALSE(add.periodic);
  EXPECT_GE(add.when, 1'000'000);
  bool fired = false;
  for (const gor::Event& e : of_kind(events, EventKind::TimerFire)) {
    const gor::TimerFields f = gor::timer_fields(e);
    if (f.timer == add.timer) {
      fired = true;
      EXPECT_EQ(f.code, gor::TimerCode::Sleep);
      EXPECT_EQ(f.when, add.when);
    }
  }
  EXPECT_TRUE(fired) << "TimerFire names the timer TimerAdd armed";

  const std::vector<gor::Event> selects = of_kind(events, EventKind::Select);
  ASSERT_EQ(selects.size(), 1u);
  const gor::SelectFields s = gor::select_fields(selects.front());
  EXPECT_EQ(s.cases, 2u);
  EXPECT_TRUE(s.has_default);
  EXPECT_EQ(s.chosen, 1u);
  EXPECT_EQ(s.channel, 0u) << "the default case ran";

  int mutex_acquires = 0, mutex_releases = 0;
  for (const gor::Event& e : of_kind(events, EventKind::RaceSync)) {
    const gor::RaceSyncFields f = gor::race_sync_fields(e);
    if (f.edge != gor::RaceEdge::Mutex) continue;
    mutex_acquires += f.op == gor::RaceSyncOp::Acquire;
    mutex_releases += f.op == gor::RaceSyncOp::Release;
  }
  EXPECT_EQ(mutex_releases, 2);
  EXPECT_GE(mutex_acquires, 1) << "the second lock acquires what the first unlock released";

  for (const gor::Event& e : of_kind(events, EventKind::GoUnblock))
    EXPECT_LE(static_cast<int>(gor::unblock_placement(e)), static_cast<int>(gor::Placement::Global));
}

}  // namespace
