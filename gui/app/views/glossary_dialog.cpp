// glossary_dialog.cpp — Help > Glossary (see glossary_dialog.hpp).
#include "views/glossary_dialog.hpp"

#include <QTextBrowser>
#include <QVBoxLayout>

#include "model/glossary.hpp"

namespace goroscope::gui {

GlossaryDialog::GlossaryDialog(QWidget* parent) : QDialog(parent) {
  setObjectName(QStringLiteral("glossary"));
  setWindowTitle(tr("Glossary: Go's scheduler in words"));
  text_ = new QTextBrowser(this);
  text_->setOpenLinks(false);
  connect(text_, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
    if (url.scheme() == QLatin1String("glossary")) show_term(url.path());
  });
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->addWidget(text_);
  resize(620, 640);
  render();
}

void GlossaryDialog::render() {
  const QColor mark = palette().color(QPalette::Highlight);
  QString html = QStringLiteral("<p>%1</p>").arg(
      tr("The words Goroscope uses for Go's scheduler, as the runtime (runtime/proc.go) means them. "
         "Hover a word in the scene or the Inspector for the same text."));
  html += QStringLiteral("<p>");
  QStringList index;
  for (const GlossaryEntry& e : glossary())
    index << QStringLiteral("<a href=\"glossary:%1\">%2</a>").arg(e.id, e.term.toHtmlEscaped());
  html += index.join(QStringLiteral(" · ")) + QStringLiteral("</p>");
  for (const GlossaryEntry& e : glossary()) {
    const bool marked = e.id == term_;
    html += QStringLiteral("<a name=\"%1\"></a><h3%2>%3</h3><p>%4</p>")
                .arg(e.id,
                     marked ? QStringLiteral(" style=\"background-color:%1;\"").arg(mark.name()) : QString(),
                     e.term.toHtmlEscaped(), e.text.toHtmlEscaped());
  }
  text_->setHtml(html);
}

void GlossaryDialog::show_term(const QString& id) {
  term_ = glossary_entry(id) ? id : QString();
  render();
  if (term_.isEmpty()) text_->scrollToAnchor(glossary().front().id);
  else text_->scrollToAnchor(term_);
}

QString GlossaryDialog::html() const { return text_->toHtml(); }

GlossaryDialog* show_glossary(QWidget* parent, const QString& id) {
  QWidget* top = parent ? parent->window() : nullptr;
  auto* dialog = top ? top->findChild<GlossaryDialog*>(QStringLiteral("glossary"), Qt::FindDirectChildrenOnly) : nullptr;
  if (dialog == nullptr) dialog = new GlossaryDialog(top);
  dialog->show();
  dialog->show_term(id);
  dialog->raise();
  dialog->activateWindow();
  return dialog;
}

}  // namespace goroscope::gui
