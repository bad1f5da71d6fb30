// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The REST backend's handling of arbitrary server answers (status and body chosen by the input).
#include "api/rest_backend.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  if (size < 2) return 0;
  const int status = 100 + (data[0] % 5) * 100 + data[1] % 10;
  const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
  api::RestBackend backend([&](const transport::ApiRequest&) -> Result<transport::ApiResponse> {
    return transport::ApiResponse{status, body};
  });
  (void)backend.current_data_owner();
  (void)backend.current_hierarchy();
  (void)backend.data_owner_stub("x");
  (void)backend.get_entity("HealthElement", "x", {});
  (void)backend.bulk_share("HealthElement", api::BulkShareRequest{}, {});
  (void)backend.get_by_ids({"x"});
  (void)backend.get_maps({"k"});
  (void)backend.get_by_participant("x");
  (void)backend.get_by_delegator_delegate("a", "b");
  model::ExchangeData ed;
  ed.id = "x";
  (void)backend.create(ed);
  return 0;
}
