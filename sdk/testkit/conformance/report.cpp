// The table `ember check-backend` prints: one row per case, then totals.
#include <algorithm>
#include <array>
#include <iomanip>
#include <ostream>

#include "ember/testkit/conformance.h"

namespace ember::testkit {

void print_conformance_table(std::ostream& out, const std::vector<CaseResult>& results) {
  size_t name_width = 4;
  for (const CaseResult& r : results) name_width = std::max(name_width, r.name.size());
  auto join = [](const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : " ") + p;
    return s;
  };
  out << std::left << std::setw(int(name_width)) << "case"
      << "  " << std::setw(11) << "outcome"
      << "  notes\n";
  std::array<int, 4> counts{};
  for (const CaseResult& r : results) {
    ++counts[size_t(r.outcome)];
    std::string notes;
    if (r.outcome == Outcome::FellBack) notes = "on the CPU: " + join(r.fallback_ops);
    if (!r.message.empty()) notes += (notes.empty() ? "" : "; ") + r.message;
    if (notes.empty()) notes = join(r.dtypes);
    out << std::setw(int(name_width)) << r.name << "  " << std::setw(11) << outcome_name(r.outcome) << "  " << notes
        << "\n";
  }
  out << std::right << results.size() << " cases: " << counts[size_t(Outcome::Pass)] << " pass, "
      << counts[size_t(Outcome::FellBack)] << " fell back, " << counts[size_t(Outcome::Unsupported)] << " unsupported, "
      << counts[size_t(Outcome::Fail)] << " fail\n";
}

}  // namespace ember::testkit
