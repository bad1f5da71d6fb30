// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A Backend that checks what another Backend serves against the TrustState: revisions never go
// back, and keys verified before do not vanish from, or move between the OAEP lists of, their
// data owner. What it finds goes to the tamper listener. Rolled-back data owners and exchange
// data are refused (kTamperDetected / left out of lists): they decide who can read new data.
// Rolled-back entities are passed on and flagged, for the entity's warnings.

#include "api/backend.hpp"
#include "api/trust_state.hpp"

#include <memory>

namespace cardinal::api {

class TrackingBackend final : public Backend {
 public:
  TrackingBackend(std::shared_ptr<Backend> inner, std::shared_ptr<TrustState> state, TamperListener on_tamper)
      : inner_(std::move(inner)), state_(std::move(state)), on_tamper_(std::move(on_tamper)) {}

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
  Result<std::vector<model::ExchangeData>> create_many(const std::vector<model::ExchangeData>& records) override;
  Result<model::ExchangeData> update(const model::ExchangeData& record) override;

  [[nodiscard]] TrustState& state() { return *state_; }

 private:
  void report(std::string_view kind, const std::string& id, Error e) const;
  Status check_data_owner(const model::DataOwner& owner);
  void check_entity(std::string_view type, const Json& entity);
  /// False (and reported) when the record is an older revision than one seen before.
  bool fresh(std::string_view kind, const std::string& id, const std::optional<std::string>& rev);
  Result<std::vector<model::ExchangeData>> only_fresh(Result<std::vector<model::ExchangeData>> records);

  std::shared_ptr<Backend> inner_;
  std::shared_ptr<TrustState> state_;
  TamperListener on_tamper_;
};

}  // namespace cardinal::api
