// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// What the SDK needs from the Cardinal backend, as typed calls. The REST implementation is
// RestBackend; tests may substitute their own.

#include <cardinal/http/transport.hpp>
#include <cardinal/json.hpp>
#include <cardinal/model/crypto_model.hpp>
#include <cardinal/secret.hpp>

#include "api/requests.hpp"
#include "engine/exchange_data_manager.hpp"

#include <string>
#include <vector>

namespace cardinal::api {

/// Platform entity type id → REST path segment (HealthElement → "helement").
Result<std::string> rest_path_of(std::string_view entity_type);

/// Access control keys to prove access with (anonymous data owners); empty for others.
using AccessKeys = std::vector<SecretBytes>;

class Backend : public engine::ExchangeDataSource {
 public:
  virtual Result<model::DataOwner> current_data_owner() = 0;
  /// Self first, then parent, grandparent…
  virtual Result<std::vector<model::DataOwner>> current_hierarchy() = 0;
  virtual Result<model::DataOwner> data_owner_stub(const std::string& id) = 0;
  virtual Result<model::DataOwner> put_data_owner_stub(const model::DataOwner& stub) = 0;
  /// `POST /rest/v2/dataowner/stub/byIds`: the stubs of `ids`, in the order asked (one request).
  /// Errors: kNotFound naming the first id the server did not return.
  virtual Result<std::vector<model::DataOwner>> data_owner_stubs(const std::vector<std::string>& ids) = 0;
  /// `PUT /rest/v2/exchangedatamap/batch` (the answer is the text "ok").
  virtual Status put_exchange_data_maps(const ExchangeDataMapBatch& batch) = 0;

  virtual Result<Json> create_entity(std::string_view type, const Json& entity, const AccessKeys& keys) = 0;
  virtual Result<Json> get_entity(std::string_view type, const std::string& id, const AccessKeys& keys) = 0;
  virtual Result<Json> modify_entity(std::string_view type, const Json& entity, const AccessKeys& keys) = 0;
  virtual Status delete_entity(std::string_view type, const std::string& id, const std::string& rev,
                               const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/match` with a filter (its `$type` JSON): the answer as received (an
  /// array of ids from an honest server; read with api::read_match_answer).
  virtual Result<Json> match_entities(std::string_view type, const Json& filter, const AccessKeys& keys) = 0;
  /// Entity batches (kraken-common's v2 controllers). Each returns the server's answer items that
  /// are objects, unmatched: the caller matches them with what it asked.
  /// `POST /rest/v2/<type>/batch` (Patient: `/batch/full`, which answers whole entities).
  virtual Result<std::vector<Json>> create_entities(std::string_view type, const std::vector<Json>& entities,
                                                    const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/byIds` with `{"ids": […]}`: the answer as received (from an honest
  /// server, the entities of `ids` this user may read). Both the query pager and the bulk get read
  /// it with api::read_page_answer, which drops and reports what was not asked, repeated or malformed.
  virtual Result<Json> get_entities(std::string_view type, const std::vector<std::string>& ids,
                                    const AccessKeys& keys) = 0;
  /// `PUT /rest/v2/<type>/batch` (Patient: `/batch/full`).
  virtual Result<std::vector<Json>> modify_entities(std::string_view type, const std::vector<Json>& entities,
                                                    const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/delete/batch` with `{"ids": […]}`; the DocIdentifier items.
  virtual Result<std::vector<Json>> delete_entities(std::string_view type, const std::vector<std::string>& ids,
                                                    const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/undelete/<id>?rev=<rev>`: the entity.
  virtual Result<Json> undelete_entity(std::string_view type, const std::string& id, const std::string& rev,
                                       const AccessKeys& keys) = 0;
  /// `DELETE /rest/v2/<type>/purge/<id>?rev=<rev>`: its DocIdentifier.
  virtual Result<Json> purge_entity(std::string_view type, const std::string& id, const std::string& rev,
                                    const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/undelete/batch` with a ListOfIdsAndRev: the undeleted entities.
  virtual Result<std::vector<Json>> undelete_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                      const AccessKeys& keys) = 0;
  /// `POST /rest/v2/<type>/purge/batch` with a ListOfIdsAndRev: the DocIdentifier items.
  virtual Result<std::vector<Json>> purge_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                   const AccessKeys& keys) = 0;
  /// `PUT /rest/v2/<type>/bulkSharedMetadataUpdate`; the server's EntityBulkShareResult items.
  virtual Result<std::vector<BulkShareResult>> bulk_share(std::string_view type, const BulkShareRequest& request,
                                                          const AccessKeys& keys) = 0;

  /// Services, the entries of Contacts (read with the Contact entity type's access control keys).
  /// `POST /rest/v2/contact/service/match` with a Service filter: the answer as received.
  virtual Result<Json> match_services(const Json& filter, const AccessKeys& keys) = 0;
  /// `POST /rest/v2/contact/service` with `{"ids": […]}`: the answer as received (each service with
  /// its contact's security metadata, from an honest server; read with api::read_page_answer).
  virtual Result<Json> get_services(const std::vector<std::string>& ids, const AccessKeys& keys) = 0;

  virtual Result<Json> create_recovery_data(const Json& record) = 0;
  /// The main attachment of a Document, streamed (already encrypted by the caller).
  virtual Result<Json> upload_attachment(const std::string& document_id, const std::string& rev, BodySource source,
                                         const AccessKeys& keys) = 0;
  virtual Status download_attachment(const std::string& document_id, BodySink sink, const AccessKeys& keys) = 0;
  virtual Result<Json> get_recovery_data(const std::string& id) = 0;
};

}  // namespace cardinal::api
