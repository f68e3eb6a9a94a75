// sample_details.hpp — one sample up close: its title, explanation and a form for its parameters.
#pragma once

#include <QString>
#include <QWidget>

#include <string>
#include <utility>
#include <vector>

#include <goroscope/sample.hpp>

class QFormLayout;
class QGroupBox;
class QLabel;
class QPushButton;
class QTextBrowser;

namespace goroscope::gui {

// SampleDetails shows the sample given to show_sample(): title, an info line (topic, default
// GOMAXPROCS, suggested slow motion), the explanation rendered as Markdown, and one editor per
// parameter (spin box for Int within [min, max], check box for Bool, combo box for Choice),
// each with the parameter's help as tooltip, plus a "Defaults" button. All of it scrolls
// when the panel is short: editors keep their size hint (never squashed or clipped).
class SampleDetails : public QWidget {
  Q_OBJECT
 public:
  explicit SampleDetails(QWidget* parent = nullptr);

  // show_sample() replaces the content with `sample`'s; every parameter starts at its default.
  // Emits nothing.
  void show_sample(const goroscope::Sample& sample);
  // sample_id() is the id of the sample shown ("" before show_sample()).
  QString sample_id() const { return QString::fromStdString(info_.id); }

  // parameter_values() is every parameter as (key, text) in declaration order; each text is
  // accepted by goroscope::SampleParams::parse for that key.
  std::vector<std::pair<std::string, std::string>> parameter_values() const;
  // set_parameter_values() sets the parameters named in `values` (as saved from
  // parameter_values()); unknown keys and values parse() rejects are ignored. Emits
  // parametersChanged() once if anything changed.
  void set_parameter_values(const std::vector<std::pair<std::string, std::string>>& values);
  // reset_parameters() puts every parameter back to its default (the "Defaults" button);
  // emits parametersChanged() if anything changed.
  void reset_parameters();

 signals:
  // parametersChanged() says the user (or set_parameter_values/reset_parameters) changed a value.
  void parametersChanged();

 private:
  void build_form();
  void apply(const SampleParams& params);
  void on_edited();
  bool at_defaults() const;

  SampleInfo info_;
  QLabel* title_ = nullptr;
  QLabel* info_line_ = nullptr;
  QTextBrowser* explanation_ = nullptr;
  QGroupBox* params_box_ = nullptr;
  QFormLayout* form_ = nullptr;
  QLabel* no_params_ = nullptr;
  QPushButton* defaults_ = nullptr;
  std::vector<QWidget*> editors_;  // parallel to info_.params
  bool applying_ = false;
};

}  // namespace goroscope::gui
