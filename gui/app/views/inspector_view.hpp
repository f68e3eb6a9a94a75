// inspector_view.hpp — everything about the selected goroutine: state, wait, family, history.
#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

#include <gor/control.hpp>
#include <gor/trace.hpp>

class QLabel;
class QTextBrowser;

namespace goroscope::gui {

class GoroutineSelection;
class TraceStore;

// InspectorView describes the goroutine selected in the shared GoroutineSelection: a header
// in its colour ("Goroutine G3 · label"), its state (and P/M when running), what it waits for
// (wait reason, object, how long), who created it and where, its children, where it blocked,
// when it ended, and its latest events (newest first). Goroutine names are links that select
// that goroutine. With nothing selected it shows a hint.
class InspectorView : public QWidget {
  Q_OBJECT
 public:
  explicit InspectorView(GoroutineSelection& selection, QWidget* parent = nullptr);

  // set_data() gives the latest state: `snapshot` may be null (no live run); `store` is the
  // run's history and must outlive this view or the next set_data() call. The snapshot is
  // copied. Cheap to call every frame: text is rebuilt only when what it shows changed.
  void set_data(const gor::Snapshot* snapshot, const TraceStore& store);
  // set_data() with a shared snapshot keeps a reference instead of copying it (a copy costs
  // ~2 ms per frame with 10000 goroutines).
  void set_data(std::shared_ptr<const gor::Snapshot> snapshot, const TraceStore& store);
  // clear() forgets the data (a new run starts); the selection is kept.
  void clear();

  // text() is what the view shows, as plain text (tests, copying).
  QString text() const;
  // open_link() follows a link of the view ("goroutine:12" selects G12); false if not ours.
  bool open_link(const QString& link);
  // rebuild_count() is how many times the details were re-rendered (tests of the caching).
  int rebuild_count() const { return rebuilds_; }

 signals:
  // siteActivated() reports a click on a source site ("samples/x.cpp:30 in ..."), for the Source pane.
  void siteActivated(const QString& site);
  // snapshotChanged() reports the state the view now shows (null: none), for views that follow it.
  void snapshotChanged(std::shared_ptr<const gor::Snapshot> snapshot);

 private:
  void refresh();
  QString header_html(uint64_t g, const QString& label) const;
  QString details_html(uint64_t g) const;
  QString events_html(uint64_t g, const std::vector<gor::Event>& events) const;

  GoroutineSelection& selection_;
  const TraceStore* store_ = nullptr;
  std::shared_ptr<const gor::Snapshot> snapshot_;
  std::shared_ptr<gor::Snapshot> own_;  // the copy made by set_data(const Snapshot*), reused
  QLabel* header_ = nullptr;
  QLabel* details_ = nullptr;
  QLabel* hint_ = nullptr;
  QLabel* events_caption_ = nullptr;
  QTextBrowser* events_ = nullptr;
  // What was rendered last, to skip identical rebuilds.
  QString shown_header_, shown_details_;
  QString header_plain_;  // the header as plain text ("Goroutine G3 · label")
  uint64_t shown_g_ = 0;
  uint64_t shown_generation_ = ~uint64_t{0};
  std::vector<gor::Event> shown_events_;
  int rebuilds_ = 0;
};

}  // namespace goroscope::gui
