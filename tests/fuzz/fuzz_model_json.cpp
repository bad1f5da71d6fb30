// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// JSON parsing and the typed crypto model views: any byte string gives a value or a typed error.
#include <cardinal/model/crypto_model.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  auto j = parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
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
