// goroutine_table_model.hpp — the goroutines alive in a snapshot, one row each, for a table.
#pragma once

#include <QAbstractTableModel>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <gor/control.hpp>

namespace goroscope::gui {

class TraceStore;

// GoroutineTableModel lists the goroutines of the latest snapshot, rows sorted by id.
// set_snapshot() updates it incrementally (row inserts/removals and dataChanged, never a
// model reset), so views keep their selection and scroll position from frame to frame; when
// thousands of goroutines come and go at scattered ids, one layout change replaces the runs
// of inserts and removals (persistent indexes follow their goroutine).
// Qt::UserRole (SortRole) is a raw value per column for sorting (ids and ns as integers);
// StateRole is the raw state ("running", ...) on every column, for filtering.
class GoroutineTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, Label, State, WaitReason, Object, TimeInState, CreatedAt, BlockedAt, ColumnCount };
  enum Role { SortRole = Qt::UserRole, StateRole = Qt::UserRole + 1, GoroutineRole = Qt::UserRole + 2 };

  explicit GoroutineTableModel(QObject* parent = nullptr);

  // set_snapshot() makes the rows those of `snapshot`'s goroutines; `store` supplies labels and
  // creation times the snapshot does not carry. It adds or removes at most `max_changes` rows
  // (the lowest ids first; rows of goroutines that are gone stay as they were until then) and
  // returns false if it left some for later: inserting or removing 10,000 rows at once is a
  // frame of 15-35 ms, so a view takes them over several frames.
  bool set_snapshot(const gor::Snapshot& snapshot, const TraceStore& store, size_t max_changes = SIZE_MAX);
  // clear() removes every row (one reset: for a new run, not per frame).
  void clear();

  // goroutine_at() is the id of the goroutine in `row` (0 when out of range).
  uint64_t goroutine_at(int row) const;
  // row_of() is the row of goroutine `g`, or -1.
  int row_of(uint64_t g) const;
  // time_in_state_ns() is how long the goroutine in `row` has been in its state (SortRole of
  // TimeInState without a QVariant; 0 when out of range).
  int64_t time_in_state_ns(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  // Row is one goroutine: its snapshot fields as given (compared per frame, so unchanged
  // goroutines cost no QString work) and the texts shown.
  struct Row {
    gor::GoroutineInfo raw;
    uint64_t parent = 0;
    int64_t created_ns = -1;
    QString label, state, wait_reason, object, deadlock;
    QString created_at, blocked_at;          // full engine sites (tooltip)
    QString created_short, blocked_short;    // short_site() of them (cells)
  };
  // ObjectText is a synchronisation object's name and current state, per frame.
  struct ObjectText {
    QString name, details;
  };
  void index_objects(const gor::Snapshot& s);
  QString object_text(uint64_t id) const;
  bool unchanged(const Row& r, const gor::GoroutineInfo& g, const TraceStore& store) const;
  // make_row() builds g's row; texts equal to those of `previous` (g's row so far) are its
  // QStrings again, without a lookup (a busy run changes thousands of rows per snapshot, most
  // of whose texts stay).
  Row make_row(const gor::GoroutineInfo& g, const TraceStore& store, const Row* previous = nullptr) const;
  const QString& site_text(const std::string& site) const;
  const QString& shared_text(const std::string& s) const;
  QString display(const Row& r, int column) const;
  QVariant sort_value(const Row& r, int column) const;
  QString tooltip(const Row& r) const;
  void emit_changed_runs(const std::vector<int>& rows);
  size_t count_runs(const std::vector<const gor::GoroutineInfo*>& fresh) const;
  void relayout_rows(const std::vector<const gor::GoroutineInfo*>& fresh, const TraceStore& store);
  void update_clock(int64_t now_ns);
  // kMaxRuns is how many separate runs of inserted, removed or changed rows are signalled one
  // by one; beyond it one layout change (rows) or one span (changes) is cheaper for a proxy.
  static constexpr size_t kMaxRuns = 16;

  std::vector<Row> rows_;
  int64_t now_ns_ = 0;
  std::unordered_map<uint64_t, ObjectText> objects_;    // this frame's objects by id
  std::unordered_map<uint64_t, QString> deadlocked_;    // goroutine -> deadlock description
  mutable std::unordered_map<std::string, QString> sites_;  // short_site() cache
  mutable std::unordered_map<std::string, QString> texts_;  // shared_text() cache
};

}  // namespace goroscope::gui
