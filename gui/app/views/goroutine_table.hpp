// goroutine_table.hpp — the live goroutines as a sortable, filterable table.
#pragma once

#include <QWidget>

#include <cstdint>
#include <functional>

#include <gor/control.hpp>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace goroscope::gui {

class GoroutineSelection;
class GoroutineTableModel;
class GoroutineFilterProxy;
class TraceStore;

// GoroutineTable shows a GoroutineTableModel through a sorting, filtering proxy: a text filter
// (matches any column, case-insensitive) and a state filter (All, running, runnable, waiting,
// syscall). Selecting a row selects that goroutine in the shared GoroutineSelection; a
// selection made elsewhere selects and scrolls to its row (no signal loops either way).
class GoroutineTable : public QWidget {
  Q_OBJECT
 public:
  explicit GoroutineTable(GoroutineSelection& selection, QWidget* parent = nullptr);
  ~GoroutineTable() override;

  // set_snapshot() shows `snapshot`'s goroutines (incremental: selection and scroll survive),
  // adding or removing at most `max_changes` rows; false if some are left for the next call.
  bool set_snapshot(const gor::Snapshot& snapshot, const TraceStore& store, size_t max_changes = SIZE_MAX);
  // clear() empties the table (for a new run).
  void clear();

  // model() is the source model (rows by id); view() the table, for tests and the window.
  GoroutineTableModel& model() { return *model_; }
  QTableView* view() const { return view_; }
  // set_filter_text() and set_state_filter() set the filters as if the user had (state: "" or
  // "All" for every state, else "running", "runnable", "waiting", "syscall").
  void set_filter_text(const QString& text);
  void set_state_filter(const QString& state);

 private:
  void without_feedback(const std::function<void()>& change);
  void on_view_selection();
  void follow_selection(uint64_t g);
  void update_count();

  GoroutineSelection& selection_;
  GoroutineTableModel* model_ = nullptr;
  GoroutineFilterProxy* proxy_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QComboBox* state_ = nullptr;
  QLabel* count_ = nullptr;
  QTableView* view_ = nullptr;
  bool syncing_ = false;   // true while this table moves its own selection
  bool sized_ = false;     // columns were fitted to the first rows of this run
};

}  // namespace goroscope::gui
