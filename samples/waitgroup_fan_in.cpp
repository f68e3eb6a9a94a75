// waitgroup_fan_in.cpp — ten fetchers in parallel, one WaitGroup, one aggregate.
//
//   var wg sync.WaitGroup
//   for i, url := range urls { wg.Add(1); go func() { defer wg.Done(); sizes[i] = fetch(url) }() }
//   wg.Wait(); total := sum(sizes)
//   buggy: go fetch(url, wg)   // wg passed by value: Done lands on a copy, Wait never returns
#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

// page_size() is what fetching page i "returns".
int64_t page_size(int i) { return 1000 + 37 * static_cast<int64_t>(i); }

void waitgroup_fan_in_main(const SampleParams& p, SampleOutcome& out) {
  const bool buggy = p.get_choice("variant") == "wrong-counter";
  const int fetchers = static_cast<int>(p.get_int("fetchers"));
  const auto latency = std::chrono::milliseconds(p.get_int("latency-ms"));

  std::vector<int64_t> sizes(static_cast<size_t>(fetchers), -1);  // fetcher i writes only sizes[i]
  gor::WaitGroup wg{"wg"};
  // The buggy variant's per-fetcher counters: what Go's `func fetch(url string, wg sync.WaitGroup)`
  // gets, a copy of wg taken after Add, so Done decrements the copy and never the original.
  std::deque<gor::WaitGroup> copies;

  out.say(buggy ? "wrong-counter" : "fixed", " variant: ", fetchers, " fetchers in parallel, each taking ",
          latency.count(), " to ", (latency * 3).count(), " ms");
  gor::log("fan out: start the fetchers");
  for (int i = 0; i < fetchers; ++i) {
    wg.add(1);
    gor::WaitGroup* counter = &wg;
    if (buggy) {
      copies.emplace_back().add(1);  // the copy's counter, as it was when it was made
      counter = &copies.back();
    }
    gor::go_named("fetcher " + std::to_string(i + 1), [&sizes, counter, latency, i] {
      gor::sleep(latency * (1 + i % 3));  // the network
      sizes[static_cast<size_t>(i)] = page_size(i);
      counter->done();  // buggy: the wrong counter
    });
  }

  gor::log("fan in: main waits for every fetcher");
  wg.wait();  // buggy: nobody ever decrements wg: once the fetchers are gone, a global deadlock
  gor::log("all fetchers done");

  int64_t complete = 0;
  int64_t total = 0;
  int64_t expected_total = 0;
  for (int i = 0; i < fetchers; ++i) {
    expected_total += page_size(i);
    if (sizes[static_cast<size_t>(i)] == page_size(i)) ++complete;
    if (sizes[static_cast<size_t>(i)] > 0) total += sizes[static_cast<size_t>(i)];
  }
  out.say("aggregated ", complete, " of ", fetchers, " results, total size ", total, " bytes");
  out.set("fetchers", fetchers);
  out.set("complete", static_cast<double>(complete));
  out.set("total", static_cast<double>(total));
  out.set("expected_total", static_cast<double>(expected_total));
}

}  // namespace

Sample waitgroup_fan_in() {
  SampleInfo info;
  info.id = "waitgroup-fan-in";
  info.title = "WaitGroup fan-out / fan-in";
  info.topic = "sync";
  info.summary = "Ten fetchers run in parallel and main aggregates their results after a WaitGroup; Done on the wrong counter deadlocks.";
  info.explanation =
      "The main goroutine fans out: it starts one fetcher goroutine per page, each of which waits for "
      "\"the network\" (a sleep of one to three latencies) and stores the page size in its own slot of "
      "a slice. Then main fans in: it waits on a sync.WaitGroup until every fetcher has called Done, "
      "and adds up the sizes. In the wrong-counter variant each fetcher calls Done on a different "
      "WaitGroup than the one main waits on, which is what Go code gets when it passes a WaitGroup to "
      "a function by value.\n\n"
      "What to watch: all fetchers sleep at the same time, so the whole fan-out takes as long as the "
      "slowest fetcher rather than the sum of all of them. Main parks in `sync.WaitGroup.Wait` and "
      "wakes once, when the last Done brings the counter to zero. In the wrong-counter run the "
      "fetchers finish one by one, main stays parked, and when the last fetcher is gone nothing can "
      "wake it: the runtime reports `all goroutines are asleep - deadlock!`.\n\n"
      "Under the hood a WaitGroup is one atomic word holding the counter and the number of waiters, "
      "plus a semaphore. Add changes the counter; the Add that brings it to zero releases every "
      "waiter at once. Writing to distinct slots of a slice from different goroutines needs no lock, "
      "and the WaitGroup orders those writes before main's reads after Wait.\n\n"
      "The pitfall: a WaitGroup must be shared, never copied (`go vet` reports the copy as "
      "\"passes lock by value\"). Pass a pointer, or use a closure that captures the one WaitGroup, "
      "and call Add before the `go` statement. If the results also need to flow back, a channel "
      "closed by a goroutine that waits on the WaitGroup does the fan-in instead of a slice.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant",
                   "fixed: every fetcher calls Done on main's WaitGroup; wrong-counter: on a copy, and main deadlocks.",
                   {"fixed", "wrong-counter"}),
      int_param("fetchers", "Fetchers", "Number of fetcher goroutines.", 10, 1, 1000),
      int_param("latency-ms", "Latency (ms)", "One network latency; fetchers take 1 to 3 of them.", 40, 0, 1000),
  };
  return Sample{std::move(info), waitgroup_fan_in_main};
}

}  // namespace goroscope::samples
