// The promise of /v1/export: a mirror made from one export and then the change feed after its seq
// ends equal to the register, while writers change it the whole time (against the real server).
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "register_version.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using Mirror = std::map<std::string, json>;  // "entity/id" -> the row

/// Creates, changes and deletes persons and forums until told to stop.
void write(const std::string& base, int writer, const std::atomic<bool>& stop,
           std::atomic<int>& writes) {
  HttpClient client(base);
  const auto auth = jsonAuth(tokens().editor);
  const HeaderList bearer{{"Authorization", "Bearer " + tokens().editor}};
  for (int round = 0; !stop; ++round) {
    const std::string name =
        "Testperson Spejl " + std::to_string(writer) + "-" + std::to_string(round);
    auto created = client.request(
        "POST", "/v1/persons", auth,
        json{{"name", name}, {"kommune_code", "0851"}, {"email", "spejl@example.invalid"}}.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string person = "/v1/persons/" + str(created.json().at("id").get<long long>());
    auto changed =
        client.request("PATCH", person, patchAuth(tokens().editor),
                       json{{"party", round % 2 ? "A" : "V"}, {"email", nullptr}}.dump());
    ASSERT_EQ(changed.status, 200) << changed.body;
    if (round % 3 == 0) {
      ASSERT_EQ(client.request("DELETE", person, bearer).status, 204);
    }
    if (round % 4 == 0) {
      auto forum = client.request("POST", "/v1/forums", auth,
                                  json{{"name", "Testforum Spejl " + name},
                                       {"kind", "agreement"},
                                       {"kkr_action", "appoints"},
                                       {"seats", 2}}
                                      .dump());
      ASSERT_EQ(forum.status, 201) << forum.body;
    }
    writes += 3;
  }
}

/// Applies /v1/changes after `seq` to `mirror`, page by page until a page comes back empty;
/// returns the last seq applied.
long long follow(HttpClient& client, const HeaderList& key, Mirror& mirror, long long seq) {
  for (;;) {
    const auto page = client.get("/v1/changes?limit=100&after=" + std::to_string(seq), key);
    EXPECT_EQ(page.status, 200) << page.body;
    const json items = page.status == 200 ? page.json().at("items") : json::array();
    if (items.empty()) return seq;
    for (const auto& change : items) {
      EXPECT_EQ(change.at("seq").get<long long>(), seq + 1) << "the feed is gap-free";
      seq = change.at("seq").get<long long>();
      const std::string row =
          change.at("entity").get<std::string>() + "/" + change.at("id").get<std::string>();
      if (change.at("op") == "delete") {
        mirror.erase(row);
      } else {
        mirror[row] = change.at("data");
      }
    }
  }
}

/// The export as "entity/id" -> row, and its seq.
std::pair<Mirror, long long> exported(HttpClient& client, const HeaderList& key) {
  const auto r = client.get("/v1/export?format=ndjson", key);
  EXPECT_EQ(r.status, 200) << r.body;
  Mirror rows;
  std::size_t start = 0;
  while (start < r.body.size()) {
    const std::size_t end = r.body.find('\n', start);
    const json line = json::parse(r.body.substr(start, end - start));
    rows[line.at("entity").get<std::string>() + "/" + line.at("id").get<std::string>()] =
        line.at("data");
    start = end + 1;
  }
  return {std::move(rows), registerSeq(r)};
}

TEST(MirrorHttp, ExportThenChangesEndsEqualToTheRegisterWhileWritersRun) {
  // Hundreds of requests from one address: the limits are not what this tests.
  TestServer unthrottled({.configure = [](app::AppConfig& c) {
    c.server.rate_limits.per_address = api::RateQuota{};
    c.server.rate_limits.per_key = api::RateQuota{};
  }});
  const HeaderList key{{"Authorization", "Bearer " + tokens().editor}};
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back(write, unthrottled.baseUrl(), w, std::cref(stop), std::ref(writes));
  }
  auto client = unthrottled.client();
  while (writes < 15) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  // The mirror starts from an export taken in the middle of the writes, and follows the feed.
  auto [mirror, seq] = exported(client, key);
  const int writesAtExport = writes;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) seq = follow(client, key, mirror, seq);
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_GT(writes, writesAtExport + 15) << "the writers ran on while the mirror followed";

  // Once the feed has numbered every write, the mirror is the register. Equal seqs alone do not
  // say so: a snapshot also holds this instance's commits that the feed has not numbered yet
  // (Register-Seq in openapi.yaml), so an export can be ahead of a mirror at the same seq until
  // the next publish. The check is that they meet, within a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    seq = follow(client, key, mirror, seq);
    auto [register_, registerSeq_] = exported(client, key);
    const bool met = registerSeq_ == seq && register_ == mirror;
    if (met || std::chrono::steady_clock::now() > deadline) {
      EXPECT_EQ(registerSeq_, seq);
      EXPECT_EQ(mirror.size(), register_.size());
      for (const auto& [row, data] : register_) {
        const auto it = mirror.find(row);
        if (it == mirror.end()) {
          ADD_FAILURE() << row << " is missing from the mirror";
        } else {
          EXPECT_EQ(it->second, data) << row;
        }
      }
      for (const auto& [row, data] : mirror) {
        EXPECT_TRUE(register_.count(row)) << row << " is in the mirror only";
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace
}  // namespace kkr::testing
