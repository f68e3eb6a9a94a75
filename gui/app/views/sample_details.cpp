#include "views/sample_details.hpp"

#include <cmath>
#include <optional>

#include "run/sample_timing.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace goroscope::gui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

int clamp_int(int64_t v) {
  return static_cast<int>(std::clamp<int64_t>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

// play_text() is how long the sample's story plays at its suggested pace ("plays 32 s at ×1/1000").
QString play_text(const std::string& id) {
  const std::optional<SampleTiming> t = sample_timing(id);
  if (!t) return QStringLiteral("played at ×1/1000");
  const Pace p = sample_pace(id);
  return QStringLiteral("plays %1 s at %2")
      .arg(std::lround(p.play_seconds(t->engine_ns, t->events)))
      .arg(QString::fromStdString(p.text()));
}

}  // namespace

SampleDetails::SampleDetails(QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(this);
  title_->setObjectName(QStringLiteral("sampleTitle"));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont big = title_->font();
  big.setPointSizeF(big.pointSizeF() * 1.35);
  big.setBold(true);
  title_->setFont(big);

  info_line_ = new QLabel(this);
  info_line_->setObjectName(QStringLiteral("sampleInfoLine"));
  info_line_->setWordWrap(true);
  info_line_->setForegroundRole(QPalette::PlaceholderText);

  explanation_ = new QTextBrowser(this);
  explanation_->setObjectName(QStringLiteral("sampleExplanation"));
  explanation_->setOpenExternalLinks(true);
  explanation_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  explanation_->setLineWrapMode(QTextEdit::WidgetWidth);
  explanation_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
  explanation_->setFrameShape(QFrame::NoFrame);
  explanation_->document()->setDocumentMargin(6);
  QFont body = explanation_->font();
  body.setPointSizeF(body.pointSizeF() * 1.05);
  explanation_->setFont(body);

  params_box_ = new QGroupBox(tr("Parameters"), this);
  auto* box_layout = new QVBoxLayout(params_box_);
  form_ = new QFormLayout;
  form_->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  form_->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  box_layout->addLayout(form_);
  no_params_ = new QLabel(tr("This sample has no parameters."), params_box_);
  no_params_->setForegroundRole(QPalette::PlaceholderText);
  box_layout->addWidget(no_params_);
  defaults_ = new QPushButton(tr("Defaults"), params_box_);
  defaults_->setObjectName(QStringLiteral("parameterDefaults"));
  defaults_->setToolTip(tr("Put every parameter back to the sample's default"));
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(defaults_);
  box_layout->addLayout(buttons);
  connect(defaults_, &QPushButton::clicked, this, &SampleDetails::reset_parameters);

  // Everything sits in a scroll area: a short dock (a 1024x700 window) scrolls the panel
  // instead of squashing the parameter editors until their values are clipped.
  auto* content = new QWidget;
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(6);
  layout->addWidget(title_);
  layout->addWidget(info_line_);
  layout->addWidget(explanation_, 1);
  layout->addWidget(params_box_);
  params_box_->setVisible(false);
  params_box_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  explanation_->setMinimumHeight(explanation_->fontMetrics().lineSpacing() * 6);
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("sampleDetailsScroll"));
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);
  setMinimumWidth(fontMetrics().averageCharWidth() * 28);  // the parameter form's labels and editors
}

void SampleDetails::show_sample(const Sample& sample) {
  info_ = sample.info;
  title_->setText(qs(info_.title));
  info_line_->setText(QStringLiteral("%1 · GOMAXPROCS %2 by default · %3")
                          .arg(qs(info_.topic))
                          .arg(info_.default_procs)
                          .arg(play_text(info_.id)));
  explanation_->setMarkdown(qs(info_.explanation));
  explanation_->verticalScrollBar()->setValue(0);
  build_form();
  params_box_->setVisible(true);
}

void SampleDetails::build_form() {
  applying_ = true;
  while (form_->rowCount() > 0) form_->removeRow(0);
  editors_.clear();
  for (const SampleParam& p : info_.params) {
    QWidget* editor = nullptr;
    QString tip = qs(p.help);
    switch (p.kind) {
      case SampleParam::Kind::Int: {
        auto* spin = new QSpinBox(params_box_);
        spin->setRange(clamp_int(p.min), clamp_int(p.max));
        spin->setValue(clamp_int(p.def));
        spin->setKeyboardTracking(false);
        spin->setAccelerated(true);
        spin->setMinimumWidth(spin->fontMetrics().horizontalAdvance(QStringLiteral("0000000")) + 40);
        tip += QStringLiteral(" (%1 to %2, default %3)").arg(p.min).arg(p.max).arg(p.def);
        connect(spin, &QSpinBox::valueChanged, this, &SampleDetails::on_edited);
        editor = spin;
        break;
      }
      case SampleParam::Kind::Bool: {
        auto* check = new QCheckBox(params_box_);
        check->setChecked(p.def != 0);
        tip += p.def ? QStringLiteral(" (default on)") : QStringLiteral(" (default off)");
        connect(check, &QCheckBox::toggled, this, &SampleDetails::on_edited);
        editor = check;
        break;
      }
      case SampleParam::Kind::Choice: {
        auto* combo = new QComboBox(params_box_);
        for (const std::string& c : p.choices) combo->addItem(qs(c));
        combo->setCurrentIndex(clamp_int(p.def));
        tip += QStringLiteral(" (default %1)").arg(p.def >= 0 && static_cast<size_t>(p.def) < p.choices.size()
                                                        ? qs(p.choices[static_cast<size_t>(p.def)])
                                                        : QString());
        connect(combo, &QComboBox::currentIndexChanged, this, &SampleDetails::on_edited);
        editor = combo;
        break;
      }
    }
    editor->setObjectName(QStringLiteral("param-%1").arg(qs(p.key)));
    editor->setToolTip(tip);
    auto* label = new QLabel(qs(p.label) + QLatin1Char(':'), params_box_);
    label->setToolTip(tip);
    label->setBuddy(editor);
    form_->addRow(label, editor);
    editors_.push_back(editor);
  }
  no_params_->setVisible(info_.params.empty());
  defaults_->setVisible(!info_.params.empty());
  defaults_->setEnabled(false);
  applying_ = false;
}

std::vector<std::pair<std::string, std::string>> SampleDetails::parameter_values() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < info_.params.size(); ++i) {
    const SampleParam& p = info_.params[i];
    QWidget* editor = editors_[i];
    std::string text;
    switch (p.kind) {
      case SampleParam::Kind::Int: text = std::to_string(static_cast<QSpinBox*>(editor)->value()); break;
      case SampleParam::Kind::Bool: text = static_cast<QCheckBox*>(editor)->isChecked() ? "true" : "false"; break;
      case SampleParam::Kind::Choice: {
        const int index = static_cast<QComboBox*>(editor)->currentIndex();
        text = index >= 0 && static_cast<size_t>(index) < p.choices.size() ? p.choices[static_cast<size_t>(index)]
                                                                           : std::string();
        break;
      }
    }
    out.emplace_back(p.key, std::move(text));
  }
  return out;
}

void SampleDetails::apply(const SampleParams& params) {
  applying_ = true;
  for (size_t i = 0; i < info_.params.size(); ++i) {
    const SampleParam& p = info_.params[i];
    switch (p.kind) {
      case SampleParam::Kind::Int: static_cast<QSpinBox*>(editors_[i])->setValue(clamp_int(params.get_int(p.key))); break;
      case SampleParam::Kind::Bool: static_cast<QCheckBox*>(editors_[i])->setChecked(params.get_bool(p.key)); break;
      case SampleParam::Kind::Choice: {
        const std::string choice = params.get_choice(p.key);
        auto it = std::find(p.choices.begin(), p.choices.end(), choice);
        static_cast<QComboBox*>(editors_[i])->setCurrentIndex(static_cast<int>(it - p.choices.begin()));
        break;
      }
    }
  }
  applying_ = false;
  defaults_->setEnabled(!at_defaults());
}

void SampleDetails::set_parameter_values(const std::vector<std::pair<std::string, std::string>>& values) {
  const auto before = parameter_values();
  SampleParams params(info_);
  for (const auto& [key, text] : before) params.parse(key, text);
  for (const auto& [key, text] : values) {
    try {
      params.parse(key, text);
    } catch (const SampleParamError&) {
      // unknown key or a value out of range: keep what the form has (settings may be stale)
    }
  }
  apply(params);
  if (parameter_values() != before) emit parametersChanged();
}

void SampleDetails::reset_parameters() {
  const auto before = parameter_values();
  apply(SampleParams(info_));
  if (parameter_values() != before) emit parametersChanged();
}

bool SampleDetails::at_defaults() const {
  for (size_t i = 0; i < info_.params.size(); ++i) {
    const SampleParam& p = info_.params[i];
    QWidget* editor = editors_[i];
    switch (p.kind) {
      case SampleParam::Kind::Int:
        if (static_cast<QSpinBox*>(editor)->value() != clamp_int(p.def)) return false;
        break;
      case SampleParam::Kind::Bool:
        if (static_cast<QCheckBox*>(editor)->isChecked() != (p.def != 0)) return false;
        break;
      case SampleParam::Kind::Choice:
        if (static_cast<QComboBox*>(editor)->currentIndex() != clamp_int(p.def)) return false;
        break;
    }
  }
  return true;
}

void SampleDetails::on_edited() {
  if (applying_) return;
  defaults_->setEnabled(!at_defaults());
  emit parametersChanged();
}

}  // namespace goroscope::gui
