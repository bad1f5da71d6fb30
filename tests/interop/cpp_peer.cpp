// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The C++ side of the cross-SDK interop test (driven by cross_sdk.mjs): one command per run,
// keys kept in an encrypted key store file between runs, JSON on stdout.
//
//   cpp_peer <url> <login> <password> <keyfile> init
//   cpp_peer ... create <Type> <json> <owner-id|-> [<delegate>:<READ|WRITE> ...]
//   cpp_peer ... share <Type> <id> <delegate> <READ|WRITE>
//   cpp_peer ... share-many <Type> <id> <delegate>:<READ|WRITE>[:<secret id>|:NONE] ...
//                (one bulk request; the secret id: share exactly it; → {"entity", "outcomes"})
//   cpp_peer ... add-secret-id <Type> <id> <secret id>   (a second secret id of verified provenance)
//   cpp_peer ... get <Type> <id>
//   cpp_peer ... get-checked <Type> <id>         → {"entity", "warnings"}
//   cpp_peer ... upload-attachment <documentId> <text>
//   cpp_peer ... download-attachment <documentId>   → {"text", "verified", "warnings"}
//   cpp_peer ... modify <Type> <json>            (optimistic: a stale rev fails with kConflict)
//   cpp_peer ... accept <Type> <id>              (accept_shared_key: write under a key others shared)
//   cpp_peer ... init-own-patient [<delegate>:<READ|WRITE> ...]
//   cpp_peer ... exchange-pairs
//   cpp_peer ... query <Type> <how> ...           (see cpp_peer_query.hpp)
// `share` prints {"entity": …, "outcome": "NEW"|"UPGRADED"|"EXTENDED"|"ALREADY_SHARED"}.

#include <cardinal/crypto/encoding.hpp>

#include "api/sdk_core.hpp"
#include "cpp_peer_query.hpp"
#include "share_support.hpp"
#include "httplib_api_call.hpp"

#include <algorithm>
#include <iostream>

namespace {
using namespace cardinal;

int fail(const Error& e) {
  std::cerr << "cpp_peer: " << e.to_string() << "\n";
  return 1;
}

AccessLevel level_of(const std::string& s) {
  return s == "WRITE" ? AccessLevel::kWrite : AccessLevel::kRead;
}

const char* outcome_name(ShareOutcome o) {
  switch (o) {
    case ShareOutcome::kUpgraded: return "UPGRADED";
    case ShareOutcome::kExtended: return "EXTENDED";
    case ShareOutcome::kAlreadyShared: return "ALREADY_SHARED";
    case ShareOutcome::kNewShare: break;
  }
  return "NEW";
}

// "<delegate>:<READ|WRITE>[:<secret id>|:NONE]" → the delegate and its options.
std::pair<std::string, ShareOptions> delegate_of(const std::string& arg) {
  const auto c1 = arg.find(':');
  const auto c2 = arg.find(':', c1 + 1);
  ShareOptions o{.level = level_of(arg.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1))};
  if (c2 != std::string::npos) {
    const std::string secret = arg.substr(c2 + 1);
    o.share_secret_ids = secret == "NONE" ? SecretIdsToShare::none() : SecretIdsToShare::exactly({secret});
  }
  return {arg.substr(0, c1), o};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: cpp_peer <url> <login> <password> <keyfile> <command> ...\n";
    return 2;
  }
  const std::string url = argv[1];
  const auto colon = url.rfind(':');
  const int port = std::atoi(url.c_str() + colon + 1);
  std::vector<std::string> args(argv + 5, argv + argc);

  api::CoreOptions o;
  std::vector<TamperReport> events;
  o.backend =
      std::make_shared<api::RestBackend>(cardinal::testing::httplib_api_call("127.0.0.1", port, argv[2], argv[3]));
  // Test keys: a real encrypted key store, with cheap scrypt parameters to keep the test fast.
  auto store = keys::EncryptedFileKeyStore::open(argv[4], SecretBytes::from_string("interop"), keys::ScryptParams{10, 8, 1});
  if (!store.ok()) return fail(store.error());
  o.keys = *store;
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  o.on_tamper = [&](const TamperReport& e) { events.push_back(e); };
  auto backend = o.backend;
  auto core = api::SdkCore::start(std::move(o));
  if (!core.ok()) return fail(core.error());
  auto& sdk = **core;
  const std::string& cmd = args[0];
  Json out;
  if (auto query = testing::run_query_command(sdk, args)) {
    if (!query->ok()) return fail(query->error());
    out = std::move(*query).value();
  } else if (cmd == "init") {
    out = Json{{"dataOwnerId", sdk.self().id}};
  } else if (cmd == "create" && args.size() >= 4) {
    auto clear = parse_json(args[2]);
    if (!clear.ok()) return fail(clear.error());
    CreateOptions options;
    if (args[3] != "-") {
      options.owning_entity_id = args[3];
      auto owner = sdk.get("Patient", args[3]);  // link by the patient's secret ids when readable
      if (owner.ok()) options.secret_foreign_keys.assign(owner->secret_ids.begin(), owner->secret_ids.end());
    }
    for (std::size_t i = 4; i < args.size(); ++i) {
      const auto c = args[i].find(':');
      options.share_with.emplace_back(args[i].substr(0, c), level_of(args[i].substr(c + 1)));
    }
    auto r = sdk.create(args[1], std::move(clear).value(), options);
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "share" && args.size() == 5) {
    auto r = sdk.share(args[1], args[2], args[3], level_of(args[4]));
    if (!r.ok()) return fail(r.error());
    out = Json{{"entity", r->entity}, {"outcome", outcome_name(r->share_outcome.value_or(ShareOutcome::kNewShare))}};
  } else if (cmd == "share-many" && args.size() >= 4) {
    auto entity = sdk.get(args[1], args[2]);
    if (!entity.ok()) return fail(entity.error());
    ShareDelegates delegates;
    for (std::size_t i = 3; i < args.size(); ++i) delegates.insert(delegate_of(args[i]));
    auto r = sdk.share_many(args[1], {EntityToShare{entity->entity, delegates}});
    if (!r.ok()) return fail(r.error());
    if (!r->front().ok()) return fail(r->front().error());
    Json outcomes = Json::object();
    for (const auto& [delegate, outcome] : r->front()->delegates) {
      outcomes[delegate] = outcome.ok() ? outcome_name(*outcome) : outcome.error().to_string();
    }
    out = Json{{"entity", r->front()->entity.entity}, {"outcomes", outcomes}};
  } else if (cmd == "add-secret-id" && args.size() == 4) {
    auto entity = sdk.get(args[1], args[2]);
    if (!entity.ok()) return fail(entity.error());
    auto r = testing::add_own_secret_id(sdk, *backend, args[1], entity->entity, args[3]);
    if (!r.ok()) return fail(r.error());
    auto again = sdk.get(args[1], args[2]);
    if (!again.ok()) return fail(again.error());
    out = Json{{"entity", again->entity}, {"secretIds", again->secret_ids}};
  } else if (cmd == "modify" && args.size() == 3) {
    auto clear = parse_json(args[2]);
    if (!clear.ok()) return fail(clear.error());
    auto r = sdk.modify(args[1], *clear);
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "accept" && args.size() == 3) {
    auto r = sdk.accept_shared_key(args[1], args[2]);
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "init-own-patient") {
    std::vector<std::pair<std::string, AccessLevel>> delegates;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const auto c = args[i].find(':');
      delegates.emplace_back(args[i].substr(0, c), level_of(args[i].substr(c + 1)));
    }
    auto r = sdk.initialize_own_patient_record(delegates);
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "get" && args.size() == 3) {
    auto r = sdk.get(args[1], args[2]);
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "get-checked" && args.size() == 3) {
    auto r = sdk.get(args[1], args[2]);
    if (!r.ok()) return fail(r.error());
    out = Json{{"entity", r->entity}, {"warnings", r->warnings}};
  } else if (cmd == "upload-attachment" && args.size() == 3) {
    std::size_t offset = 0;
    const std::string& text = args[2];
    auto r = sdk.upload_attachment(args[1], [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      const std::size_t n = std::min(buf.size(), text.size() - offset);
      std::copy_n(text.begin() + static_cast<std::ptrdiff_t>(offset), n, buf.begin());
      offset += n;
      return n;
    });
    if (!r.ok()) return fail(r.error());
    out = r->entity;
  } else if (cmd == "download-attachment" && args.size() == 2) {
    std::string text;
    auto r = sdk.download_attachment(args[1], [&](std::span<const std::uint8_t> chunk) -> Status {
      text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());  // NOLINT
      return {};
    });
    if (!r.ok()) return fail(r.error());
    out = Json{{"text", text}, {"verified", r->integrity_verified}, {"warnings", r->warnings}};
  } else if (cmd == "exchange-pairs") {
    auto all = backend->get_by_participant(sdk.self().id);
    if (!all.ok()) return fail(all.error());
    out = Json::array();
    for (const auto& r : *all) out.push_back(Json{{"id", r.id}, {"delegator", r.delegator}, {"delegate", r.delegate}});
  } else {
    std::cerr << "cpp_peer: unknown command\n";
    return 2;
  }
  for (const auto& e : events)
    std::cerr << "cpp_peer: tamper report " << e.record_id << ": " << e.error.to_string() << "\n";
  std::cout << out.dump() << std::endl;
  return 0;
}
