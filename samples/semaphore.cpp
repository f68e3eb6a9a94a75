// semaphore.cpp — limiting concurrency three ways: a worker pool, a buffered-channel
// semaphore, and a weighted semaphore.
//
//   pool:      for w := range limit { go func() { for j := range jobs { do(j) } }() }
//   chan-sem:  sem := make(chan struct{}, limit)
//              for j := range n { sem <- struct{}{}; go func() { do(j); <-sem }() }
//   semaphore: s := semaphore.NewWeighted(limit)
//              for j := range n { go func() { s.Acquire(ctx, 1); do(j); s.Release(1) }() }
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

// Tracker counts the jobs in progress and how often each job ran.
struct Tracker {
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::atomic<int> max_goroutines{0};
  std::vector<std::atomic<int>> done;
  explicit Tracker(int64_t jobs) : done(static_cast<size_t>(jobs)) {}

  // job() is one job: counted in, some waiting standing for I/O, counted out.
  void job(int64_t j, gor::Duration cost) {
    const int now = active.fetch_add(1, std::memory_order_acq_rel) + 1;
    raise(max_active, now);
    raise(max_goroutines, gor::num_goroutine());
    gor::sleep(cost);
    done[static_cast<size_t>(j)].fetch_add(1, std::memory_order_relaxed);
    active.fetch_sub(1, std::memory_order_acq_rel);
  }
  static void raise(std::atomic<int>& m, int v) {
    int seen = m.load(std::memory_order_relaxed);
    while (v > seen && !m.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
};

void semaphore_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const int limit = static_cast<int>(p.get_int("limit"));
  const int64_t njobs = p.get_int("jobs");
  const gor::Duration cost = std::chrono::milliseconds(p.get_int("job-ms"));

  Tracker t(njobs);
  gor::WaitGroup wg{"wg"};
  gor::log(variant + ": start");
  if (variant == "pool") {
    // A fixed pool: `limit` long-lived workers; concurrency is bounded by the pool's width.
    auto jobs = gor::make_chan<int64_t>(0, "jobs");
    for (int w = 1; w <= limit; ++w) {
      wg.add(1);
      gor::go_named("worker " + std::to_string(w), [&, jobs] {
        for (int64_t j : jobs) t.job(j, cost);
        wg.done();
      });
    }
    for (int64_t j = 0; j < njobs; ++j) jobs.send(j);
    jobs.close();
  } else if (variant == "chan-semaphore") {
    // A goroutine per job, but a token must be put in `sem` (capacity = limit) before starting
    // one: main blocks on a full channel, so at most `limit` jobs (and goroutines) exist.
    auto sem = gor::make_chan<gor::Unit>(static_cast<size_t>(limit), "sem");
    for (int64_t j = 0; j < njobs; ++j) {
      sem.send(gor::Unit{});  // acquire
      wg.add(1);
      gor::go_named("job " + std::to_string(j), [&, sem, j] {
        t.job(j, cost);
        sem.recv();  // release
        wg.done();
      });
    }
  } else {
    // gor::Semaphore (x/sync/semaphore): every job gets its goroutine at once and they queue,
    // parked in FIFO order, inside acquire().
    auto sem = std::make_shared<gor::Semaphore>(limit, "sem");
    for (int64_t j = 0; j < njobs; ++j) {
      wg.add(1);
      gor::go_named("job " + std::to_string(j), [&, sem, j] {
        sem->acquire(1);
        t.job(j, cost);
        sem->release(1);
        wg.done();
      });
    }
  }
  wg.wait();
  gor::log(variant + ": all jobs done");

  int64_t missing = 0;
  int64_t duplicated = 0;
  for (const auto& d : t.done) {
    if (d.load() == 0) ++missing;
    if (d.load() > 1) ++duplicated;
  }
  out.say(variant, ": ", njobs, " jobs, limit ", limit);
  out.say("at most ", t.max_active.load(), " jobs ran at once (limit ", limit, "); ", njobs - missing, " of ", njobs,
          " jobs done, ", duplicated, " more than once");
  out.say("at most ", t.max_goroutines.load(), " goroutines alive during a job");
  out.set("limit", limit);
  out.set("jobs", static_cast<double>(njobs));
  out.set("max_concurrent", t.max_active.load());
  out.set("max_goroutines", t.max_goroutines.load());
  out.set("missing", static_cast<double>(missing));
  out.set("duplicated", static_cast<double>(duplicated));
}

}  // namespace

Sample semaphore() {
  SampleInfo info;
  info.id = "semaphore";
  info.title = "Worker pool vs semaphore";
  info.topic = "Patterns";
  info.summary = "Bounding concurrency with a fixed worker pool, a buffered channel used as a semaphore, or gor::Semaphore: never more than the limit at once.";
  info.explanation =
      "The same jobs (each mostly waiting, like an HTTP call) are run with at most `limit` of them "
      "in progress, three ways. `pool`: `limit` long-lived workers range over a jobs channel. "
      "`chan-semaphore`: one goroutine per job, but main first puts a token into a buffered "
      "channel of capacity `limit` and the job takes it out when it ends. `semaphore`: one "
      "goroutine per job, each acquiring a weighted semaphore (golang.org/x/sync/semaphore) before "
      "working. Each job counts itself in and out; the sample reports the most that ever ran at "
      "once and checks every job ran exactly once.\n\n"
      "What to watch: the pool shows `limit` goroutines taking jobs one after another. With the "
      "channel semaphore, main itself blocks on the full `sem` channel, so goroutines are created "
      "only as tokens free up. With gor::Semaphore all the job goroutines exist from the start, "
      "most of them parked in `select` (x/sync's Acquire waits in one) in a FIFO queue, released one by one.\n\n"
      "Under the hood a buffered channel of capacity N is a counting semaphore: a send takes a slot "
      "(blocking when all N are taken), a receive frees one. The weighted semaphore keeps a FIFO of "
      "waiters so a large request is never overtaken by later small ones.\n\n"
      "The pitfall is unbounded fan-out: `for _, j := range jobs { go do(j) }` with a million jobs "
      "opens a million connections at once. All three bound the work in progress; the pool and the "
      "channel semaphore acquired before `go` also bound the number of goroutines, which matters "
      "when each holds memory. Release in a defer so a failing job cannot leak its slot.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant", "How concurrency is bounded.", {"pool", "chan-semaphore", "semaphore"}),
      int_param("limit", "Limit", "The most jobs allowed in progress at once.", 3, 1, 64),
      int_param("jobs", "Jobs", "Number of jobs.", 24, 1, 100000),
      int_param("job-ms", "Job (ms)", "How long a job waits (engine ms).", 20, 0, 1000),
  };
  return Sample{std::move(info), semaphore_main};
}

}  // namespace goroscope::samples
