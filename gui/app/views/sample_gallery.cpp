#include "views/sample_gallery.hpp"

#include <cmath>
#include <optional>

#include "run/sample_timing.hpp"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

#include <map>

#include <goroscope/registry.hpp>

namespace goroscope::gui {

namespace {

// SearchRole is the text the search field matches: title, id, topic and summary of a sample;
// empty on topic rows, so a topic shows only when one of its samples matches.
constexpr int SearchRole = Qt::UserRole + 2;

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

SampleGallery::SampleGallery(QWidget* parent) : QWidget(parent) {
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search samples…"));
  search_->setClearButtonEnabled(true);
  search_->setObjectName(QStringLiteral("sampleSearch"));

  model_ = new QStandardItemModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setRecursiveFilteringEnabled(true);
  proxy_->setFilterRole(SearchRole);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);

  tree_ = new QTreeView(this);
  tree_->setObjectName(QStringLiteral("sampleTree"));
  tree_->setModel(proxy_);
  tree_->setHeaderHidden(true);
  tree_->setRootIsDecorated(false);
  tree_->setItemsExpandable(false);
  tree_->setUniformRowHeights(true);
  tree_->setSelectionMode(QAbstractItemView::SingleSelection);
  tree_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  tree_->setIndentation(12);
  // At least kMinRows rows in sight, however the docks share a small window's height.
  constexpr int kMinRows = 8;
  tree_->setMinimumHeight(kMinRows * (tree_->fontMetrics().height() + 4) + 2 * tree_->frameWidth());
  // And wide enough for a title ("Mutex normal and starvation mode" elided at most a little).
  setMinimumWidth(tree_->fontMetrics().averageCharWidth() * 28);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addWidget(search_);
  layout->addWidget(tree_, 1);

  populate();

  connect(search_, &QLineEdit::textChanged, this, &SampleGallery::apply_search);
  connect(search_, &QLineEdit::returnPressed, this, [this] {
    // Enter in the search field picks the first match and moves on to the list.
    QModelIndex first = first_visible_sample();
    if (!first.isValid()) return;
    const QModelIndex current = tree_->currentIndex();
    if (!current.isValid() || id_at(current).isEmpty() || !tree_->selectionModel()->isSelected(current))
      tree_->setCurrentIndex(first);
    tree_->setFocus();
  });
  connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, &SampleGallery::on_current_changed);
  connect(tree_, &QTreeView::activated, this, [this](const QModelIndex& index) {
    const QString id = id_at(index);
    if (!id.isEmpty()) emit sampleActivated(id);
  });
}

void SampleGallery::populate() {
  // Topics in the order their first sample appears in the registry; samples in registry order.
  std::map<std::string, QStandardItem*> topics;
  for (const Sample& sample : all_samples()) {
    const SampleInfo& info = sample.info;
    QStandardItem*& group = topics[info.topic];
    if (!group) {
      group = new QStandardItem(qs(info.topic));
      group->setFlags(Qt::ItemIsEnabled);
      QFont bold = group->font();
      bold.setBold(true);
      group->setFont(bold);
      group->setData(QString(), SearchRole);
      model_->appendRow(group);
    }
    auto* item = new QStandardItem(qs(info.title));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setData(qs(info.id), IdRole);
    item->setData(qs(info.title + '\n' + info.id + '\n' + info.topic + '\n' + info.summary), SearchRole);
    // How long its story plays at the pace it opens with (measured: sample_timing).
    QString plays;
    if (const std::optional<SampleTiming> t = sample_timing(info.id)) {
      const Pace pace = sample_pace(info.id);
      plays = QStringLiteral("\nPlays %1 s at %2.").arg(std::lround(pace.play_seconds(t->engine_ns, t->events))).arg(QString::fromStdString(pace.text()));
    }
    item->setToolTip(qs(info.summary) + plays);
    group->appendRow(item);
  }
  tree_->expandAll();
}

void SampleGallery::apply_search(const QString& text) {
  // The proxy moves the current row when it hides it: that is no choice of the user's, so
  // the chosen sample is put back (or left unselected while hidden) without a signal.
  filtering_ = true;
  proxy_->setFilterFixedString(text.trimmed());
  tree_->expandAll();
  const QModelIndex chosen = proxy_index_of(last_chosen_);
  if (chosen.isValid()) {
    tree_->setCurrentIndex(chosen);
    tree_->scrollTo(chosen);
  } else {
    tree_->selectionModel()->clear();
  }
  filtering_ = false;
}

void SampleGallery::set_search_text(const QString& text) { search_->setText(text); }

QString SampleGallery::id_at(const QModelIndex& proxy_index) const {
  return proxy_index.isValid() ? proxy_index.data(IdRole).toString() : QString();
}

QModelIndex SampleGallery::proxy_index_of(const QString& id) const {
  for (int t = 0; t < model_->rowCount(); ++t) {
    QStandardItem* group = model_->item(t);
    for (int r = 0; r < group->rowCount(); ++r)
      if (group->child(r)->data(IdRole).toString() == id) return proxy_->mapFromSource(group->child(r)->index());
  }
  return {};
}

QModelIndex SampleGallery::first_visible_sample() const {
  for (int t = 0; t < proxy_->rowCount(); ++t) {
    QModelIndex group = proxy_->index(t, 0);
    if (proxy_->rowCount(group) > 0) return proxy_->index(0, 0, group);
  }
  return {};
}

QStringList SampleGallery::visible_samples() const {
  QStringList ids;
  for (int t = 0; t < proxy_->rowCount(); ++t) {
    QModelIndex group = proxy_->index(t, 0);
    for (int r = 0; r < proxy_->rowCount(group); ++r) ids << id_at(proxy_->index(r, 0, group));
  }
  return ids;
}

void SampleGallery::select_sample(const QString& id) {
  if (!find_sample(id.toStdString())) return;
  QModelIndex index = proxy_index_of(id);
  if (!index.isValid()) {  // hidden by the search
    search_->clear();
    index = proxy_index_of(id);
  }
  tree_->setCurrentIndex(index);
  tree_->scrollTo(index);
}

QString SampleGallery::selected_sample() const {
  const QModelIndexList rows = tree_->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : id_at(rows.first());
}

void SampleGallery::on_current_changed() {
  if (filtering_) return;
  const QString id = id_at(tree_->currentIndex());
  if (id.isEmpty() || id == last_chosen_) return;
  last_chosen_ = id;
  emit sampleChosen(id);
}

}  // namespace goroscope::gui
