// trace_loader.hpp — reads a saved .gortrace off the UI thread, for replay.
//
// load() starts a worker thread that parses the file (goroscope::trace::read_gortrace_file,
// which never trusts the file) and builds its TimelineModel; the result comes back on the
// UI thread as loaded() or failed(), never both. A load started while one is running
// replaces it (the older result is dropped). The destructor waits for the worker.
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include <gortrace_format.hpp>

#include "model/timeline_model.hpp"

namespace goroscope::gui {

// LoadedTrace is a whole trace read from `path` with its timeline already built.
struct LoadedTrace {
  QString path;
  trace::TraceFile file;
  TimelineModel timeline;
  double seconds = 0;  // wall time the worker took
};

class TraceLoader : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  ~TraceLoader() override;

  // load() starts reading `path`.
  void load(const QString& path);
  bool loading() const { return busy_; }

 signals:
  void loaded(std::shared_ptr<goroscope::gui::LoadedTrace> trace);
  // failed() carries a message for people ("gortrace: truncated file at offset 4180 ...").
  void failed(const QString& path, const QString& message);

 private:
  std::thread worker_;
  std::atomic<uint64_t> ticket_{0};
  bool busy_ = false;
};

}  // namespace goroscope::gui
