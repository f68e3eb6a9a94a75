// samples_readme_test.cpp — samples/README.md lists every sample, one line each, in registry order.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "goroscope/registry.hpp"

namespace goroscope {
namespace {

TEST(SamplesReadme, ListsEverySampleInRegistryOrder) {
  std::ifstream in(GOROSCOPE_SAMPLES_README);
  ASSERT_TRUE(in) << "cannot read " << GOROSCOPE_SAMPLES_README;
  std::vector<std::string> listed;
  bool inside = false;
  bool ended = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("<!-- samples:begin", 0) == 0) {
      inside = true;
    } else if (line.rfind("<!-- samples:end", 0) == 0) {
      ended = inside;
      inside = false;
    } else if (inside && !line.empty()) {
      listed.push_back(line);
    }
  }
  ASSERT_TRUE(ended) << "README.md needs a <!-- samples:begin --> ... <!-- samples:end --> block";

  std::vector<std::string> expected;
  std::ostringstream block;
  for (const Sample& s : all_samples()) {
    expected.push_back("- `" + s.info.id + "`: " + s.info.summary);
    block << expected.back() << '\n';
  }
  EXPECT_EQ(listed, expected) << "samples/README.md is out of date; the list should read:\n" << block.str();
}

}  // namespace
}  // namespace goroscope
