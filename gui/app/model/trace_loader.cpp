#include "model/trace_loader.hpp"

#include <QMetaObject>

#include <chrono>

namespace goroscope::gui {

TraceLoader::~TraceLoader() {
  ++ticket_;  // nothing is delivered any more
  if (worker_.joinable()) worker_.join();
}

void TraceLoader::load(const QString& path) {
  if (worker_.joinable()) worker_.join();  // the previous file is read to its end, then dropped
  const uint64_t ticket = ++ticket_;
  busy_ = true;
  worker_ = std::thread([this, ticket, path] {
    const auto start = std::chrono::steady_clock::now();
    auto result = std::make_shared<LoadedTrace>();
    result->path = path;
    QString error;
    try {
      result->file = trace::read_gortrace_file(path.toStdString());
      result->timeline.append(result->file.events.data(), result->file.events.size());
    } catch (const std::exception& e) {  // GortraceError, or bad_alloc on a huge file
      error = QString::fromStdString(e.what());
    }
    result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (ticket != ticket_) return;
    // Queued to the UI thread; dropped there if a newer load began or the loader is gone.
    QMetaObject::invokeMethod(this, [this, ticket, result, error, path] {
      if (ticket != ticket_) return;
      busy_ = false;
      if (error.isEmpty())
        emit loaded(result);
      else
        emit failed(path, error);
    }, Qt::QueuedConnection);
  });
}

}  // namespace goroscope::gui
