// race_counter.cpp — a shared counter: lost updates, then a Mutex, then a channel.
//
//   racy:    go func() { for range n { v := counter; runtime.Gosched(); counter = v + 1 } }()
//   mutex:   mu.Lock(); v := counter; runtime.Gosched(); counter = v + 1; mu.Unlock()
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
          const int64_t v = counter.load();  // read...
          gor::yield();                      // ...others run here...
          counter.store(v + 1);              // ...write: their updates are lost
        } else if (variant == "mutex") {
          mu.lock();
          const int64_t v = counter.load();
          gor::yield();  // the same gap, but nobody else can enter the critical section
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
      "another goroutine from running between the read and the write; to make that visible on every "
      "run, each worker yields the processor right there (runtime.Gosched). In the mutex variant the "
      "same three steps, gap included, are inside mu.Lock/mu.Unlock. In the channel variant one "
      "\"owner\" goroutine holds the counter and the workers send it increments over a channel.\n\n"
      "What to watch: in the racy run the workers take turns between the read and the write; each "
      "one writes back a value based on a stale read, overwriting the others' increments, and the "
      "final count falls far short. In the mutex run the other workers park in `sync.Mutex.Lock` "
      "while one is in the gap, and no increment is lost. In the channel run the workers queue up in "
      "`chan send` and the owner adds the values one at a time.\n\n"
      "Under the hood Go promises nothing for a data race: two goroutines accessing the same variable "
      "concurrently, at least one writing, without synchronisation between them. Lost updates are the "
      "mild outcome; torn values and impossible states are allowed too. `go test -race` (and "
      "`go run -race`) finds such races by tracking happens-before between accesses at run time; "
      "so does Goroscope's detector (`goroscope-cli run race-counter --race`), which reports the "
      "racy variant's read and write of the counter and nothing in the other two. "
      "Without the forced yield a real race may lose nothing for a million runs and then strike in "
      "production: the yield only makes the bad interleaving certain.\n\n"
      "The fixes: protect every access with the same Mutex (or use sync/atomic for a lone counter), "
      "or give the data to one goroutine and talk to it over a channel: \"do not communicate by "
      "sharing memory; share memory by communicating\".";
  info.default_procs = 2;
  info.suggested_dilation = 50;
  info.params = {
      choice_param("variant", "Variant",
                   "racy: read, yield, write with no lock; mutex: the same under a Mutex; channel: one goroutine owns the counter.",
                   {"racy", "mutex", "channel"}),
      int_param("workers", "Workers", "Goroutines incrementing the counter.", 4, 1, 64),
      int_param("increments", "Increments", "How many times each worker adds one.", 100, 1, 100000),
  };
  return Sample{std::move(info), race_counter_main};
}

}  // namespace goroscope::samples
