// trace_saver.hpp — File > Save trace and File > Export Chrome JSON: a run (live, finished or
// replayed) written off the UI thread.
//
// snapshot_trace() copies what the store holds into a TraceFile on the UI thread (a plain copy
// of the events and strings, so the run may go on while it is written); TraceSaver::save()
// then writes it on a worker thread with gui/trace's writers (write_gortrace_file,
// export_chrome_file) and reports back on the UI thread as saved() or failed(), never both.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <thread>

#include <gortrace_format.hpp>

#include "model/trace_store.hpp"

namespace goroscope::gui {

// SaveFormat is what a save writes: a .gortrace file or Chrome Trace Event JSON (Perfetto).
enum class SaveFormat { Gortrace, ChromeJson };

// snapshot_trace() is the store's events and defined strings with `header` and `footer`
// (the footer's event and string counts are set to what the copy holds).
std::shared_ptr<trace::TraceFile> snapshot_trace(const TraceStore& store, trace::TraceHeader header,
                                                 trace::TraceFooter footer);

// footer_so_far() is a footer for a run that has not ended (or whose result is unknown): status
// Ok and the counters the events tell (goroutines created, steals, preemption requests, handoffs).
trace::TraceFooter footer_so_far(const TraceStore& store);

// save_trace_file() writes `t` to `path` in `format` now, on the calling thread. Returns "" on
// success, else a message for people ("gortrace: cannot create '/x/y.json': Permission denied").
// Never throws.
QString save_trace_file(const trace::TraceFile& t, const QString& path, SaveFormat format);

// TraceSaver writes one trace at a time on a worker thread. The destructor waits for it.
class TraceSaver : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  ~TraceSaver() override;

  // save() starts writing `t` to `path`; false (nothing started) while another save is going.
  bool save(std::shared_ptr<const trace::TraceFile> t, const QString& path, SaveFormat format);
  bool saving() const { return busy_; }

 signals:
  // saved() says what was written ("1234 events written to x.gortrace").
  void saved(const QString& path, const QString& summary);
  void failed(const QString& path, const QString& message);

 private:
  std::thread worker_;
  bool busy_ = false;
};

}  // namespace goroscope::gui
