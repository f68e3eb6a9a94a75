// micro_bench: Google Benchmark microbenchmarks of the gor engine's primitives.
//
// Each benchmark runs its measuring loop inside the main goroutine of one gor::run
// (procs from the environment variable GOMAXPROCS, default 2). The loop may move between
// OS threads (Ms), so times are wall-clock (UseRealTime) and CPU time is the process's
// (MeasureProcessCPUTime): with P = 2 the CPU column can exceed the real one when both Ps
// are busy (or spinning while looking for work).
//
//   gor_micro_bench --benchmark_min_time=0.1
#include <benchmark/benchmark.h>

#include <gor/gor.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace {

int procs_from_env() {
  if (const char* p = std::getenv("GOMAXPROCS"); p && *p) {
    int v = std::atoi(p);
    if (v > 0) return v;
  }
  return 2;
}

// in_run() runs body as the main goroutine of a fresh run and fails the benchmark if the run
// does not end cleanly.
void in_run(benchmark::State& state, const std::function<void()>& body) {
  gor::Config cfg;
  cfg.procs = procs_from_env();
  gor::RunResult r = gor::run(cfg, body);
  if (r.status != gor::RunStatus::Ok) state.SkipWithError(r.message.c_str());
  else if (r.leaked != 0) state.SkipWithError("goroutines leaked");
}

// Spawn k goroutines that each call wg.done(), then wait for them. Per goroutine.
void BM_SpawnWait(benchmark::State& state) {
  const int64_t k = state.range(0);
  in_run(state, [&] {
    for (auto _ : state) {
      gor::WaitGroup wg;
      wg.add(k);
      for (int64_t i = 0; i < k; ++i) gor::go([&wg] { wg.done(); });
      wg.wait();
    }
  });
  state.SetItemsProcessed(state.iterations() * k);
}

// Round trip over two unbuffered channels: main sends on ping, an echo goroutine answers on pong.
void BM_ChanPingPong(benchmark::State& state) {
  in_run(state, [&] {
    auto ping = gor::make_chan<int>();
    auto pong = gor::make_chan<int>();
    gor::go([ping, pong] {
      for (int v : ping) pong.send(v + 1);
      pong.close();
    });
    int v = 0;
    for (auto _ : state) {
      ping.send(v);
      v = pong.recv();
    }
    benchmark::DoNotOptimize(v);
    ping.close();
    pong.recv();  // the echo goroutine is done
  });
  state.SetItemsProcessed(state.iterations());
}

// Send then receive on a buffered channel in one goroutine: the lock-and-copy fast path,
// no parking.
void BM_BufferedChanSendRecv(benchmark::State& state) {
  in_run(state, [&] {
    auto ch = gor::make_chan<int64_t>(128);
    int64_t s = 0;
    for (auto _ : state) {
      ch.send(1);
      s += ch.recv();
    }
    benchmark::DoNotOptimize(s);
  });
  state.SetItemsProcessed(state.iterations());
}

// One producer (main) and one consumer on a channel of capacity 128. Per item.
void BM_BufferedChanProducerConsumer(benchmark::State& state) {
  in_run(state, [&] {
    auto ch = gor::make_chan<int64_t>(128);
    auto done = gor::make_chan<int64_t>();
    gor::go([ch, done] {
      int64_t s = 0;
      for (int64_t v : ch) s += v;
      done.send(s);
    });
    for (auto _ : state) ch.send(1);
    ch.close();
    benchmark::DoNotOptimize(done.recv());
  });
  state.SetItemsProcessed(state.iterations());
}

// lock + unlock of a Mutex no one else touches (one CAS each).
void BM_MutexUncontended(benchmark::State& state) {
  in_run(state, [&] {
    gor::Mutex mu;
    int64_t counter = 0;
    for (auto _ : state) {
      mu.lock();
      ++counter;
      mu.unlock();
    }
    benchmark::DoNotOptimize(counter);
  });
  state.SetItemsProcessed(state.iterations());
}

// k goroutines each do 1000 lock/counter++/unlock on one Mutex; main waits. Per lock+unlock
// (includes starting the k goroutines: k per k*1000 ops).
void BM_MutexContended(benchmark::State& state) {
  const int64_t k = state.range(0);
  constexpr int64_t kOps = 1000;
  in_run(state, [&] {
    gor::Mutex mu;
    int64_t counter = 0;
    for (auto _ : state) {
      gor::WaitGroup wg;
      wg.add(k);
      for (int64_t g = 0; g < k; ++g) {
        gor::go([&] {
          for (int64_t i = 0; i < kOps; ++i) {
            mu.lock();
            ++counter;
            mu.unlock();
          }
          wg.done();
        });
      }
      wg.wait();
    }
    benchmark::DoNotOptimize(counter);
  });
  state.SetItemsProcessed(state.iterations() * k * kOps);
}

// select over 4 empty channels with a default case: the polling cost (lock all, unlock all).
void BM_SelectDefault4(benchmark::State& state) {
  in_run(state, [&] {
    gor::Chan<int> cs[4];
    for (auto& c : cs) c = gor::make_chan<int>(1);
    int64_t defaults = 0;
    for (auto _ : state) {
      int i = gor::select(gor::on_recv(cs[0]), gor::on_recv(cs[1]), gor::on_recv(cs[2]), gor::on_recv(cs[3]),
                          gor::on_default());
      defaults += (i == 4);
    }
    if (defaults != static_cast<int64_t>(state.iterations())) std::abort();
  });
  state.SetItemsProcessed(state.iterations());
}

// select over 2 buffered channels, one of which has a value: the ready path without parking.
void BM_SelectReady2(benchmark::State& state) {
  in_run(state, [&] {
    auto a = gor::make_chan<int>(1);
    auto b = gor::make_chan<int>(1);
    int64_t s = 0;
    for (auto _ : state) {
      a.send(1);
      gor::select(gor::on_recv(a, [&](int v) { s += v; }), gor::on_recv(b, [&](int v) { s += v; }));
    }
    benchmark::DoNotOptimize(s);
  });
  state.SetItemsProcessed(state.iterations());
}

// Main selects over 4 unbuffered channels, each fed by its own producer (the peers' select
// workload). Per receive; the producers are stopped through a done channel at the end.
void BM_SelectRecv4Producers(benchmark::State& state) {
  in_run(state, [&] {
    gor::Chan<int> cs[4];
    for (auto& c : cs) c = gor::make_chan<int>();
    auto done = gor::make_chan<int>();
    gor::WaitGroup wg;
    wg.add(4);
    for (auto& c : cs) {
      gor::go([c, done, &wg] {
        bool more = true;
        while (more) gor::select(gor::on_send(c, 1), gor::on_recv(done, [&](int) { more = false; }));
        wg.done();
      });
    }
    int64_t s = 0;
    auto add = [&s](int v) { s += v; };
    for (auto _ : state) {
      gor::select(gor::on_recv(cs[0], add), gor::on_recv(cs[1], add), gor::on_recv(cs[2], add),
                  gor::on_recv(cs[3], add));
    }
    done.close();
    wg.wait();
    benchmark::DoNotOptimize(s);
  });
  state.SetItemsProcessed(state.iterations());
}

// yield(): the goroutine goes to the global run queue and is picked again.
void BM_Yield(benchmark::State& state) {
  in_run(state, [&] {
    for (auto _ : state) gor::yield();
  });
  state.SetItemsProcessed(state.iterations());
}

#define GOR_BENCH(fn) BENCHMARK(fn)->UseRealTime()->MeasureProcessCPUTime()
GOR_BENCH(BM_SpawnWait)->Arg(1)->Arg(100);
GOR_BENCH(BM_ChanPingPong);
GOR_BENCH(BM_BufferedChanSendRecv);
GOR_BENCH(BM_BufferedChanProducerConsumer);
GOR_BENCH(BM_MutexUncontended);
GOR_BENCH(BM_MutexContended)->Arg(2)->Arg(8);
GOR_BENCH(BM_SelectDefault4);
GOR_BENCH(BM_SelectReady2);
GOR_BENCH(BM_SelectRecv4Producers);
GOR_BENCH(BM_Yield);

}  // namespace

BENCHMARK_MAIN();
