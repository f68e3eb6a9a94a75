// worker_pool.cpp — the default sample: a fixed pool of workers draining a jobs channel.
//
//   jobs := make(chan int, buffer); results := make(chan Result, buffer)
//   for w := 1..workers { wg.Add(1); go worker(w) }   // for j := range jobs { results <- f(j) }
//   go func() { for j := range n { jobs <- j }; close(jobs) }()
//   go func() { wg.Wait(); close(results) }()
//   for r := range results { ... }
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

// Result is what a worker sends back for one job.
struct Result {
  int64_t job = 0;
  int64_t square = 0;
  int worker = 0;
};

void worker_pool_main(const SampleParams& p, SampleOutcome& out) {
  const int workers = static_cast<int>(p.get_int("workers"));
  const int64_t njobs = p.get_int("jobs");
  const auto buffer = static_cast<size_t>(p.get_int("buffer"));

  auto jobs = gor::make_chan<int64_t>(buffer, "jobs");
  auto results = gor::make_chan<Result>(buffer, "results");
  gor::WaitGroup wg{"wg"};
  const gor::TimePoint started = gor::now();

  for (int w = 1; w <= workers; ++w) {
    wg.add(1);
    gor::go_named("worker " + std::to_string(w), [&wg, jobs, results, w] {
      for (int64_t j : jobs) {
        gor::sleep(5ms);  // the "work": I/O-like waiting, so the pool's width matters
        results.send(Result{j, j * j, w});
      }
      wg.done();
    });
  }
  gor::go_named("producer", [jobs, njobs] {
    for (int64_t j = 0; j < njobs; ++j) jobs.send(j);
    jobs.close();  // the only sender closes: workers' range loops end after the last job
  });
  gor::go_named("closer", [&wg, results] {
    wg.wait();        // every worker has sent its last result...
    results.close();  // ...so closing cannot race with a send
  });

  std::vector<int> times_done(static_cast<size_t>(njobs), 0);
  std::vector<int64_t> per_worker(static_cast<size_t>(workers) + 1, 0);
  int64_t received = 0;
  int64_t wrong = 0;
  for (Result r : results) {
    ++received;
    if (r.job < 0 || r.job >= njobs || r.square != r.job * r.job || r.worker < 1 || r.worker > workers) {
      ++wrong;
      continue;
    }
    ++times_done[static_cast<size_t>(r.job)];
    ++per_worker[static_cast<size_t>(r.worker)];
  }

  const double elapsed_ms = std::chrono::duration<double, std::milli>(gor::now() - started).count();
  int64_t missing = 0;
  int64_t duplicated = 0;
  for (int n : times_done) {
    if (n == 0) ++missing;
    if (n > 1) ++duplicated;
  }
  out.say(workers, " workers, ", njobs, " jobs, channel buffers of ", buffer);
  out.say("received ", received, " results: ", njobs - missing, " of ", njobs, " jobs done, ", duplicated,
          " done more than once, ", wrong, " wrong");
  if (workers <= 16) {
    std::string spread;
    for (int w = 1; w <= workers; ++w) spread += (w > 1 ? ", " : "") + std::to_string(per_worker[static_cast<size_t>(w)]);
    out.say("jobs per worker: ", spread);
  } else {  // one number per worker would be a line of thousands: summarise the spread instead
    const auto [least, most] = std::minmax_element(per_worker.begin() + 1, per_worker.end());
    out.say("jobs per worker: ", *least, " to ", *most, ", ", fixed(static_cast<double>(received) / workers, 1),
            " on average");
  }
  out.say("all results in after ", fixed(elapsed_ms, 1), " ms (engine time; each job waits 5 ms)");
  out.set("elapsed_ms", elapsed_ms);
  out.set("jobs", static_cast<double>(njobs));
  out.set("results", static_cast<double>(received));
  out.set("missing", static_cast<double>(missing));
  out.set("duplicated", static_cast<double>(duplicated));
  out.set("wrong", static_cast<double>(wrong));
}

}  // namespace

Sample worker_pool() {
  SampleInfo info;
  info.id = "worker-pool";
  info.title = "Worker pool";
  info.topic = "Channels";
  info.summary = "A fixed pool of workers drains a jobs channel and sends results back; a WaitGroup closes the results.";
  info.explanation =
      "A producer goroutine puts job numbers on the `jobs` channel and closes it. A fixed number of "
      "worker goroutines range over `jobs`, do some work (a short sleep standing for I/O) and send a "
      "result on `results`. The main goroutine ranges over `results` and checks that every job came "
      "back exactly once.\n\n"
      "What to watch: the workers spend most of their time asleep, so with four workers the pool "
      "finishes about four times faster than with one, even on a single P. When a worker's sleep "
      "ends, the timer makes it runnable and it queues on a P; the P that had nothing to do takes it. "
      "With a small buffer you see the producer block on a full `jobs` channel and workers block on a "
      "full `results` channel; with buffer 0 every hand-over is a rendezvous between two goroutines.\n\n"
      "Under the hood a receive on an unbuffered channel with a waiting sender takes the value "
      "directly from that sender's stack and wakes it. On a full buffered channel with blocked senders "
      "the receive takes the buffer's head (FIFO is kept) and moves the first blocked sender's value "
      "into the freed slot at the tail, then wakes that sender (Go's chan.go `recv`). `range` over a "
      "channel ends only when the channel is closed and drained.\n\n"
      "The pitfall is closing `results` too early: if a worker closed it, or main closed it after "
      "starting the workers, a late worker would panic with \"send on closed channel\". The fix used "
      "here is Go's ownership rule: only the side that knows no more sends can happen closes. That is "
      "a tiny `closer` goroutine that waits on the WaitGroup, then closes `results`.";
  info.default_procs = 4;
  info.suggested_dilation = 20;
  info.params = {
      int_param("workers", "Workers", "Number of worker goroutines in the pool.", 4, 1, 10000),
      int_param("jobs", "Jobs", "Number of jobs the producer sends.", 40, 1, 1000000),
      int_param("buffer", "Buffer", "Capacity of the jobs and results channels (0: unbuffered).", 10, 0, 10000),
  };
  return Sample{std::move(info), worker_pool_main};
}

}  // namespace goroscope::samples
