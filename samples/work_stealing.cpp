// work_stealing.cpp — one goroutine spawns a burst of CPU work on its P; idle Ps steal it.
//
//   go func() {                       // the spawner: every `go` queues on the spawner's P
//     for i := range tasks { wg.Add(1); go func() { crunch(); wg.Done() }() }
//   }()
//   wg.Wait()                         // the other Ps had nothing: their Ms steal half a queue at a time
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void work_stealing_main(const SampleParams& p, SampleOutcome& out) {
  const int64_t tasks = p.get_int("tasks");
  const auto task_us = std::chrono::microseconds(p.get_int("task-us"));
  const int procs = gor::gomaxprocs();

  std::atomic<int64_t> done{0};
  std::mutex threads_mu;  // guards the per-thread tally (held for a map update only)
  std::map<int, int64_t> per_thread;  // tasks finished per M (the engine's thread id)
  gor::WaitGroup wg{"wg"};

  gor::log("burst: spawn all tasks on one P");
  wg.add(1);
  std::atomic<int64_t> moved{0};  // tasks that started on another M than their spawner's
  gor::go_named("spawner", [&] {
    for (int64_t i = 0; i < tasks; ++i) {
      wg.add(1);
      const int spawned_on = gor::thread_id();
      gor::go_named("task " + std::to_string(i), [&, spawned_on] {
        if (gor::thread_id() != spawned_on) moved.fetch_add(1, std::memory_order_relaxed);
        gor::work(task_us);  // CPU work: slows with slow motion, virtual time when deterministic
        {
          std::lock_guard g(threads_mu);
          ++per_thread[gor::thread_id()];  // which M ran it, at the end
        }
        done.fetch_add(1, std::memory_order_relaxed);
        wg.done();
      });
    }
    gor::log("burst spawned");
    wg.done();
  });
  wg.wait();
  gor::log("all tasks done");

  int64_t most = 0;
  std::string spread;
  for (const auto& [id, n] : per_thread) {
    spread += (spread.empty() ? "" : ", ") + std::to_string(n);
    most = std::max(most, n);
  }
  out.say(tasks, " tasks of ", task_us.count(), " us spawned by one goroutine, GOMAXPROCS ", procs);
  out.say("tasks finished per thread (M): ", spread, " (", per_thread.size(), " threads)");
  out.say(moved.load(), " of ", tasks, " tasks started on another M than their spawner's: taken from its queue by "
          "idle Ps (steals) or the global queue");
  out.set("tasks", static_cast<double>(tasks));
  out.set("moved", static_cast<double>(moved.load()));
  out.set("done", static_cast<double>(done.load()));
  out.set("threads_used", static_cast<double>(per_thread.size()));
  out.set("most_on_one_thread", static_cast<double>(most));
  out.set("procs", procs);
}

}  // namespace

Sample work_stealing() {
  SampleInfo info;
  info.id = "work-stealing";
  info.title = "Work stealing";
  info.topic = "Scheduler";
  info.summary = "One goroutine spawns a burst of CPU work on its own P; the idle Ps steal half of its queue at a time until all are busy.";
  info.explanation =
      "A single spawner goroutine starts a burst of CPU-bound tasks in a tight loop and main waits "
      "for all of them. Nothing distributes the tasks explicitly: every `go` statement puts the new "
      "goroutine on the run queue of the P the spawner runs on.\n\n"
      "What to watch: at first one P holds the whole burst in its local queue while the other Ps "
      "are idle. A new goroutine wakes an idle P's thread, which spins looking for work: its own "
      "queue is empty, the global queue too, so it picks a victim P at random and steals half of "
      "its queue in one go. Each steal appears in the trace as a `steal` event (thief, victim, "
      "count), and soon every P runs tasks. When a P's queue runs dry it steals again, so the work "
      "balances itself to the end.\n\n"
      "Under the hood each P has a fixed ring of 256 goroutines (plus the `runnext` slot for the "
      "most recent `go`) that only its owner pushes to; thieves take from the head with a "
      "compare-and-swap, without locks. Stealing half keeps both sides busy for a while and makes "
      "the number of steals logarithmic in the queue length. Overflow goes to the global queue.\n\n"
      "The lesson: in Go you do not need to spread goroutines over threads yourself; a burst "
      "spawned from one place is balanced by the scheduler. Goroutines that hoard a P without "
      "blocking are a different problem (see the preemption sample).";
  info.default_procs = 4;
  info.suggested_dilation = 20;
  info.params = {
      int_param("tasks", "Tasks", "CPU-bound goroutines in the burst.", 64, 1, 100000),
      int_param("task-us", "Task (us)", "CPU time of one task (wall microseconds).", 2000, 1, 1000000),
  };
  info.after_run = [](const gor::RunResult& r, SampleOutcome& out) {
    out.say("steals in this run: ", r.steals);
    out.set("steals", static_cast<double>(r.steals));
  };
  return Sample{std::move(info), work_stealing_main};
}

}  // namespace goroscope::samples
