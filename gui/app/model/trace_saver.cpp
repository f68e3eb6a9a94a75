#include "model/trace_saver.hpp"

#include <QMetaObject>

#include <chrome_export.hpp>

namespace goroscope::gui {

std::shared_ptr<trace::TraceFile> snapshot_trace(const TraceStore& store, trace::TraceHeader header,
                                                 trace::TraceFooter footer) {
  auto t = std::make_shared<trace::TraceFile>();
  t->header = std::move(header);
  t->events = store.events();
  for (const auto& [id, text] : store.defined_strings()) t->strings.emplace(id, text);
  t->footer = std::move(footer);
  t->footer.events = t->events.size();
  t->footer.strings = t->strings.size();
  return t;
}

trace::TraceFooter footer_so_far(const TraceStore& store) {
  trace::TraceFooter f;
  f.goroutines_created = store.count(gor::EventKind::GoCreate);
  f.steals = store.count(gor::EventKind::Steal);
  f.preempt_requests = store.count(gor::EventKind::PreemptRequest);
  f.syscall_handoffs = store.count(gor::EventKind::Handoff);
  return f;
}

QString save_trace_file(const trace::TraceFile& t, const QString& path, SaveFormat format) {
  try {
    if (format == SaveFormat::Gortrace)
      trace::write_gortrace_file(t, path.toStdString());
    else
      trace::export_chrome_file(t, path.toStdString());
    return {};
  } catch (const std::exception& e) {  // GortraceError, or bad_alloc on a huge trace
    return QString::fromStdString(e.what());
  }
}

TraceSaver::~TraceSaver() {
  if (worker_.joinable()) worker_.join();
}

bool TraceSaver::save(std::shared_ptr<const trace::TraceFile> t, const QString& path, SaveFormat format) {
  if (busy_ || !t) return false;
  if (worker_.joinable()) worker_.join();  // finished: its result was delivered
  busy_ = true;
  worker_ = std::thread([this, t = std::move(t), path, format] {
    const QString error = save_trace_file(*t, path, format);
    const QString summary = format == SaveFormat::Gortrace
                                ? tr("%1 events written to %2").arg(t->events.size()).arg(path)
                                : tr("%1 events exported as Chrome JSON to %2 (open it in ui.perfetto.dev)")
                                      .arg(t->events.size()).arg(path);
    QMetaObject::invokeMethod(this, [this, path, error, summary] {
      busy_ = false;
      if (error.isEmpty())
        emit saved(path, summary);
      else
        emit failed(path, error);
    }, Qt::QueuedConnection);
  });
  return true;
}

}  // namespace goroscope::gui
