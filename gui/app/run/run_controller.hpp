// run_controller.hpp — one sample run on worker threads, delivered to the UI in frames.
//
// Threads: the engine's own threads run the sample (started from a runner thread, which
// blocks in gor::run); the engine's drain thread calls our TraceObserver, which only appends
// to a pending buffer under a mutex; a control thread executes pause/step/resume/stop/
// set_procs and takes snapshots every `snapshot_interval` (RunControl calls may block up to
// a second while the world stops — never on the UI thread). The UI thread's frame timer swaps
// the pending buffer out once per frame (copied values, one signal per frame, never one per
// event) into the TraceStore.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <gor/control.hpp>
#include <gor/trace.hpp>

#include "model/trace_store.hpp"
#include "run/run_spec.hpp"

namespace goroscope::gui {

// thread_cpu_us() is the calling thread's CPU time in microseconds (benchmarks).
int64_t thread_cpu_us();

// RunController owns at most one run at a time. All public methods are for the UI thread.
class RunController : public QObject {
  Q_OBJECT
 public:
  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;  // stops a run in progress and joins every thread

  // start() begins a run of `spec`; false (with a user-facing `error`) for an unknown sample,
  // a bad parameter or a run already in progress.
  bool start(const RunSpec& spec, QString* error);
  // stop() asks the run to end (every goroutine unwound); finished() follows.
  void stop();
  void pause();
  void resume();
  // step() runs n scheduling events (goroutine starts) and pauses again.
  void step(int n = 1);
  void set_dilation(double k);
  void set_procs(int n);
  void set_breakpoints(const BreakpointSet& b);
  // set_snapshot_interval() sets how often a running run is sampled for the live views
  // (at least every 100 ms while it has more than kManyGoroutines goroutines).
  void set_snapshot_interval(std::chrono::milliseconds d) { snapshot_interval_ms_ = static_cast<int>(d.count()); }

  bool running() const { return running_; }
  // deterministic() says whether the current (or last) run is deterministic (RunSpec::deterministic).
  bool deterministic() const { return deterministic_; }
  // seed() is the seed the current (or last) run uses: the spec's, or one picked at start when it was 0.
  uint64_t seed() const { return seed_; }
  bool paused() const { return paused_; }
  double dilation() const { return dilation_; }
  int procs() const { return procs_; }
  const RunSpec& spec() const { return spec_; }
  TraceStore& store() { return store_; }
  const TraceStore& store() const { return store_; }
  // snapshot() is the latest snapshot of the run (the last one taken before it ended, after),
  // or null. Shared and immutable: views keep it instead of copying it.
  const std::shared_ptr<const gor::Snapshot>& snapshot() const { return snapshot_; }
  // held_goroutine() is the goroutine whose panic the run is held at (a panic breakpoint), or 0.
  uint64_t held_goroutine() const { return held_goroutine_.load(); }
  // events_per_second() is the recent event rate (engine events delivered per wall second).
  double events_per_second() const { return events_per_second_; }
  // last_delivery_us() is how long the last deliver_pending() took on the UI thread, the
  // views' updates (slots of frame()) included (benchmarks).
  int64_t last_delivery_us() const { return last_delivery_us_; }
  // last_delivery_cpu_us() is the UI thread's CPU time in it (wall time minus waiting for a
  // core on a loaded machine).
  int64_t last_delivery_cpu_us() const { return last_delivery_cpu_us_; }
  // deliver_pending() moves what the engine produced since the last frame into the store now
  // (the frame timer does this every 16 ms; tests call it directly): at most
  // kMaxEventsPerFrame of it. Returns true if anything came.
  bool deliver_pending();
  // kMaxEventsPerFrame is how many events one frame stores at most (~2-4 ms of the UI thread).
  static constexpr size_t kMaxEventsPerFrame = 150'000;

 signals:
  void started();
  // frame() follows every delivery: the store grew and/or a new snapshot arrived.
  void frame(bool new_snapshot);
  void pausedChanged(bool paused);
  // breakpointHit() says why the run paused by itself.
  void breakpointHit(const QString& reason);
  void finished(const goroscope::gui::RunOutcome& outcome);
  // controlFailed() reports a control request the engine could not honour (e.g. a goroutine
  // that never reaches a scheduling point kept a pause from completing).
  void controlFailed(const QString& message);

 private:
  class Observer;
  struct Command {
    enum Kind { Pause, Resume, Step, Stop, Dilation, Procs, Snapshot, Breakpoint } kind;
    double value = 0;
    QString reason;
  };

  void post(Command c);
  void control_loop();
  void take_snapshot(bool force);
  void on_run_finished(RunOutcome outcome);
  // finish_when_drained() ends the run (finished()) once every event is in the store.
  void finish_when_drained();
  bool drained() const;
  void join_threads();

  TraceStore store_;
  std::vector<gor::Event> batch_;  // events taken from the engine, its capacity reused (UI thread)
  size_t batch_taken_ = 0;         // batch_[0, batch_taken_) are in the store
  std::optional<RunOutcome> finishing_;  // the run ended; finished() once the store has it all
  std::shared_ptr<const gor::Snapshot> snapshot_;
  RunSpec spec_;
  bool running_ = false;
  bool paused_ = false;
  double dilation_ = 1;
  int procs_ = 0;
  double events_per_second_ = 0;
  int64_t last_delivery_us_ = 0;
  int64_t last_delivery_cpu_us_ = 0;
  std::chrono::steady_clock::time_point rate_since_{};
  size_t rate_events_ = 0;
  QTimer frame_timer_;

  std::unique_ptr<Observer> observer_;
  gor::RunControl control_;
  std::thread runner_;
  std::thread controller_;
  std::atomic<int> snapshot_interval_ms_{50};
  // Past kManyGoroutines live goroutines, snapshots come at most every 100 ms.
  static constexpr size_t kManyGoroutines = 2000;
  size_t last_snapshot_goroutines_ = 0;  // control thread only
  std::atomic<bool> run_done_{false};
  bool deterministic_ = false;  // set by start() before any thread runs; read-only while a run goes (under mu_ for the observer)
  uint64_t seed_ = 0;
  bool held_reported_ = false;  // control thread: the held ending was reported (set by start())
  std::atomic<uint64_t> held_goroutine_{0};  // the panicking goroutine of a held ending
  std::atomic<double> dilation_now_{1};  // the run's slow motion, for the control thread

  // Shared with the control thread and the observer (drain thread), under mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Command> commands_;
  bool control_exit_ = false;
  bool engine_paused_ = false;  // control thread's view: paused by a command or breakpoint
  std::shared_ptr<const gor::Snapshot> pending_snapshot_;
  std::vector<std::shared_ptr<const gor::Snapshot>> retired_snapshots_;  // replaced ones, freed by the control thread
  std::vector<QString> pending_breaks_;
  std::vector<QString> pending_failures_;
  std::optional<bool> pending_paused_;
  BreakpointSet breakpoints_;
};

}  // namespace goroscope::gui
