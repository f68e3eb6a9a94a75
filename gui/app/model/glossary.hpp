// glossary.hpp — the scheduler's jargon explained for a learner: what runnext, the run
// queues, a steal, a handoff, spinning and idle Ms, stopped Ps, preemption and the mutex's
// starvation mode are in Go's runtime, and what each phrase of the Inspector's event list
// means. Shared by the Help > Glossary dialog and the tooltips where the words appear.
#pragma once

#include <QString>

#include <vector>

#include <gor/trace.hpp>

namespace goroscope::gui {

// GlossaryEntry is one term: its anchor id ("runnext"), the words shown ("runnext") and what
// it means, a short paragraph in plain text (Go's behaviour, numbers included).
struct GlossaryEntry {
  QString id;
  QString term;
  QString text;
};

// glossary() is every entry, in reading order (the scheduler's parts first, then what
// happens to them, then synchronisation); ids are unique.
const std::vector<GlossaryEntry>& glossary();

// glossary_entry() is the entry with `id`, or nullptr.
const GlossaryEntry* glossary_entry(const QString& id);

// glossary_tooltip() is entry `id` as a tooltip ("<b>term</b>: text", rich text); "" for an
// unknown id.
QString glossary_tooltip(const QString& id);

// glossary_id_for_event() is the entry explaining event `e`'s phrase in the Inspector
// ("woke G6 into runnext" -> "runnext", "P1 stole 2 from P0" -> "steal"); "" when the phrase
// needs none (a Log line, a region).
QString glossary_id_for_event(const gor::Event& e);

// glossary_id_for_scene_text() is the entry explaining a word the scheduler scene shows
// ("runnext", "queue 3", "Global run queue", "spinning", "stopped", "STARVING", "stole 2
// from P1", "Threads (Ms)"); "" for other text.
QString glossary_id_for_scene_text(const QString& text);

}  // namespace goroscope::gui
