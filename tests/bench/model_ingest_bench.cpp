// model_ingest_bench — what each per-event model of the desktop app costs per event.
//
//   model_ingest_bench FILE.gortrace [BATCH]
//
// Feeds a recorded trace to the models the UI thread keeps up to date while a run is live,
// in batches of BATCH events (default 50,000: one frame of a run at 3M events/s), as the frame
// timer does, and prints each model's time per event: TraceStore::append_copy (storage plus
// per-goroutine records and recent events), TimelineModel::append and ChartData::append.
// Record a busy trace first, e.g.:
//   goroscope-cli run worker-pool --procs 2 --param workers=10000 --param jobs=1000000
//                 --param buffer=100 --trace /tmp/wp.gortrace
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "gortrace_format.hpp"
#include "model/chart_data.hpp"
#include "model/timeline_model.hpp"
#include "model/trace_store.hpp"

using namespace goroscope::gui;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: model_ingest_bench FILE.gortrace [BATCH]\n");
    return 2;
  }
  const size_t batch = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 50000;
  if (batch == 0) {
    std::fprintf(stderr, "model_ingest_bench: BATCH must be a positive number\n");
    return 2;
  }
  goroscope::trace::TraceFile file;
  try {
    file = goroscope::trace::read_gortrace_file(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_ingest_bench: %s\n", e.what());
    return 1;
  }
  const std::vector<gor::Event>& events = file.events;
  TraceStore store;
  for (const auto& [id, text] : file.strings) store.add_string(id, text);
  TimelineModel timeline;
  ChartData charts;
  std::vector<gor::Event> buffer;
  double store_ns = 0, timeline_ns = 0, charts_ns = 0, worst_ms = 0;
  auto ns = [](Clock::duration d) { return std::chrono::duration<double, std::nano>(d).count(); };
  for (size_t at = 0; at < events.size(); at += batch) {
    const size_t n = std::min(batch, events.size() - at);
    buffer.assign(events.begin() + static_cast<std::ptrdiff_t>(at), events.begin() + static_cast<std::ptrdiff_t>(at + n));
    const auto t0 = Clock::now();
    store.append_copy(buffer.data(), n);
    const auto t1 = Clock::now();
    timeline.sync(store.events(), store.end_ns());
    const auto t2 = Clock::now();
    charts.sync(store.events(), store.end_ns());
    const auto t3 = Clock::now();
    store_ns += ns(t1 - t0);
    timeline_ns += ns(t2 - t1);
    charts_ns += ns(t3 - t2);
    worst_ms = std::max(worst_ms, ns(t3 - t0) / 1e6);
  }
  const double count = static_cast<double>(events.size());
  std::printf("%zu events in batches of %zu\n", events.size(), batch);
  std::printf("  TraceStore::append_copy  %6.1f ns/event\n", store_ns / count);
  std::printf("  TimelineModel::append    %6.1f ns/event\n", timeline_ns / count);
  std::printf("  ChartData::append        %6.1f ns/event\n", charts_ns / count);
  std::printf("  all three                %6.1f ns/event, slowest batch %.1f ms\n",
              (store_ns + timeline_ns + charts_ns) / count, worst_ms);
  return 0;
}
