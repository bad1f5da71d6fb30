// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// JSON parsing and the typed crypto model views: any byte string gives a value or a typed error.
// parse_json (its own one-pass parser, src/common/json_parser.cpp) is also compared with
// nlohmann::json::parse: within the limits, the same texts are accepted and give the same value.
// The compact serialiser (src/common/json_writer.cpp, behind every encryptedSelf) is compared with
// nlohmann's dump on every parsed value: the same bytes.
#include <cardinal/model/crypto_model.hpp>

#include "common/json_writer.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = parse_json(text);
  if (text.find('\0') == std::string_view::npos) {
    // Differential: the fuzzer's inputs (-max_len) stay far below the size limit, and nlohmann's
    // recursion is safe at the nesting of such inputs; deeper than the limit is ours to refuse.
    // (Not with a NUL byte: nlohmann takes it for the end of the input and accepts `{}\0junk`;
    // parse_json refuses what follows, the stricter reading.)
    bool reference_ok = true;
    Json reference;
    try {
      reference = Json::parse(text.begin(), text.end());
    } catch (const Json::exception&) {
      reference_ok = false;
    }
    if (j.ok() != reference_ok) {
      const bool too_deep = !j.ok() && j.error().message().find("deeper") != std::string::npos;
      if (!too_deep) std::abort();  // accepted by one parser only
    }
    if (j.ok() && reference_ok && (*j != reference || j->dump() != reference.dump())) std::abort();
  }
  if (j.ok()) {
    // (A parsed value holds valid UTF-8 only: dump cannot throw, and the serialiser must not refuse.)
    auto ours = detail::write_compact_json(*j, size % 2 == 0 ? 1 : 1024);
    if (!ours.ok() || *ours != j->dump(-1, ' ', false, Json::error_handler_t::strict)) std::abort();
  }
  if (!j.ok()) return 0;
  (void)model::ExchangeData::from_json(*j);
  (void)model::ExchangeDataMap::from_json(*j);
  (void)model::DataOwner::from_with_type(*j);
  (void)model::SecureDelegation::from_json(*j);
  (void)model::secure_delegations_of(*j);
  auto ed = model::ExchangeData::from_json(*j);
  if (ed.ok()) {
    auto again = model::ExchangeData::from_json(ed->to_json());
    if (!again.ok() || again->id != ed->id) std::abort();  // round trip must hold
  }
  return 0;
}
