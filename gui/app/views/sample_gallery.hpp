// sample_gallery.hpp — the list of samples to pick from: a search field over a tree by topic.
#pragma once

#include <QString>
#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace goroscope::gui {

// SampleGallery shows every registered sample grouped by topic, in registry order, with a
// search field that keeps only samples whose title, id, topic or summary contain the text
// (case-insensitive). Topic groups stay expanded; a sample's summary is its tooltip.
// Filtering never changes the chosen sample: it stays selected while the search shows it and
// unselected (but still chosen, emitting nothing) while the search hides it; only a click,
// Enter or select_sample() chooses another.
class SampleGallery : public QWidget {
  Q_OBJECT
 public:
  // IdRole is the item data holding a sample's id (empty on topic rows).
  static constexpr int IdRole = Qt::UserRole + 1;

  explicit SampleGallery(QWidget* parent = nullptr);

  // select_sample() makes sample `id` current (clearing the search if it hides it); an unknown
  // id changes nothing. Emits sampleChosen() if the selection changed.
  void select_sample(const QString& id);
  // selected_sample() is the id of the selected sample ("" if none).
  QString selected_sample() const;
  // chosen_sample() is the id of the sample last chosen (sampleChosen()), shown or hidden by
  // the search ("" before any choice).
  QString chosen_sample() const { return last_chosen_; }
  // set_search_text() fills the search field (as if typed).
  void set_search_text(const QString& text);
  // visible_samples() is the ids shown under the current search, in display order.
  QStringList visible_samples() const;

 signals:
  // sampleChosen() says the selection moved to sample `id` (by the user or select_sample()).
  void sampleChosen(const QString& id);
  // sampleActivated() says the user asked to run sample `id` (double-click or Enter).
  void sampleActivated(const QString& id);

 private:
  void populate();
  void apply_search(const QString& text);
  void on_current_changed();
  QString id_at(const QModelIndex& proxy_index) const;
  QModelIndex proxy_index_of(const QString& id) const;
  QModelIndex first_visible_sample() const;

  QLineEdit* search_ = nullptr;
  QTreeView* tree_ = nullptr;
  QStandardItemModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QString last_chosen_;
  bool filtering_ = false;  // apply_search() is moving the current row: not the user's choice
};

}  // namespace goroscope::gui
