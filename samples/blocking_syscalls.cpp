// blocking_syscalls.cpp — goroutines blocked in system calls: the runtime hands their P to
// another thread so the rest of the program keeps running.
//
//   for c := range callers { go func() { for range calls { syscall.Read(slowFd, buf) } }() }
//   go func() { for !done { counter++; time.Sleep(tick) } }()   // a heartbeat that must not stall
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

void blocking_syscalls_main(const SampleParams& p, SampleOutcome& out) {
  const int callers = static_cast<int>(p.get_int("callers"));
  const int64_t calls = p.get_int("calls");
  const gor::Duration call = std::chrono::milliseconds(p.get_int("call-ms"));
  const int procs = gor::gomaxprocs();

  std::atomic<int> in_syscall{0};
  std::atomic<int> most_in_syscall{0};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> beats_during_calls{0};
  int64_t beats = 0;  // written by the heartbeat only, read after it ended
  gor::WaitGroup callers_done{"callers_done"};
  gor::WaitGroup heart_done{"heart_done"};

  heart_done.add(1);
  gor::go_named("heartbeat", [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      ++beats;
      if (in_syscall.load(std::memory_order_relaxed) > 0) beats_during_calls.fetch_add(1, std::memory_order_relaxed);
      gor::sleep(2ms);
    }
    heart_done.done();
  });

  gor::log("callers enter blocking calls");
  for (int c = 1; c <= callers; ++c) {
    callers_done.add(1);
    gor::go_named("caller " + std::to_string(c), [&] {
      for (int64_t i = 0; i < calls; ++i) {
        const gor::TimePoint until = gor::now() + call;
        const bool modelled = gor::deterministic();  // virtual time: the call takes `call` of it
        gor::syscall([&] {
          // The blocking call: this OS thread sleeps and runs no goroutine. The loop keeps the
          // duration in engine time, so it stretches with the dilation like everything else.
          const int now = in_syscall.fetch_add(1, std::memory_order_relaxed) + 1;
          int seen = most_in_syscall.load(std::memory_order_relaxed);
          while (now > seen && !most_in_syscall.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
          }
          while (!modelled && gor::now() < until) std::this_thread::sleep_for(1ms);
          in_syscall.fetch_sub(1, std::memory_order_relaxed);
        }, call);
      }
      callers_done.done();
    });
  }
  callers_done.wait();
  gor::log("all calls returned");
  stop.store(true, std::memory_order_relaxed);
  heart_done.wait();

  out.say(callers, " goroutines made ", calls, " blocking calls of ", std::chrono::duration_cast<std::chrono::milliseconds>(call).count(),
          " ms each, GOMAXPROCS ", procs);
  out.say("at most ", most_in_syscall.load(), " goroutines were in a system call at once");
  out.say("the heartbeat ticked ", beats, " times, ", beats_during_calls.load(), " of them while calls were blocked");
  out.set("callers", callers);
  out.set("calls", static_cast<double>(calls) * callers);
  out.set("most_in_syscall", most_in_syscall.load());
  out.set("beats", static_cast<double>(beats));
  out.set("beats_during_calls", static_cast<double>(beats_during_calls.load()));
  out.set("procs", procs);
}

}  // namespace

Sample blocking_syscalls() {
  SampleInfo info;
  info.id = "blocking-syscalls";
  info.title = "Blocking system calls";
  info.topic = "Scheduler";
  info.summary = "Goroutines blocked in system calls hand their P to another thread: more threads than Ps, and the rest of the program keeps running.";
  info.explanation =
      "A few goroutines make blocking system calls (here a thread sleep inside gor::syscall, "
      "standing for a slow read or a cgo call) while a heartbeat goroutine ticks every 2 ms. With "
      "the default two Ps, four callers are more than there are Ps.\n\n"
      "What to watch: a goroutine entering a system call keeps its P at first (short calls cost "
      "nothing extra). When sysmon sees the P stuck in a call for a whole tick (about 20 us) it "
      "retakes it and hands it to another OS thread (a `handoff` event), starting a new M if none "
      "is idle. That thread runs the next goroutine, which may block in its own call, and so on: "
      "the number of threads grows past GOMAXPROCS while the heartbeat keeps ticking. When a call "
      "returns, its goroutine tries to get a P back; if none is free it queues for one and its "
      "thread goes idle.\n\n"
      "Under the hood GOMAXPROCS limits the threads running Go code, not the threads: a thread in "
      "a system call holds no P. Go does the same for real syscalls and cgo calls; network I/O "
      "avoids it with the netpoller, which parks the goroutine instead of blocking a thread.\n\n"
      "The pitfall is blocking without telling the runtime: a C++ call that blocks outside "
      "gor::syscall (or a Go program blocking in a way the runtime cannot see) holds its P, and "
      "with GOMAXPROCS 1 the whole program stops. Wrap blocking calls in gor::syscall; also beware "
      "thousands of goroutines in blocking calls: each one pins a thread.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      int_param("callers", "Callers", "Goroutines making blocking calls.", 4, 1, 64),
      int_param("calls", "Calls", "Blocking calls per goroutine.", 3, 1, 1000),
      int_param("call-ms", "Call (ms)", "How long each call blocks (engine ms).", 50, 1, 10000),
  };
  info.after_run = [](const gor::RunResult& r, SampleOutcome& out) {
    out.say("P handoffs from blocked system calls: ", r.syscall_handoffs, "; OS threads at most: ", r.max_threads,
            " for ", out.has("procs") ? out.metric("procs") : 0, " Ps (a thread blocked in a call holds no P)");
    out.set("syscall_handoffs", static_cast<double>(r.syscall_handoffs));
    out.set("max_threads", static_cast<double>(r.max_threads));
  };
  return Sample{std::move(info), blocking_syscalls_main};
}

}  // namespace goroscope::samples
