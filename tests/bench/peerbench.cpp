// peerbench: the peer workloads of ../shared/peers (Go 1.19, Boost.Fiber 1.74) on the gor engine.
//
// Usage:  gor_peerbench <workload> [n]
// Prints one line, in the peers' format:
//
//   peer=gor workload=W n=N threads=P metric=K K=V total_ms=T rss_kib=R [extra=...]
//
// where K is the primary metric (ns_per_op, total_ms or bytes_per_task), threads is the
// run's GOMAXPROCS (Config::procs, from the environment variable GOMAXPROCS, default 2) and
// rss_kib is the process peak RSS (VmHWM) at the end of the run.
//
// Each workload is a line-by-line translation of ../shared/peers/go/peerbench.go: same n,
// same channel capacities, same number of goroutines, same checks. It runs as the main
// goroutine of gor::run(Config{.procs = P}); time is wall time (steady_clock; the run's
// dilation is 1). GOR_STACK=<bytes> overrides Config::stack_size (default: the engine's);
// GOR_STATS=1 prints the run's scheduler statistics (steals, threads) to stderr at the end.
// GOR_TRACE=1 runs with tracing on (events counted by an observer) to measure its overhead.
#include <gor/gor.hpp>
#include <gor/trace.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using Clock = std::chrono::steady_clock;

// proc_status_kib() returns a field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 if absent.
long proc_status_kib(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t fl = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, fl) == 0 && line[fl] == ':') {
      v = std::strtol(line + fl + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return v;
}

struct Result {
  std::string metric;  // ns_per_op | total_ms | bytes_per_task
  double value = 0;
  double total_ms = 0;
  std::string extra;
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
Result per_op(double total_ms, long n) { return {"ns_per_op", total_ms * 1e6 / double(n), total_ms, {}}; }
Result total(double total_ms) { return {"total_ms", total_ms, total_ms, {}}; }

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "gor_peerbench: check failed: %s\n", what);
  std::fflush(stderr);
  std::_Exit(1);
}

// ------------------------------------------------------------------------------ workloads

// spawn: start n goroutines that each call wg.done(); wait for all.
Result bench_spawn(long n) {
  gor::WaitGroup wg;
  auto t0 = Clock::now();
  wg.add(n);
  for (long i = 0; i < n; ++i) gor::go([&wg] { wg.done(); });
  wg.wait();
  return per_op(ms_since(t0), n);
}

// pingpong: two goroutines bounce an int over two unbuffered channels. One op = one round trip.
Result bench_pingpong(long n) {
  auto ping = gor::make_chan<long>();
  auto pong = gor::make_chan<long>();
  gor::WaitGroup wg;
  wg.add(2);
  auto t0 = Clock::now();
  gor::go([&] {
    long v = 0;
    for (long i = 0; i < n; ++i) {
      ping.send(v);
      v = pong.recv();
    }
    if (v != n) fail("pingpong: bad value");
    wg.done();
  });
  gor::go([&] {
    for (long i = 0; i < n; ++i) {
      long v = ping.recv();
      pong.send(v + 1);
    }
    wg.done();
  });
  wg.wait();
  return per_op(ms_since(t0), n);
}

// buffered: one producer, one consumer over a channel of capacity 128.
Result bench_buffered(long n) {
  auto ch = gor::make_chan<long>(128);
  auto done = gor::make_chan<long>();
  auto t0 = Clock::now();
  gor::go([ch, n] {
    for (long i = 0; i < n; ++i) ch.send(i);
    ch.close();
  });
  gor::go([ch, done] {
    long s = 0;
    for (long v : ch) s += v;
    done.send(s);
  });
  long s = done.recv();
  double ms = ms_since(t0);
  if (s != n * (n - 1) / 2) fail("buffered: bad sum");
  return per_op(ms, n);
}

// mutex: 8 goroutines each do n/8 lock, counter++, unlock.
Result bench_mutex(long n) {
  constexpr int g = 8;
  long per = n / g;
  gor::Mutex mu;
  long counter = 0;
  gor::WaitGroup wg;
  wg.add(g);
  auto t0 = Clock::now();
  for (int k = 0; k < g; ++k) {
    gor::go([&] {
      for (long i = 0; i < per; ++i) {
        mu.lock();
        ++counter;
        mu.unlock();
      }
      wg.done();
    });
  }
  wg.wait();
  double ms = ms_since(t0);
  if (counter != per * g) fail("mutex: bad counter");
  return per_op(ms, per * g);
}

// select: one goroutine selects over 4 unbuffered channels, each fed by its own producer;
// n receives in total.
Result bench_select(long n) {
  long per = n / 4;
  long total_n = per * 4;
  gor::Chan<long> cs[4];
  for (auto& c : cs) c = gor::make_chan<long>();
  auto t0 = Clock::now();
  for (int k = 0; k < 4; ++k) {
    gor::go([c = cs[k], per] {
      for (long i = 0; i < per; ++i) c.send(1);
    });
  }
  long s = 0;
  auto add = [&s](long v) { s += v; };
  for (long i = 0; i < total_n; ++i) {
    gor::select(gor::on_recv(cs[0], add), gor::on_recv(cs[1], add), gor::on_recv(cs[2], add),
                gor::on_recv(cs[3], add));
  }
  double ms = ms_since(t0);
  if (s != total_n) fail("select: bad sum");
  return per_op(ms, total_n);
}

uint64_t tiny_work(uint64_t j) {
  uint64_t x = j + 0x9E3779B97F4A7C15ull;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x & 0xffff;
}

// workerpool: a feeder sends n jobs into jobs (cap 100); 8 workers range over it and send
// tiny_work(job) into results (cap 100); main fans in all results.
Result bench_workerpool(long n) {
  constexpr int workers = 8;
  auto jobs = gor::make_chan<uint64_t>(100);
  auto results = gor::make_chan<uint64_t>(100);
  gor::WaitGroup wg;
  auto t0 = Clock::now();
  gor::go([jobs, n] {
    for (long i = 0; i < n; ++i) jobs.send(uint64_t(i));
    jobs.close();
  });
  wg.add(workers);
  for (int w = 0; w < workers; ++w) {
    gor::go([jobs, results, &wg] {
      for (uint64_t j : jobs) results.send(tiny_work(j));
      wg.done();
    });
  }
  gor::go([results, &wg] {
    wg.wait();
    results.close();
  });
  uint64_t sum = 0;
  long cnt = 0;
  for (uint64_t r : results) {
    sum += r;
    ++cnt;
  }
  double ms = ms_since(t0);
  if (cnt != n) fail("workerpool: lost results");
  Result r = per_op(ms, n);
  r.extra = "checksum=" + std::to_string(sum);
  return r;
}

// racycounter: 4 goroutines add 1 to one unsynchronised gor::Shared<int64_t> counter, n
// times in all (race-counter's racy variant without the yield): the race detector's worst
// case, every access to one shadow cell, from both Ps at once. Ours only (GOR_RACE=1 vs 0).
Result bench_racycounter(long n) {
  constexpr int workers = 4;
  gor::Shared<int64_t> counter{0, "counter"};
  gor::WaitGroup wg;
  auto t0 = Clock::now();
  wg.add(workers);
  for (int w = 0; w < workers; ++w) {
    gor::go([&counter, &wg, n] {
      for (long i = 0; i < n / workers; ++i) counter.update([](int64_t v) { return v + 1; });
      wg.done();
    });
  }
  wg.wait();
  double ms = ms_since(t0);
  Result r = per_op(ms, n / workers * workers);
  r.extra = "lost=" + std::to_string(n / workers * workers - counter.load());
  return r;
}

// timers: n goroutines each sleep 1 ms then wg.done(); total wall time.
Result bench_timers(long n) {
  gor::WaitGroup wg;
  wg.add(n);
  auto t0 = Clock::now();
  for (long i = 0; i < n; ++i) {
    gor::go([&wg] {
      gor::sleep(std::chrono::milliseconds(1));
      wg.done();
    });
  }
  wg.wait();
  return total(ms_since(t0));
}

// idle: n goroutines parked forever on a channel receive; reports the VmRSS growth per
// goroutine. The caller prints and exits the process without unblocking them (as the peers do).
Result bench_idle(long n) {
  auto block = gor::make_chan<int>();
  gor::WaitGroup wg;
  long before = proc_status_kib("VmRSS");
  auto t0 = Clock::now();
  wg.add(n);
  for (long i = 0; i < n; ++i) {
    gor::go([block, &wg] {
      wg.done();
      block.recv();
    });
  }
  wg.wait();
  // Let the last goroutines reach the receive and park.
  for (int i = 0; i < 10; ++i) gor::yield();
  gor::sleep(std::chrono::milliseconds(20));
  double ms = ms_since(t0);
  long after = proc_status_kib("VmRSS");
  Result r{"bytes_per_task", double(after - before) * 1024.0 / double(n), ms, {}};
  r.extra = "rss_before_kib=" + std::to_string(before) + " rss_after_kib=" + std::to_string(after);
  return r;
}

// parkwake (ours only, no peer): n goroutines park on one channel receive, then close()
// wakes them all and they finish; the run then ends with nothing leaked. Reports the time
// per goroutine for the whole park-and-wake cycle and the peak RSS per goroutine.
Result bench_parkwake(long n) {
  auto gate = gor::make_chan<int>(0, "gate");
  gor::WaitGroup parked, finished;
  long before = proc_status_kib("VmRSS");
  auto t0 = Clock::now();
  parked.add(n);
  finished.add(n);
  for (long i = 0; i < n; ++i) {
    gor::go([gate, &parked, &finished] {
      parked.done();
      auto [v, ok] = gate.recv_ok();
      if (ok || v != 0) fail("parkwake: received a value from a closed channel");
      finished.done();
    });
  }
  parked.wait();
  for (int i = 0; i < 10; ++i) gor::yield();
  long peak = proc_status_kib("VmRSS");
  gate.close();
  finished.wait();
  double ms = ms_since(t0);
  Result r = per_op(ms, n);
  r.extra = "rss_before_kib=" + std::to_string(before) + " rss_parked_kib=" + std::to_string(peak) +
            " bytes_per_parked=" + std::to_string(static_cast<long>(double(peak - before) * 1024.0 / double(n)));
  return r;
}

void skynet(gor::Chan<long> c, long num, long size, long div) {
  if (size == 1) {
    c.send(num);
    return;
  }
  auto rc = gor::make_chan<long>();
  long sub = size / div;
  for (long i = 0; i < div; ++i) gor::go([rc, num, i, sub, div] { skynet(rc, num + i * sub, sub, div); });
  long sum = 0;
  for (long i = 0; i < div; ++i) sum += rc.recv();
  c.send(sum);
}

// skynet: the classic benchmark, n leaves (a power of 10), fan-out 10.
Result bench_skynet(long n) {
  auto c = gor::make_chan<long>();
  auto t0 = Clock::now();
  gor::go([c, n] { skynet(c, 0, n, 10); });
  long s = c.recv();
  double ms = ms_since(t0);
  if (s != n * (n - 1) / 2) fail("skynet: bad sum");
  Result r = total(ms);
  r.extra = "result=" + std::to_string(s);
  return r;
}

struct Workload {
  const char* name;
  Result (*fn)(long);
  long def_n;
};

constexpr Workload kWorkloads[] = {
    {"spawn", bench_spawn, 1000000},       {"pingpong", bench_pingpong, 1000000},
    {"buffered", bench_buffered, 10000000}, {"mutex", bench_mutex, 10000000},
    {"select", bench_select, 1000000},     {"workerpool", bench_workerpool, 1000000},
    {"timers", bench_timers, 100000},      {"idle", bench_idle, 1000000},
    {"skynet", bench_skynet, 1000000},     {"parkwake", bench_parkwake, 1000000},
    {"racycounter", bench_racycounter, 1000000},
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: gor_peerbench <workload> [n]\nworkloads:");
  for (const Workload& w : kWorkloads) std::fprintf(stderr, " %s(default n=%ld)", w.name, w.def_n);
  std::fprintf(stderr, "\nenv: GOMAXPROCS (default 2), GOR_STACK (stack size in bytes), GOR_TRACE=1 (tracing on), "
                       "GOR_RACE=1 (race detector on)\n");
  std::exit(2);
}

long parse_positive(const char* s) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  return (end != s && *end == '\0' && v > 0) ? v : -1;
}

void print_line(const Workload& w, long n, int threads, const Result& r) {
  std::string line = "peer=gor workload=" + std::string(w.name) + " n=" + std::to_string(n) +
                     " threads=" + std::to_string(threads) + " metric=" + r.metric + " ";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s=%.1f", r.metric.c_str(), r.value);
  line += buf;
  if (r.metric != "total_ms") {
    std::snprintf(buf, sizeof buf, " total_ms=%.1f", r.total_ms);
    line += buf;
  }
  line += " rss_kib=" + std::to_string(proc_status_kib("VmHWM"));
  if (!r.extra.empty()) line += " " + r.extra;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const Workload* w = nullptr;
  for (const Workload& x : kWorkloads)
    if (std::string_view(argv[1]) == x.name) w = &x;
  if (!w) usage();
  long n = w->def_n;
  if (argc > 2 && (n = parse_positive(argv[2])) < 0) usage();

  gor::Config cfg;
  cfg.procs = 2;
  if (const char* p = std::getenv("GOMAXPROCS"); p && *p) {
    long v = parse_positive(p);
    if (v < 0) usage();
    cfg.procs = int(v);
  }
  if (const char* s = std::getenv("GOR_STACK"); s && *s) {
    long v = parse_positive(s);
    if (v < 0) usage();
    cfg.stack_size = size_t(v);
  }

  // CountingObserver consumes events the way a live consumer would, without storing them.
  struct CountingObserver : gor::TraceObserver {
    uint64_t events = 0;
    void on_string(uint64_t, const std::string&) override {}
    void on_events(const gor::Event*, size_t count) override { events += count; }
  } counter;
  if (const char* t = std::getenv("GOR_TRACE"); t && *t == '1') {
    cfg.trace = true;
    cfg.observer = &counter;
  }

  if (const char* t = std::getenv("GOR_RACE"); t && *t == '1') cfg.race = true;

  gor::RunResult rr = gor::run(cfg, [&] {
    Result r = w->fn(n);
    print_line(*w, n, gor::gomaxprocs(), r);
    // idle leaves n goroutines parked: exit at once instead of unwinding them (as the peers do).
    if (std::string_view(w->name) == "idle") std::_Exit(0);
  });
  if (rr.status != gor::RunStatus::Ok) {
    std::fprintf(stderr, "gor_peerbench: run failed: %s\n%s\n", rr.message.c_str(), rr.dump.c_str());
    return 1;
  }
  if (rr.leaked != 0) std::fprintf(stderr, "gor_peerbench: %zu goroutines leaked\n", rr.leaked);
  if (cfg.race) std::fprintf(stderr, "race: %zu data race(s) reported\n", rr.races);
  if (const char* st = std::getenv("GOR_STATS"); st && *st == '1') {
    std::fprintf(stderr,
                 "stats: goroutines_created=%llu steals=%llu preempt_requests=%llu max_threads=%d trace_events=%llu "
                 "trace_waits=%llu\n",
                 static_cast<unsigned long long>(rr.goroutines_created), static_cast<unsigned long long>(rr.steals),
                 static_cast<unsigned long long>(rr.preempt_requests), rr.max_threads,
                 static_cast<unsigned long long>(rr.trace_events), static_cast<unsigned long long>(rr.trace_waits));
  }
  return 0;
}
