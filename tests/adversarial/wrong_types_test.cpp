// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Wrong-typed JSON everywhere, through every public operation: the real devserver behind a
// transport that, in every JSON answer, replaces every member of one name by a value of another
// type (a scalar of another type, or a container of the other kind), and entities given to the
// API with the same damage. Each call must answer a value: no exception crosses the API (the
// facade guard), nothing is reported as an internal failure, and the damage is noticed.

#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "hostile_transport.hpp"
#include "test_util.hpp"

#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

namespace cardinal {
namespace {

using testing::HostileTransport;

// The kinds of damage: 0 a scalar of another type; 1 a container of the other kind; 2 an empty
// value of the same type ("", 0, [], {}); 3 a number out of every range (and a huge string).
// (Kind 2 found a crash: an attachment download of a Document whose delegations carry no entity
// key dereferenced an empty key list, SdkCore::reading_key.)
constexpr int kKinds = 4;
Json wrong_type_of(const Json& v, int kind) {
  switch (kind) {
    case 0:
      return v.is_string() ? Json(42) : Json("x");
    case 1:
      return v.is_array() ? Json::object({{"x", 1}}) : Json::array({1});
    case 2:
      if (v.is_string()) return "";
      if (v.is_array()) return Json::array();
      if (v.is_object()) return Json::object();
      return 0;
    default:
      if (v.is_number_float()) return -1e308;
      if (v.is_number()) return v.is_number_unsigned() ? Json(-1) : Json(1e300);
      if (v.is_string()) return std::string(1 << 16, 'A');
      return v;
  }
}

// Damages every member named `name`; two names stand for more: "#root" (the whole answer) and
// "#elements" (the scalar elements of arrays, e.g. the ids of a match answer).
void damage(Json& j, const std::string& name, int kind) {
  if (name == "#root") {
    j = wrong_type_of(j, kind);
    return;
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == name) {
        *it = wrong_type_of(*it, kind);
      } else {
        damage(*it, name, kind);
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j) {
      if (name == "#elements" && !e.is_structured()) {
        e = wrong_type_of(e, kind);
      } else {
        damage(e, name, kind);
      }
    }
  }
}

// Member names worth damaging (not the hashes that key delegation maps).
bool is_field_name(const std::string& k) {
  static const std::regex field("[A-Za-z$_][A-Za-z0-9_]{0,39}");
  return std::regex_match(k, field) && k.size() < 40;
}

void collect_names(const Json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (is_field_name(it.key())) out.insert(it.key());
      collect_names(*it, out);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) collect_names(e, out);
  }
}

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login,
                                             std::shared_ptr<HttpTransport> transport,
                                             std::shared_ptr<keys::KeyStore> store) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.transport = std::move(transport);
  o.key_store = std::move(store);
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  o.retry.max_attempts = 1;
  return CardinalSdk::initialize(std::move(o));
}

// One public operation: `prepare` (answers intact) makes what `run` needs; `run` is the call under
// attack. `given` is set to the damage of the call's input (the entities it is given), if any.
struct Operation {
  std::string name;
  std::function<void()> prepare;
  std::function<Status()> run;
  bool damage_noticed = true;  ///< false where every damage may be valid (e.g. clear content)
};

// The first error of a bulk call: the call's, else the first entity's.
template <class T>
Status first_error(const Result<BulkResult<T>>& r) {
  if (!r.ok()) return r.error();
  for (const auto& e : *r) {
    if (!e.ok()) return e.error();
  }
  return {};
}

struct Damage {
  std::string name;
  int kind = 0;
};

class WrongTypes : public ::testing::Test {
 protected:
  void SetUp() override {
    bob_ = sign_in(server_, "bob", std::make_shared<HostileTransport>(), std::make_shared<keys::InMemoryKeyStore>())
               .value();
    alice_ = sign_in(server_, "alice", hostile_, alice_keys_).value();
    auto p = alice_->patients().create(Json{{"firstName", "Wrong"}, {"lastName", "Types"}});
    ASSERT_OK(p);
    patient_ = p->entity;
  }

  // What the current damage does to a JSON value given to the API.
  Json damaged(Json j) const {
    if (current_) damage(j, current_->name, current_->kind);
    return j;
  }

  // Runs `op` clean once to learn the member names of its answers (and of what it is given), then
  // once per name and kind of damage. Every result must be a value; not kInternal; some errors.
  void attack(const Operation& op, std::size_t max_names = 80) {
    std::set<std::string> names = {"#root", "#elements"};
    op.prepare();
    hostile_->rewrite([&](const HttpRequest&, const std::string& real) -> std::optional<std::string> {
      auto j = parse_json(real);
      if (j.ok()) collect_names(*j, names);
      return std::nullopt;
    });
    recording_ = &names;
    const Status clean = op.run();
    recording_ = nullptr;
    hostile_->rewrite(nullptr);
    ASSERT_TRUE(clean.ok()) << op.name << " fails without damage: " << clean.error().to_string();
    std::vector<std::string> chosen(names.begin(), names.end());
    if (chosen.size() > max_names) {  // an even sample
      std::vector<std::string> sample;
      for (std::size_t i = 0; i < max_names; ++i) sample.push_back(chosen[i * chosen.size() / max_names]);
      chosen = std::move(sample);
    }
    std::vector<std::string> failures;
    std::size_t errors = 0;
    for (const auto& name : chosen) {
      for (int kind = 0; kind < kKinds; ++kind) {
        op.prepare();
        current_ = Damage{name, kind};
        hostile_->rewrite([name, kind](const HttpRequest&, const std::string& real) -> std::optional<std::string> {
          auto j = parse_json(real);
          if (!j.ok()) return std::nullopt;
          damage(*j, name, kind);
          return j->dump();
        });
        const std::string what = op.name + " with '" + name + "' of the wrong type (" + std::to_string(kind) + ")";
        try {
          const Status s = op.run();
          if (!s.ok()) {
            ++errors;
            if (s.error().code() == ErrorCode::kInternal) failures.push_back(what + ": " + s.error().to_string());
            if (s.error().message().empty()) failures.push_back(what + ": an error without a message");
          }
        } catch (const std::exception& e) {
          failures.push_back(what + ": threw " + e.what());
        } catch (...) {
          failures.push_back(what + ": threw");
        }
        hostile_->rewrite(nullptr);
        current_.reset();
      }
    }
    std::ostringstream all;
    for (const auto& f : failures) all << "  " << f << "\n";
    EXPECT_TRUE(failures.empty()) << failures.size() << " failures:\n" << all.str();
    if (op.damage_noticed) {
      EXPECT_GT(errors, 0u) << op.name << ": no damage was noticed (" << chosen.size() << " names)";
    }
  }

  // Notes the member names of a JSON input during the clean run.
  Json input(Json j) const {
    if (recording_ != nullptr) collect_names(j, *recording_);
    return damaged(std::move(j));
  }

  std::string new_he(const CreateOptions& o = {}) {
    auto he = alice_->health_elements().create(Json{{"descr", "asthma"}, {"note", "salbutamol"}}, o);
    EXPECT_TRUE(he.ok()) << (he.ok() ? "" : he.error().to_string());
    return he.ok() ? he->entity["id"].get<std::string>() : std::string("none");
  }
  Json clean_get(const std::string& id) {
    auto he = alice_->health_elements().get(id);
    EXPECT_TRUE(he.ok()) << (he.ok() ? "" : he.error().to_string());
    return he.ok() ? he->entity : Json::object();
  }

  testing::DevServer server_{":tmpfile:"};
  std::shared_ptr<HostileTransport> hostile_ = std::make_shared<HostileTransport>();
  std::shared_ptr<keys::KeyStore> alice_keys_ = std::make_shared<keys::InMemoryKeyStore>();
  std::unique_ptr<CardinalSdk> alice_, bob_;
  Json patient_;
  std::optional<Damage> current_;
  std::set<std::string>* recording_ = nullptr;
  // State the operations share between prepare and run.
  std::string id_;
  std::vector<std::string> ids_;
  Json entity_;
  std::vector<EntityRevision> revisions_;
};

TEST_F(WrongTypes, SingleEntityCalls) {
  attack({"get", [&] { id_ = new_he(); }, [&] { return alice_->health_elements().get(id_).status(); }});
  attack({"create", [] {},
          [&] { return alice_->health_elements().create(input(Json{{"descr", "d"}, {"tags", Json::array()}})).status(); }});
  attack({"modify", [&] { entity_ = clean_get(new_he()); },
          [&] {
            Json e = entity_;
            e["descr"] = "changed";
            e = input(std::move(e));
            return alice_->health_elements().modify(e).status();
          }});
  attack({"modify (merge)", [&] { entity_ = clean_get(new_he()); },
          [&] {
            Json e = entity_;
            e["descr"] = "changed";
            e = input(std::move(e));
            ModifyOptions o;
            o.on_conflict = ConflictPolicy::kMerge;
            return alice_->health_elements().modify(e, o).status();
          }});
  attack({"share", [&] { id_ = new_he(); },
          [&] { return alice_->health_elements().share(id_, "hcp-bob", AccessLevel::kRead).status(); }});
  attack({"remove", [&] { id_ = new_he(); }, [&] { return alice_->health_elements().remove(id_); }});
}

TEST_F(WrongTypes, BulkCalls) {
  attack({"create_many", [] {},
          [&] {
            return first_error(alice_->health_elements().create_many({input(Json{{"descr", "a"}}), input(Json{{"descr", "b"}})}));
          }});
  attack({"get_many", [&] { ids_ = {new_he(), new_he()}; },
          [&] { return first_error(alice_->health_elements().get_many(ids_)); }});
  attack({"modify_many", [&] { entity_ = clean_get(new_he()); },
          [&] { return first_error(alice_->health_elements().modify_many({input(entity_)})); }});
  attack({"remove_many", [&] { ids_ = {new_he(), new_he()}; },
          [&] { return first_error(alice_->health_elements().remove_many(ids_)); }});
  auto removed = [&] {
    ids_ = {new_he(), new_he()};
    auto r = alice_->health_elements().remove_many(ids_);
    ASSERT_OK(r);
    revisions_.clear();
    for (const auto& e : *r) revisions_.push_back(e.ok() ? *e : EntityRevision{});
  };
  attack({"undelete", removed, [&] { return alice_->health_elements().undelete(revisions_[0]).status(); }});
  attack({"purge", removed, [&] { return alice_->health_elements().purge(revisions_[0]).status(); }});
  attack({"undelete_many", removed, [&] { return first_error(alice_->health_elements().undelete_many(revisions_)); }});
  attack({"purge_many", removed, [&] { return first_error(alice_->health_elements().purge_many(revisions_)); }});
}

TEST_F(WrongTypes, Queries) {
  CreateOptions of_patient;
  of_patient.owning_entity_id = patient_["id"].get<std::string>();
  attack({"match", [&] { new_he(); },
          [&] { return alice_->health_elements().match(HealthElementFilters::all_for_self()).status(); }});
  attack({"match by patient", [&] { new_he(of_patient); },
          [&] {
            return alice_->health_elements()
                .match(HealthElementFilters::by_patients_for_self({input(patient_)}))
                .status();
          }});
  attack({"filter", [&] { new_he(); },
          [&]() -> Status {
            CARDINAL_ASSIGN_OR_RETURN(auto it, alice_->health_elements().filter(HealthElementFilters::all_for_self()));
            while (it.has_next()) {
              CARDINAL_ASSIGN_OR_RETURN(auto page, it.next());
              if (!page.issues.empty()) return page.issues.front().error;
            }
            return {};
          }});
  attack({"decrypt_patient_id_of", [&] { entity_ = clean_get(new_he(of_patient)); },
          [&] { return alice_->health_elements().decrypt_patient_id_of(input(entity_)).status(); }});
  attack({"try_decrypt", [&] { entity_ = clean_get(new_he()); },
          [&]() -> Status {
            CARDINAL_ASSIGN_OR_RETURN(auto r, alice_->health_elements().try_decrypt(input(entity_)));
            if (!r.decrypted) return r.error.value_or(Error{ErrorCode::kDecryptionFailed, "not decrypted"});
            return {};
          }});
}

TEST_F(WrongTypes, CryptoCalls) {
  auto& crypto = alice_->crypto();
  attack({"encrypt_new", [] {},
          [&] { return crypto.encrypt_new("HealthElement", input(Json{{"descr", "d"}, {"note", "n"}})).status(); },
          false});  // any content is valid, and the exchange data are known: nothing to notice
  attack({"encrypt", [&] { entity_ = clean_get(new_he()); },
          [&] { return crypto.encrypt("HealthElement", input(entity_)).status(); }});
  attack({"decrypt", [&] {
            auto stored = alice_->health_elements().get(new_he());
            ASSERT_OK(stored);
            auto enc = crypto.encrypt("HealthElement", stored->entity);
            ASSERT_OK(enc);
            entity_ = *enc;
          },
          [&] { return crypto.decrypt("HealthElement", input(entity_)).status(); }});
  attack({"reload", [] {}, [&] { return crypto.reload(); }});
  attack({"create_recovery_key", [] {}, [&] { return crypto.create_recovery_key().status(); }}, 30);
  // No error to return: no exception either.
  hostile_->rewrite([](const HttpRequest&, const std::string& real) -> std::optional<std::string> {
    auto j = parse_json(real);
    if (!j.ok()) return std::nullopt;
    damage(*j, "id", 0);
    return j->dump();
  });
  EXPECT_NO_THROW((void)crypto.access_control_keys("HealthElement"));
  EXPECT_NO_THROW((void)crypto.verified_public_keys());
  hostile_->rewrite(nullptr);
}

TEST_F(WrongTypes, AttachmentsPatientsAndSessions) {
  attack({"attachment upload",
          [&] {
            auto d = alice_->documents().create(Json{{"name", "scan"}});
            ASSERT_OK(d);
            id_ = d->entity["id"];
          },
          [&] {
            std::istringstream in("attachment bytes");
            return alice_->attachments().upload(id_, in).status();
          }});
  attack({"attachment download",
          [&] {
            auto d = alice_->documents().create(Json{{"name", "scan"}});
            ASSERT_OK(d);
            id_ = d->entity["id"];
            std::istringstream in("attachment bytes");
            ASSERT_OK(alice_->attachments().upload(id_, in));
          },
          [&] {
            std::ostringstream out;
            return alice_->attachments().download(id_, out).status();
          }});
  attack({"patients().get", [&] { id_ = patient_["id"]; }, [&] { return alice_->patients().get(id_).status(); }});
  attack({"accept_shared_key",
          [&] {
            CreateOptions to_alice;
            to_alice.share_with = {{"hcp-alice", AccessLevel::kWrite}};
            auto he = bob_->health_elements().create(Json{{"descr", "from bob"}}, to_alice);
            ASSERT_OK(he);
            id_ = he->entity["id"];
          },
          [&] { return alice_->health_elements().accept_shared_key(id_).status(); }});
  // A new session of alice (her keys are in the store: none is made) with damaged answers.
  attack({"initialize", [] {}, [&] { return sign_in(server_, "alice", hostile_, alice_keys_).status(); }});
}

TEST_F(WrongTypes, OwnPatientRecord) {
  auto pat_keys = std::make_shared<keys::InMemoryKeyStore>();
  auto pat_transport = std::make_shared<HostileTransport>();
  hostile_ = pat_transport;  // attack() damages pat's answers
  attack({"initialize_own_patient_record", [] {},
          [&]() -> Status {
            CARDINAL_ASSIGN_OR_RETURN(auto pat, sign_in(server_, "pat", pat_transport, pat_keys));
            return pat->initialize_own_patient_record({{"hcp-alice", AccessLevel::kRead}}).status();
          }},
         30);
}

}  // namespace
}  // namespace cardinal
