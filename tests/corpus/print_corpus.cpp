// Prints the hostile-client corpus (hostile_corpus.hpp) for tests outside C++ (tests/process/
// edge.py): one JSON object per probe and line, the raw bytes as hex, so that the edge test sends
// exactly what the in-process test sends.
//   {"name":"cl_and_te","request_hex":"504f5354...","canary_hex":"474554...",
//    "direct":{"statuses":[501],"open":false},"edge":{"statuses":[400],"open":false}}
#include <iostream>

#include <nlohmann/json.hpp>

#include "corpus/hostile_corpus.hpp"

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

nlohmann::json outcome(const kkr::testing::corpus::Outcome& o) {
  return {{"statuses", o.statuses}, {"open", o.open}};
}

}  // namespace

int main() {
  using namespace kkr::testing::corpus;
  for (const auto& probe : hostileCorpus()) {
    const nlohmann::json line{{"name", probe.name},
                              {"request_hex", hex(probe.request)},
                              {"canary_hex", hex(canaryFor(probe.name))},
                              {"editor_token_placeholder", std::string(kEditorToken)},
                              {"direct", outcome(probe.direct)},
                              {"edge", outcome(probe.throughEdge())}};
    std::cout << line.dump() << '\n';
  }
  return std::cout.good() ? 0 : 1;
}
