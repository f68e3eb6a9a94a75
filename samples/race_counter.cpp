// race_counter.cpp — a shared counter: lost updates, then a Mutex, then a channel.
//
//   racy:    go func() { for range n { counter++ } }()          // read, then write: no lock
//   mutex:   mu.Lock(); counter++; mu.Unlock()
//   channel: go func() { for range n { incs <- 1 } }();  owner: for d := range incs { counter += d }
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void race_counter_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const int workers = static_cast<int>(p.get_int("workers"));
  const int64_t increments = p.get_int("increments");
  const int64_t expected = workers * increments;

  // The counter is a gor::Shared: a plain variable at the Go level whose separate load and store
  // are exactly `counter++` (read, then write) with its race, and which the race detector
  // watches (goroscope-cli run race-counter --race); the C++ program itself stays well defined
  // (each load and store is a relaxed atomic, quiet under ThreadSanitizer).
  gor::Shared<int64_t> counter{0, "counter"};
  gor::Mutex mu{"mu"};
  auto incs = gor::make_chan<int64_t>(0, "increments");
  auto total = gor::make_chan<int64_t>(0, "total");
  gor::WaitGroup wg{"wg"};

  out.say(variant, " variant: ", workers, " goroutines each add 1 to a shared counter ", increments, " times");
  if (variant == "channel") {
    gor::go_named("counter owner", [incs, total] {
      int64_t owned = 0;  // only this goroutine ever touches it: no race possible
      for (int64_t d : incs) owned += d;
      total.send(owned);
    });
  }
  gor::log("workers start");
  for (int w = 1; w <= workers; ++w) {
    wg.add(1);
    gor::go_named("worker " + std::to_string(w), [&, increments] {
      for (int64_t i = 0; i < increments; ++i) {
        if (variant == "racy") {
          // counter++: a read, then a write. Whoever runs between the two loses an update.
          const int64_t v = counter.load();
          counter.store(v + 1);
        } else if (variant == "mutex") {
          mu.lock();  // the same two steps, but nobody else can be between them
          const int64_t v = counter.load();
          counter.store(v + 1);
          mu.unlock();
        } else {
          incs.send(1);  // share memory by communicating: ask the owner to do it
        }
      }
      wg.done();
    });
  }
  wg.wait();
  gor::log("workers done");
  int64_t final_count = counter.load();  // after wg.wait(): ordered after every worker
  if (variant == "channel") {
    incs.close();
    final_count = total.recv();
  }
  const int64_t lost = expected - final_count;
  out.check(final_count == expected, "counter == workers x increments",
            "counter = " + std::to_string(final_count) + ", expected " + std::to_string(expected));
  out.say("counter = ", final_count, ", expected ", expected, ": ", lost, " update", lost == 1 ? "" : "s", " lost");
  out.set("expected", static_cast<double>(expected));
  out.set("counter", static_cast<double>(final_count));
  out.set("lost", static_cast<double>(lost));
}

}  // namespace

Sample race_counter() {
  SampleInfo info;
  info.id = "race-counter";
  info.title = "Race condition: a shared counter";
  info.topic = "Races";
  info.summary = "Goroutines increment a shared counter: unsynchronised they lose updates; a Mutex or a channel-owned counter loses none.";
  info.explanation =
      "A few worker goroutines each add one to a shared counter many times. `counter++` is really "
      "three steps: read the counter, add one, write it back. In the racy variant nothing stops "
      "another goroutine from running between the read and the write. In the mutex variant the "
      "same three steps are inside mu.Lock/mu.Unlock. In the channel variant one "
      "\"owner\" goroutine holds the counter and the workers send it increments over a channel.\n\n"
      "What to watch: in the racy run, whenever a worker is switched out between its read and its "
      "write (on two Ps the workers also interleave step by step), it later writes back a value based "
      "on a stale read, overwriting the others' increments, and the final count falls short. "
      "Whether that happens depends on the schedule: run `goroscope-cli explore race-counter` and "
      "the explorer tries schedules and counts those in which the sample's own check (counter == "
      "workers x increments) fails: at the defaults (two Ps, strategy pct, seed 1) all 1,000 runs "
      "lose updates, because the two Ps' workers interleave read for read; with `--procs 1` about half "
      "of them do, each needing a forced switch between a read and its write. It then shrinks the failing schedule to the fewest forced switches and shows it "
      "as a table, one column per goroutine. In the mutex run the other workers park in "
      "`sync.Mutex.Lock` while one is between its read and its write, and no increment is lost in "
      "any schedule. In the channel run the workers queue up in "
      "`chan send` and the owner adds the values one at a time.\n\n"
      "Under the hood Go promises nothing for a data race: two goroutines accessing the same variable "
      "concurrently, at least one writing, without synchronisation between them. Lost updates are the "
      "mild outcome; torn values and impossible states are allowed too. `go test -race` (and "
      "`go run -race`) finds such races by tracking happens-before between accesses at run time; "
      "so does Goroscope's detector (`goroscope-cli run race-counter --race`), which reports the "
      "racy variant's read and write of the counter and nothing in the other two. "
      "A real race may lose nothing for a million runs and then strike in production: a schedule "
      "explorer finds the bad interleaving on purpose instead of by luck.\n\n"
      "The fixes: protect every access with the same Mutex (or use sync/atomic for a lone counter), "
      "or give the data to one goroutine and talk to it over a channel: \"do not communicate by "
      "sharing memory; share memory by communicating\".";
  info.default_procs = 2;
  info.suggested_dilation = 50;
  info.params = {
      choice_param("variant", "Variant",
                   "racy: counter++ (read, then write) with no lock; mutex: the same under a Mutex; channel: one goroutine owns the counter.",
                   {"racy", "mutex", "channel"}),
      int_param("workers", "Workers", "Goroutines incrementing the counter.", 4, 1, 64),
      int_param("increments", "Increments", "How many times each worker adds one.", 100, 1, 100000),
  };
  return Sample{std::move(info), race_counter_main};
}

}  // namespace goroscope::samples
