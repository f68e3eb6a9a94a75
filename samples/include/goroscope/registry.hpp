// registry.hpp — the list of samples both the GUI and goroscope-cli read.
//
// The list is samples/samples.def, one line per sample (see samples/README.md), in the order
// the GUI and `goroscope-cli list` show them; the first one is the default sample.
#pragma once

#include <string_view>
#include <vector>

#include "goroscope/sample.hpp"

namespace goroscope {

// all_samples() is every registered sample in list order. Built and validated on first use
// (ids unique and kebab-case, summaries one line, parameters with valid defaults): a broken
// entry throws std::logic_error naming the sample.
const std::vector<Sample>& all_samples();

// find_sample() is the sample with this id, or nullptr.
const Sample* find_sample(std::string_view id);

// default_sample() is the sample opened when the user has not chosen one (`worker-pool`).
const Sample& default_sample();

// validate_sample() throws std::logic_error if `info` breaks a registry rule (see all_samples).
void validate_sample(const SampleInfo& info);

}  // namespace goroscope
