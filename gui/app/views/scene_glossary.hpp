// scene_glossary.hpp — which word of the glossary is under a point of the scheduler scene,
// so hovering "runnext", "queue 2", "spinning", "stopped", a STARVING badge or a steal badge
// explains it.
#pragma once

#include <QPointF>
#include <QString>

#include "views/scheduler_layout.hpp"

namespace goroscope::gui {

// scene_glossary_id_at() is the glossary entry (glossary.hpp) for what `layout` shows at `pos`:
// a label ("runnext", "queue 3"), a thread row ("M1 spinning"), or a panel's title row (its
// badge or status on the right, its title on the left: "P0", "Global run queue", "Threads
// (Ms)", a channel or mutex card); "" where no word needs explaining.
QString scene_glossary_id_at(const SchedulerLayout& layout, QPointF pos);

}  // namespace goroscope::gui
