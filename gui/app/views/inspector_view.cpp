#include "views/inspector_view.hpp"

#include <QLabel>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocumentFragment>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

#include "model/event_text.hpp"
#include "model/selection.hpp"
#include "model/glossary.hpp"
#include "model/snapshot_text.hpp"
#include "model/trace_store.hpp"
#include "views/glossary_dialog.hpp"
#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

namespace {

constexpr size_t kRecentEvents = 40;
constexpr size_t kChildrenShown = 12;
const QString kLinkScheme = QStringLiteral("goroutine:");
const QString kSiteScheme = QStringLiteral("site:");
const QString kGlossaryScheme = QStringLiteral("glossary:");

// site_link() is `site` made readable (short_site) as a link that opens it in the Source pane.
QString site_link(const std::string& site) {
  const QString full = QString::fromStdString(site);
  return QStringLiteral("<a href=\"%1%2\">%3</a>")
      .arg(kSiteScheme, QString::fromLatin1(QUrl::toPercentEncoding(full)), short_site(site).toHtmlEscaped());
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString link(uint64_t g) { return QStringLiteral("<a href=\"goroutine:%1\">G%1</a>").arg(g); }

// linkify() is `text` HTML-escaped, with every goroutine name ("G12") made a link.
QString linkify(const QString& text) {
  static const QRegularExpression name(QStringLiteral("\\bG(\\d+)\\b"));
  return text.toHtmlEscaped().replace(name, QStringLiteral("<a href=\"goroutine:\\1\">G\\1</a>"));
}

// quiet_color() is a grey between the text and background colours of `p` (PlaceholderText
// carries alpha, which HTML colours drop).
QString quiet_color(const QPalette& p) {
  const QColor a = p.color(QPalette::WindowText), b = p.color(QPalette::Window);
  return QColor::fromRgbF(0.55f * a.redF() + 0.45f * b.redF(), 0.55f * a.greenF() + 0.45f * b.greenF(),
                          0.55f * a.blueF() + 0.45f * b.blueF())
      .name();
}

bool same_events(const std::vector<gor::Event>& a, const std::vector<gor::Event>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const gor::Event& x, const gor::Event& y) {
    return x.ts == y.ts && x.kind == y.kind && x.g == y.g && x.a0 == y.a0 && x.a1 == y.a1 && x.p == y.p && x.m == y.m;
  });
}

// term() is `words` as a link to glossary entry `id` (a click opens Help > Glossary there).
QString term(const QString& id, const QString& words) {
  return QStringLiteral("<a href=\"glossary:%1\">%2</a>").arg(id, words.toHtmlEscaped());
}

// queue_position() says where a runnable goroutine waits ("runnext of P1", "P0's local queue,
// 3rd", "global queue"; each queue's name a glossary link), or "" if the snapshot does not
// show it queued.
QString queue_position(const gor::Snapshot& s, uint64_t g) {
  for (const gor::ProcessorInfo& p : s.procs) {
    if (p.runnext == g) return QStringLiteral("in %1 of P%2").arg(term(QStringLiteral("runnext"), QStringLiteral("runnext"))).arg(p.id);
    auto it = std::find(p.local_queue.begin(), p.local_queue.end(), g);
    if (it != p.local_queue.end())
      return QStringLiteral("in P%1's %2, position %3 of %4")
          .arg(p.id)
          .arg(term(QStringLiteral("local-queue"), QStringLiteral("local queue")))
          .arg(it - p.local_queue.begin() + 1)
          .arg(p.local_queue.size());
  }
  auto it = std::find(s.global_queue.begin(), s.global_queue.end(), g);
  if (it != s.global_queue.end())
    return QStringLiteral("in the %1, position %2 of %3")
        .arg(term(QStringLiteral("global-queue"), QStringLiteral("global queue")))
        .arg(it - s.global_queue.begin() + 1)
        .arg(s.global_queue.size());
  return {};
}

}  // namespace

InspectorView::InspectorView(GoroutineSelection& selection, QWidget* parent) : QWidget(parent), selection_(selection) {
  header_ = new QLabel(this);
  header_->setObjectName(QStringLiteral("inspectorHeader"));
  header_->setTextFormat(Qt::RichText);
  QFont big = header_->font();
  big.setPointSizeF(big.pointSizeF() * 1.25);
  header_->setFont(big);

  details_ = new QLabel(this);
  details_->setObjectName(QStringLiteral("inspectorDetails"));
  details_->setTextFormat(Qt::RichText);
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextBrowserInteraction);
  details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  connect(details_, &QLabel::linkActivated, this, [this](const QString& l) { open_link(l); });

  hint_ = new QLabel(tr("Click a goroutine anywhere to inspect it."), this);
  hint_->setObjectName(QStringLiteral("inspectorHint"));
  hint_->setAlignment(Qt::AlignCenter);
  hint_->setWordWrap(true);
  hint_->setForegroundRole(QPalette::PlaceholderText);

  events_caption_ = new QLabel(tr("Recent events, newest first"), this);
  QFont bold = events_caption_->font();
  bold.setBold(true);
  events_caption_->setFont(bold);

  events_ = new QTextBrowser(this);
  events_->setObjectName(QStringLiteral("inspectorEvents"));
  events_->setOpenLinks(false);
  events_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  events_->setLineWrapMode(QTextEdit::WidgetWidth);
  events_->document()->setDocumentMargin(4);
  connect(events_, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) { open_link(url.toString()); });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(6);
  layout->addWidget(header_);
  layout->addWidget(details_);
  layout->addWidget(events_caption_);
  layout->addWidget(events_, 1);
  layout->addWidget(hint_, 1);

  connect(&selection_, &GoroutineSelection::changed, this, [this] { refresh(); });
  refresh();
}

void InspectorView::set_data(const gor::Snapshot* snapshot, const TraceStore& store) {
  if (!snapshot) return set_data(std::shared_ptr<const gor::Snapshot>(), store);
  snapshot_.reset();
  if (own_ && own_.use_count() == 1) *own_ = *snapshot;  // reuses the vectors' and strings' storage
  else own_ = std::make_shared<gor::Snapshot>(*snapshot);
  snapshot_ = own_;
  store_ = &store;
  refresh();
  emit snapshotChanged(snapshot_);
}

void InspectorView::set_data(std::shared_ptr<const gor::Snapshot> snapshot, const TraceStore& store) {
  store_ = &store;
  const bool changed = snapshot != snapshot_;
  snapshot_ = std::move(snapshot);
  refresh();
  if (changed) emit snapshotChanged(snapshot_);
}

void InspectorView::clear() {
  store_ = nullptr;
  snapshot_.reset();
  own_.reset();
  refresh();
  emit snapshotChanged(nullptr);
}

bool InspectorView::open_link(const QString& l) {
  if (l.startsWith(kGlossaryScheme)) {
    show_glossary(this, l.mid(kGlossaryScheme.size()));
    return true;
  }
  if (l.startsWith(kSiteScheme)) {
    emit siteActivated(QUrl::fromPercentEncoding(l.mid(kSiteScheme.size()).toUtf8()));
    return true;
  }
  if (!l.startsWith(kLinkScheme)) return false;
  bool ok = false;
  const uint64_t g = l.mid(kLinkScheme.size()).toULongLong(&ok);
  if (!ok || g == 0) return false;
  selection_.select(g);
  return true;
}

QString InspectorView::text() const {
  if (hint_->isVisibleTo(this)) return hint_->text();
  return header_plain_ + QLatin1Char('\n') +
         QTextDocumentFragment::fromHtml(details_->text()).toPlainText() + QLatin1Char('\n') +
         events_caption_->text() + QLatin1Char('\n') + events_->toPlainText();
}

QString InspectorView::header_html(uint64_t g, const QString& label) const {
  const QColor fill = goroutine_color(g);
  QString html = QStringLiteral("Goroutine <span style=\"background-color:%1; color:%2;\">&nbsp;G%3&nbsp;</span>")
                     .arg(fill.name(), text_color_on(fill).name())
                     .arg(g);
  if (!label.isEmpty()) html += QStringLiteral(" · ") + label.toHtmlEscaped();
  return html;
}

QString InspectorView::details_html(uint64_t g) const {
  const gor::GoroutineInfo* info = snapshot_ ? find_goroutine(*snapshot_, g) : nullptr;
  const GoroutineRecord* rec = store_ ? store_->goroutine(g) : nullptr;
  const QString key_color = quiet_color(palette());
  QString rows;
  auto row = [&](const QString& key, const QString& value_html) {
    rows += QStringLiteral("<tr><td style=\"color:%1; padding-right:10px;\">%2</td><td>%3</td></tr>")
                .arg(key_color, key, value_html);
  };

  // State.
  if (info) {
    QString state = qs(info->state).toHtmlEscaped();
    if (info->state == "running" && info->p >= 0) {
      state = QStringLiteral("<b>running</b> on P%1").arg(info->p);
      for (const gor::ProcessorInfo& p : snapshot_->procs)
        if (p.id == info->p && p.m >= 0) state += QStringLiteral(" / M%1").arg(p.m);
    } else if (info->state == "runnable") {
      const QString where = queue_position(*snapshot_, g);
      state = QStringLiteral("<b>runnable</b>") + (where.isEmpty() ? QString() : QStringLiteral(", ") + where);
    } else {
      state = QStringLiteral("<b>%1</b>").arg(state);
    }
    state += QStringLiteral(" for %1").arg(format_duration(std::max<int64_t>(0, snapshot_->now_ns - info->since_ns)));
    row(tr("State"), state);
    if (!info->wait_reason.empty()) row(tr("Waiting"), qs(info->wait_reason).toHtmlEscaped());
    if (info->wait_object) {
      QString object = QStringLiteral("<b>%1</b>").arg(object_name(*snapshot_, info->wait_object).toHtmlEscaped());
      const QString details = object_details(*snapshot_, info->wait_object);
      if (!details.isEmpty()) object += QStringLiteral(": ") + linkify(details);
      row(tr("On"), object);
    }
  } else if (rec && rec->ended_ns >= 0) {
    row(tr("State"), QStringLiteral("<b>ended</b> at %1").arg(format_engine_time(rec->ended_ns)));
  } else if (rec) {
    row(tr("State"), snapshot_ ? tr("not alive in the latest snapshot") : tr("unknown (no snapshot of the run)"));
  } else {
    row(tr("State"), tr("not part of this run"));
  }
  if (snapshot_) {
    for (const gor::DeadlockInfo& d : snapshot_->deadlocks)
      if (std::find(d.cycle.begin(), d.cycle.end(), g) != d.cycle.end())
        row(tr("Deadlock"), QStringLiteral("<span style=\"color:#c0392b;\">%1</span>").arg(linkify(qs(d.description))));
  }

  // Family and places.
  const uint64_t parent = info && info->parent ? info->parent : rec ? rec->parent : 0;
  QString created;
  if (rec && rec->created_ns >= 0) created = QStringLiteral("at %1").arg(format_engine_time(rec->created_ns));
  if (parent) {
    QString who = link(parent);
    if (const GoroutineRecord* p = store_ ? store_->goroutine(parent) : nullptr; p && !p->label.empty())
      who += QStringLiteral(" (%1)").arg(qs(p->label).toHtmlEscaped());
    created += (created.isEmpty() ? QString() : QStringLiteral(" ")) + QStringLiteral("by ") + who;
  }
  const bool is_main = g == 1 && parent == 0;  // Go's main goroutine: no line of the program created it
  const std::string& created_site = info && !info->created_at.empty() ? info->created_at : rec ? rec->created_at : std::string();
  if (is_main)
    created = tr("main goroutine") + (created.isEmpty() ? QString() : QStringLiteral(", ") + created);
  else if (!created_site.empty())
    created += QStringLiteral("<br>%1").arg(site_link(created_site));
  if (!created.isEmpty()) row(tr("Created"), created);
  if (rec && !rec->children.empty()) {
    QStringList links;
    for (size_t i = 0; i < rec->children.size() && i < kChildrenShown; ++i) links << link(rec->children[i]);
    QString children = links.join(QStringLiteral(", "));
    if (rec->children.size() > kChildrenShown)
      children += QStringLiteral(" +%1 more").arg(rec->children.size() - kChildrenShown);
    row(tr("Children (%1)").arg(rec->children.size()), children);
  }
  if (info && !info->blocked_at.empty() && info->state != "running" && info->state != "runnable")
    row(tr("Blocked at"), site_link(info->blocked_at));
  if (info == nullptr && rec && rec->ended_ns >= 0 && rec->created_ns >= 0)
    row(tr("Lived"), format_duration(rec->ended_ns - rec->created_ns));
  return QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\">%1</table>").arg(rows);
}

QString InspectorView::events_html(uint64_t g, const std::vector<gor::Event>& events) const {
  if (events.empty()) return QStringLiteral("<i>%1</i>").arg(tr("No events recorded for this goroutine."));
  const QString time_color = quiet_color(palette());
  QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    QString text = describe_event(*it, *store_, g);
    // Sites in the phrases are full engine sites: shorten them like the rest of the view.
    const uint64_t site_id = it->kind == gor::EventKind::GoBlock    ? it->a2
                             : it->kind == gor::EventKind::GoCreate ? it->a1
                                                                    : 0;
    QString site_html;
    if (const std::string& site = store_->string(site_id); site_id && !site.empty()) {
      const QString tail = QStringLiteral(" at ") + qs(site);
      if (text.endsWith(tail)) {  // the site in a quieter colour after the phrase
        text.chop(tail.size());
        site_html = QStringLiteral(" <span style=\"color:%1;\">at %2</span>").arg(time_color, site_link(site));
      } else {
        text.replace(qs(site), short_site(site));
      }
    }
    // The phrase explains itself on hover, and its "?" opens the glossary at that word.
    QString phrase = linkify(text) + site_html;
    if (const QString id = glossary_id_for_event(*it); !id.isEmpty()) {
      const GlossaryEntry* entry = glossary_entry(id);
      const QString tip = (entry->term + QStringLiteral(": ") + entry->text).toHtmlEscaped();
      phrase = QStringLiteral("<span title=\"%1\">%2</span> <a href=\"glossary:%3\" title=\"%1\" style=\"text-decoration:none;\">(?)</a>")
                   .arg(tip, phrase, id);
    }
    html += QStringLiteral("<tr><td align=\"right\" style=\"color:%1; padding-right:8px; white-space:pre;\">%2</td><td>%3</td></tr>")
                .arg(time_color, format_engine_time(it->ts), phrase);
  }
  return html + QStringLiteral("</table>");
}

void InspectorView::refresh() {
  const uint64_t g = selection_.selected();
  const bool has = g != 0;
  hint_->setVisible(!has);
  header_->setVisible(has);
  details_->setVisible(has);
  events_caption_->setVisible(has);
  events_->setVisible(has);
  if (!has) {
    shown_g_ = 0;
    return;
  }

  const gor::GoroutineInfo* info = snapshot_ ? find_goroutine(*snapshot_, g) : nullptr;
  const GoroutineRecord* rec = store_ ? store_->goroutine(g) : nullptr;
  QString label = info && !info->label.empty() ? qs(info->label) : rec ? qs(rec->label) : QString();
  if (label.isEmpty() && g == 1) label = QStringLiteral("main");
  header_plain_ = QStringLiteral("Goroutine G%1").arg(g) + (label.isEmpty() ? QString() : QStringLiteral(" · ") + label);
  const QString header = header_html(g, label);
  if (header != shown_header_) {
    shown_header_ = header;
    header_->setText(header);
  }
  const QString details = details_html(g);
  if (details != shown_details_) {
    shown_details_ = details;
    details_->setText(details);
    ++rebuilds_;
  }

  std::vector<gor::Event> events = store_ ? store_->recent_events_of(g, kRecentEvents) : std::vector<gor::Event>();
  const uint64_t generation = store_ ? store_->generation() : ~uint64_t{0};
  if (g != shown_g_ || generation != shown_generation_ || !same_events(events, shown_events_)) {
    const bool same_goroutine = g == shown_g_;
    const int scroll = events_->verticalScrollBar()->value();
    events_->setHtml(events_html(g, events));
    // Newest first: a reader scrolled down into older events stays where they were.
    if (same_goroutine) events_->verticalScrollBar()->setValue(scroll);
    shown_events_ = std::move(events);
    shown_generation_ = generation;
    shown_g_ = g;
  }
}

}  // namespace goroscope::gui
