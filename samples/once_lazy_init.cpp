// once_lazy_init.cpp — many goroutines race to initialise a shared value lazily.
//
//   var once sync.Once; var cfg *Config
//   func config() *Config { once.Do(func() { cfg = load() }); return cfg }
//   naive: if cfg == nil { cfg = load() }; return cfg   // several goroutines load it
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void once_lazy_init_main(const SampleParams& p, SampleOutcome& out) {
  const bool naive = p.get_choice("variant") == "naive";
  const int callers = static_cast<int>(p.get_int("callers"));
  const auto load_time = std::chrono::milliseconds(p.get_int("load-ms"));

  // The lazily loaded value: the number of the load() call that produced it (0: not loaded),
  // and the naive variant's "loaded?" flag. Plain variables at the Go level (gor::Shared: the
  // race detector watches them, --race, and a schedule explorer may switch goroutines at each
  // access); the Once variant is correct with them since Once orders the load before every return.
  gor::Shared<int64_t> config{0, "config"};
  std::atomic<int64_t> loads{0};  // the sample's own bookkeeping, not part of the Go program
  auto load = [&] {
    const int64_t n = loads.fetch_add(1, std::memory_order_relaxed) + 1;
    gor::log("load() #" + std::to_string(n) + " starts");
    gor::sleep(load_time);  // reading a file, say: long enough for other callers to arrive
    config.store(n);        // cfg = ...
  };
  gor::Once once{"once"};
  gor::Shared<bool> loaded{false, "loaded"};  // the naive variant's "cfg != nil"
  auto get_config = [&]() -> int64_t {
    if (naive) {
      if (!loaded.load()) {  // BUG: check, then act, without a lock
        load();
        loaded.store(true);
      }
    } else {
      once.call(load);  // the first caller runs load(); the others wait for it to finish
    }
    return config.load();  // return cfg
  };

  out.say(naive ? "naive" : "once", " variant: ", callers, " goroutines ask for the config at once");
  std::vector<int64_t> seen(static_cast<size_t>(callers), 0);  // caller i writes only seen[i]
  gor::WaitGroup wg{"wg"};
  gor::log("callers start");
  for (int i = 0; i < callers; ++i) {
    wg.add(1);
    gor::go_named("caller " + std::to_string(i + 1), [&, i] {
      seen[static_cast<size_t>(i)] = get_config();
      wg.done();
    });
  }
  wg.wait();
  gor::log("every caller has a config");

  int64_t saw_none = 0;
  std::set<int64_t> versions;
  for (int64_t v : seen) {
    if (v == 0) ++saw_none;
    else versions.insert(v);
  }
  const int64_t n_loads = loads.load(std::memory_order_relaxed);
  out.say("load() ran ", n_loads, " time", n_loads == 1 ? "" : "s", "; callers saw ", versions.size(),
          " different config", versions.size() == 1 ? "" : "s", ", ", saw_none, " saw none at all");
  out.set("callers", callers);
  out.set("loads", static_cast<double>(n_loads));
  out.set("saw_none", static_cast<double>(saw_none));
  out.set("distinct_configs", static_cast<double>(versions.size()));
  out.set("final_config", static_cast<double>(config.load()));
  out.check(n_loads == 1, "load() runs exactly once", "load() ran " + std::to_string(n_loads) + " times");
}

}  // namespace

Sample once_lazy_init() {
  SampleInfo info;
  info.id = "once-lazy-init";
  info.title = "Once: lazy initialisation";
  info.topic = "sync";
  info.summary = "Many goroutines ask for a lazily loaded config at once: sync.Once loads it exactly once, a naive nil check loads it many times.";
  info.explanation =
      "A program loads its configuration lazily, the first time somebody needs it, and loading takes "
      "a while. Many goroutines start at the same moment and all ask for the config. In the Once "
      "variant the getter wraps the load in `once.Do(load)`. In the naive variant it checks \"is it "
      "loaded yet?\" and, if not, loads it and sets the flag.\n\n"
      "What to watch: with Once, the first caller runs load() and every other caller parks in "
      "`sync.Mutex.Lock` (Once's slow path waits on its internal mutex; Go has no Once wait reason); when the load finishes they all wake and return the same config. In the naive "
      "run every caller that arrives while the first load is still in progress sees \"not loaded\" "
      "and starts its own load: the log shows load() starting over and over, and callers end up "
      "holding different configs. With the race detector on (`--race`, Go's `-race`) the naive run "
      "reports the data race on `loaded` and the config; the Once run reports none. `goroscope-cli "
      "explore once-lazy-init` sees the sample's own check (load() runs exactly once) fail in all of its 1,000 runs at "
      "the defaults (the load takes 50 ms, so every caller arrives while it is in progress); with the "
      "Once variant no schedule fails.\n\n"
      "Under the hood Once keeps a done flag that is read with one atomic load on the fast path; only "
      "while it is unset do callers take the slow path, where one of them runs the function and the "
      "others wait. Returning from Do happens after the function has finished, so whatever it wrote "
      "is visible to every caller without further synchronisation (the memory model's guarantee for "
      "Once).\n\n"
      "The pitfall is check-then-act: testing a condition and acting on it in two steps lets other "
      "goroutines slip in between, and the naive version is also a data race in Go. Use sync.Once "
      "(or sync.OnceValue since Go 1.21). Note that Once counts a panicking function as done, and "
      "that calling Do again from inside the function deadlocks.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant", "once: sync.Once guards the load; naive: an unguarded \"loaded?\" check.",
                   {"once", "naive"}),
      int_param("callers", "Callers", "Goroutines that ask for the config at the same time.", 20, 1, 10000),
      int_param("load-ms", "Load (ms)", "How long loading the config takes.", 50, 1, 1000),
  };
  return Sample{std::move(info), once_lazy_init_main};
}

}  // namespace goroscope::samples
