// glossary_dialog.hpp — Help > Glossary: every term of glossary.hpp on one page, each with an
// anchor so a click on a word elsewhere (the Inspector's "?" links) opens it at that term.
#pragma once

#include <QDialog>
#include <QString>

class QTextBrowser;

namespace goroscope::gui {

class GlossaryDialog : public QDialog {
  Q_OBJECT
 public:
  explicit GlossaryDialog(QWidget* parent = nullptr);
  // show_term() scrolls to entry `id` and marks it ("" or an unknown id: the top).
  void show_term(const QString& id);
  // shown_term() is the entry last asked for with show_term() (tests).
  const QString& shown_term() const { return term_; }
  // html() is the page's rich text (tests).
  QString html() const;

 private:
  void render();
  QTextBrowser* text_ = nullptr;
  QString term_;
};

// show_glossary() shows the glossary window of `parent`'s top-level window (made once, kept,
// non-modal) at entry `id`, raised; returns it.
GlossaryDialog* show_glossary(QWidget* parent, const QString& id = {});

}  // namespace goroscope::gui
