// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Backend over HTTP: the Cardinal REST API (shared/spec/rest-api.md). Every answer is parsed
// defensively; records the server returns are checked against what was asked (ids, pairs), since
// the server is not trusted.

#include <cardinal/http/transport.hpp>

#include "api/backend.hpp"
#include "transport/api_call.hpp"

#include <functional>
#include <map>

namespace cardinal::api {

/// The `Icure-Access-Control-Keys` header values: base64 of concatenated 16-byte keys, at most
/// 360 keys per value. Errors: kInvalidArgument for a key that is not 16 bytes.
Result<std::vector<std::string>> access_control_key_headers(const AccessKeys& keys);

/// The typed error code of an HTTP status (or of a bulk-share rejection code).
ErrorCode error_code_for_status(int status) noexcept;

/// Maps an HTTP error status to a typed error whose message says in words what happened to
/// `subject` (e.g. "data owner 'x'"); never the body, never a URL.
Error http_error(int status, std::string_view subject);
/// As above, with the request's method, path (query dropped) and status in `Error::http()`.
Error http_error(int status, std::string_view subject, std::string_view method, std::string_view path);

class RestBackend : public Backend {
 public:
  explicit RestBackend(transport::ApiCall call) : call_(std::move(call)) {}

  Result<model::DataOwner> current_data_owner() override;
  Result<std::vector<model::DataOwner>> current_hierarchy() override;
  Result<model::DataOwner> data_owner_stub(const std::string& id) override;
  Result<model::DataOwner> put_data_owner_stub(const model::DataOwner& stub) override;
  Result<std::vector<model::DataOwner>> data_owner_stubs(const std::vector<std::string>& ids) override;
  Status put_exchange_data_maps(const ExchangeDataMapBatch& batch) override;

  Result<Json> create_entity(std::string_view type, const Json& entity, const AccessKeys& keys) override;
  Result<Json> get_entity(std::string_view type, const std::string& id, const AccessKeys& keys) override;
  Result<Json> modify_entity(std::string_view type, const Json& entity, const AccessKeys& keys) override;
  Status delete_entity(std::string_view type, const std::string& id, const std::string& rev,
                       const AccessKeys& keys) override;
  Result<Json> match_entities(std::string_view type, const Json& filter, const AccessKeys& keys) override;
  Result<std::vector<Json>> create_entities(std::string_view type, const std::vector<Json>& entities,
                                            const AccessKeys& keys) override;
  Result<Json> get_entities(std::string_view type, const std::vector<std::string>& ids, const AccessKeys& keys) override;
  Result<std::vector<Json>> modify_entities(std::string_view type, const std::vector<Json>& entities,
                                            const AccessKeys& keys) override;
  Result<std::vector<Json>> delete_entities(std::string_view type, const std::vector<std::string>& ids,
                                            const AccessKeys& keys) override;
  Result<Json> undelete_entity(std::string_view type, const std::string& id, const std::string& rev,
                               const AccessKeys& keys) override;
  Result<Json> purge_entity(std::string_view type, const std::string& id, const std::string& rev,
                            const AccessKeys& keys) override;
  Result<std::vector<Json>> undelete_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                              const AccessKeys& keys) override;
  Result<std::vector<Json>> purge_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                           const AccessKeys& keys) override;
  Result<std::vector<BulkShareResult>> bulk_share(std::string_view type, const BulkShareRequest& request,
                                                  const AccessKeys& keys) override;
  Result<Json> match_services(const Json& filter, const AccessKeys& keys) override;
  Result<Json> get_services(const std::vector<std::string>& ids, const AccessKeys& keys) override;
  Result<Json> create_recovery_data(const Json& record) override;
  Result<Json> upload_attachment(const std::string& document_id, const std::string& rev, BodySource source,
                                 const AccessKeys& keys) override;
  Status download_attachment(const std::string& document_id, BodySink sink, const AccessKeys& keys) override;
  Result<Json> get_recovery_data(const std::string& id) override;

  Result<std::vector<model::ExchangeData>> get_by_ids(const std::vector<std::string>& ids) override;
  Result<std::vector<model::ExchangeDataMap>> get_maps(const std::vector<std::string>& delegation_keys) override;
  Result<std::vector<model::ExchangeData>> get_by_participant(const std::string& data_owner_id) override;
  Result<std::optional<std::vector<model::ExchangeData>>> get_by_participant_bounded(
      const std::string& data_owner_id, std::size_t max_records) override;
  Result<std::vector<model::ExchangeData>> get_by_delegator_delegate(const std::string& delegator,
                                                                     const std::string& delegate) override;
  Result<model::ExchangeData> create(const model::ExchangeData& record) override;
  /// `POST /rest/v2/exchangedata/bulk`; the answer's `{id, rev}` items give the revisions.
  Result<std::vector<model::ExchangeData>> create_many(const std::vector<model::ExchangeData>& records) override;
  Result<model::ExchangeData> update(const model::ExchangeData& record) override;

 private:
  /// `subject` names the record in error messages ("HealthElement 'x'").
  Result<Json> json_call(std::string method, std::string path, const Json* body, bool idempotent,
                         const AccessKeys& keys = {}, std::string_view subject = {});
  transport::ApiCall call_;
};

}  // namespace cardinal::api
