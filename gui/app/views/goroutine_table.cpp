#include "views/goroutine_table.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

#include "model/goroutine_table_model.hpp"
#include "model/selection.hpp"
#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

// GoroutineFilterProxy keeps rows whose state is the chosen one (any when empty) and one of
// whose columns contains the filter text; it sorts by GoroutineTableModel::SortRole.
// A run's 10,000 goroutines reach it in one frame: ids and times in state compare as numbers
// read straight from the model (the default lessThan builds two QVariants per comparison), and
// with no filter set every row is accepted without reading it.
class GoroutineFilterProxy : public QSortFilterProxyModel {
 public:
  explicit GoroutineFilterProxy(GoroutineTableModel* model, QObject* parent) : QSortFilterProxyModel(parent), model_(model) {
    setSourceModel(model);
  }

  void set_text(const QString& text) {
    text_ = text.trimmed();
    invalidateFilter();
  }
  void set_state(const QString& state) {
    state_ = state;
    invalidateFilter();
  }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override {
    if (state_.isEmpty() && text_.isEmpty()) return true;
    const QAbstractItemModel* m = sourceModel();
    if (!state_.isEmpty() &&
        m->data(m->index(source_row, 0, source_parent), GoroutineTableModel::StateRole).toString() != state_)
      return false;
    if (text_.isEmpty()) return true;
    for (int c = 0; c < m->columnCount(source_parent); ++c)
      if (m->data(m->index(source_row, c, source_parent)).toString().contains(text_, Qt::CaseInsensitive)) return true;
    return false;
  }

  // data() adds the views' colour of each goroutine to its id cell (the model knows no colours).
  QVariant data(const QModelIndex& index, int role) const override {
    if (role == Qt::DecorationRole && index.column() == GoroutineTableModel::Id)
      return goroutine_color(index.data(GoroutineTableModel::GoroutineRole).toULongLong());
    return QSortFilterProxyModel::data(index, role);
  }

  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override {
    if (left.column() == right.column() && sortRole() == GoroutineTableModel::SortRole) {
      if (left.column() == GoroutineTableModel::Id) return model_->goroutine_at(left.row()) < model_->goroutine_at(right.row());
      if (left.column() == GoroutineTableModel::TimeInState)
        return model_->time_in_state_ns(left.row()) < model_->time_in_state_ns(right.row());
    }
    return QSortFilterProxyModel::lessThan(left, right);
  }

 private:
  GoroutineTableModel* model_;
  QString text_;
  QString state_;
};

GoroutineTable::GoroutineTable(GoroutineSelection& selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  model_ = new GoroutineTableModel(this);
  proxy_ = new GoroutineFilterProxy(model_, this);
  proxy_->setSortRole(GoroutineTableModel::SortRole);
  proxy_->setDynamicSortFilter(true);

  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("goroutineFilter"));
  filter_->setPlaceholderText(tr("Filter goroutines (id, label, state, object, site…)"));
  filter_->setClearButtonEnabled(true);
  state_ = new QComboBox(this);
  state_->setObjectName(QStringLiteral("goroutineStateFilter"));
  state_->addItem(tr("All states"), QString());
  for (const char* s : {"running", "runnable", "waiting", "syscall"}) state_->addItem(QString::fromLatin1(s), QString::fromLatin1(s));
  state_->setToolTip(tr("Show only goroutines in this state"));
  count_ = new QLabel(this);
  count_->setForegroundRole(QPalette::PlaceholderText);

  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("goroutineTableView"));
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(GoroutineTableModel::Id, Qt::AscendingOrder);
  view_->setAlternatingRowColors(true);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->setWordWrap(false);
  view_->setShowGrid(false);
  view_->setTextElideMode(Qt::ElideRight);  // keeps "file.cpp:42" of long sites
  view_->verticalHeader()->setVisible(false);
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  // Fitting the columns measures 100 rows, not the first 1,000 of a run's 10,000 (8 columns
  // x 1,000 text layouts were a 40-50 ms frame). The horizontal header's precision is the one
  // that counts rows for a column's width.
  view_->horizontalHeader()->setResizeContentsPrecision(100);
  view_->verticalHeader()->setResizeContentsPrecision(100);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setHighlightSections(false);
  view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);

  auto* bar = new QHBoxLayout;
  bar->setSpacing(6);
  bar->addWidget(filter_, 1);
  bar->addWidget(state_);
  bar->addWidget(count_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);

  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    without_feedback([&] { proxy_->set_text(text); });
  });
  connect(state_, &QComboBox::currentIndexChanged, this, [this] {
    without_feedback([&] { proxy_->set_state(state_->currentData().toString()); });
  });
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &GoroutineTable::on_view_selection);
  connect(&selection_, &GoroutineSelection::changed, this, &GoroutineTable::follow_selection);
  update_count();
}

GoroutineTable::~GoroutineTable() = default;

void GoroutineTable::without_feedback(const std::function<void()>& change) {
  // When rows vanish under it, the view moves its current row (and with single selection,
  // the selection) to a neighbour: that is no user choice, so it must not reach the shared
  // selection. Afterwards the table shows the shared selection again.
  const bool was = syncing_;
  syncing_ = true;
  change();
  syncing_ = was;
  follow_selection(selection_.selected());
  update_count();
}

bool GoroutineTable::set_snapshot(const gor::Snapshot& snapshot, const TraceStore& store, size_t max_changes) {
  bool complete = true;
  without_feedback([&] { complete = model_->set_snapshot(snapshot, store, max_changes); });
  if (!sized_ && model_->rowCount() > 0) {
    view_->resizeColumnsToContents();
    QHeaderView* header = view_->horizontalHeader();
    const int widest = view_->fontMetrics().horizontalAdvance(QStringLiteral("G888888")) + 40;  // id + colour swatch
    header->resizeSection(GoroutineTableModel::Id, std::max(header->sectionSize(GoroutineTableModel::Id), widest));
    for (int c = GoroutineTableModel::Label; c < GoroutineTableModel::ColumnCount; ++c)
      header->resizeSection(c, std::clamp(header->sectionSize(c), 70, 300));
    // States change every frame: leave room for the longest one.
    const int state = view_->fontMetrics().horizontalAdvance(QStringLiteral("running on P88")) + 16;
    header->resizeSection(GoroutineTableModel::State, std::max(header->sectionSize(GoroutineTableModel::State), state));
    // The columns are fitted to the first rows, usually before anything blocks: leave room
    // for the objects and reasons that come later.
    const int object = view_->fontMetrics().horizontalAdvance(QStringLiteral("chan results (cap 100)")) + 16;
    header->resizeSection(GoroutineTableModel::Object, std::max(header->sectionSize(GoroutineTableModel::Object), object));
    const int reason = view_->fontMetrics().horizontalAdvance(QStringLiteral("chan receive (nil chan)")) + 16;
    header->resizeSection(GoroutineTableModel::WaitReason, std::max(header->sectionSize(GoroutineTableModel::WaitReason), reason));
    sized_ = true;
  }
  return complete;
}

void GoroutineTable::clear() {
  without_feedback([&] { model_->clear(); });
  sized_ = false;
}

void GoroutineTable::set_filter_text(const QString& text) { filter_->setText(text); }

void GoroutineTable::set_state_filter(const QString& state) {
  const int index = state.isEmpty() || state == QLatin1String("All") ? 0 : state_->findData(state);
  if (index >= 0) state_->setCurrentIndex(index);
}

void GoroutineTable::on_view_selection() {
  if (syncing_) return;
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return;  // rows vanish with their goroutine: keep the shared selection
  const uint64_t g = rows.first().data(GoroutineTableModel::GoroutineRole).toULongLong();
  if (g) selection_.select(g);
}

void GoroutineTable::follow_selection(uint64_t g) {
  QItemSelectionModel* sm = view_->selectionModel();
  const QModelIndexList rows = sm->selectedRows();
  if (!rows.isEmpty() && rows.first().data(GoroutineTableModel::GoroutineRole).toULongLong() == g) return;
  const bool was = syncing_;
  syncing_ = true;
  const int source_row = g ? model_->row_of(g) : -1;
  const QModelIndex index = source_row >= 0 ? proxy_->mapFromSource(model_->index(source_row, 0)) : QModelIndex();
  if (index.isValid()) {
    sm->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view_->scrollTo(index);
  } else {
    sm->clearSelection();
  }
  syncing_ = was;
}

void GoroutineTable::update_count() {
  const int all = model_->rowCount();
  const int shown = proxy_->rowCount();
  const QString total = all == 1 ? tr("1 goroutine") : tr("%1 goroutines").arg(all);
  count_->setText(shown == all ? total : tr("%1 of %2").arg(shown).arg(total));
}

}  // namespace goroscope::gui
