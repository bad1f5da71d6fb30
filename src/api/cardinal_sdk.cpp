// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "api/entity_queries.hpp"
#include "api/facade_guard.hpp"
#include "common/log.hpp"
#include "api/rest_backend.hpp"
#include "api/sdk_core.hpp"
#include "engine/access_control.hpp"
#include "transport/pipeline.hpp"

#include <istream>
#include <mutex>
#include <ostream>
#include <shared_mutex>

namespace cardinal {

namespace {

// Every call holds `gate` shared; key rotation holds it exclusively (it rebuilds the core's
// managers). Every call runs guarded (api/facade_guard.hpp): no exception crosses the API.
// `Interface` is EntityApi, or the typed API of one kind (api/entity_queries.hpp adds its queries).
template <class Interface = EntityApi>
class EntityApiImpl : public Interface {
 public:
  EntityApiImpl(api::SdkCore& core, std::shared_mutex& gate, std::string type)
      : core_(core), gate_(gate), type_(std::move(type)) {}
  Result<DecryptedEntity> create(Json clear, const CreateOptions& options) override {
    const std::string id = string_member(clear, "id");
    return call("create", id, [&] { return core_.create(type_, std::move(clear), options); });
  }
  Result<DecryptedEntity> get(const std::string& id) override {
    return call("get", id, [&] { return core_.get(type_, id); });
  }
  Result<DecryptedEntity> modify(const Json& clear) override { return modify(clear, ModifyOptions{}); }
  Result<DecryptedEntity> modify(const Json& clear, const ModifyOptions& options) override {
    return call("modify", string_member(clear, "id"), [&] { return core_.modify(type_, clear, options); });
  }
  Result<DecryptedEntity> share(const std::string& id, const std::string& delegate_id, AccessLevel level) override {
    return call("share", id, [&] { return core_.share(type_, id, delegate_id, level); });
  }
  Result<DecryptedEntity> share_with_many(const Json& entity, const ShareDelegates& delegates) override {
    CARDINAL_ASSIGN_OR_RETURN(EntityShareResult r, try_share_with_many(entity, delegates));
    CARDINAL_RETURN_IF_ERROR(r.status());
    if (!r.decrypted.ok()) {
      return Error{r.decrypted.error().code(), "shared with every delegate, but " + r.decrypted.error().message()};
    }
    return std::move(r.entity);
  }
  Result<EntityShareResult> try_share_with_many(const Json& entity, const ShareDelegates& delegates) override {
    std::vector<EntityToShare> one{EntityToShare{entity, delegates}};
    CARDINAL_ASSIGN_OR_RETURN(auto results, share_many(one));
    if (!results.front().ok()) return results.front().error();
    return std::move(results.front()).value();
  }
  Result<BulkResult<EntityShareResult>> share_many(const std::vector<EntityToShare>& entities) override {
    std::shared_lock lock(gate_);
    return core_.share_many(type_, entities);
  }
  Status remove(const std::string& id) override {
    return call("remove", id, [&] { return core_.remove(type_, id); });
  }
  Result<BulkResult<DecryptedEntity>> create_many(std::vector<Json> clear, const CreateOptions& options) override {
    return call("create_many", {}, [&] { return core_.create_many(type_, std::move(clear), options); });
  }
  Result<BulkResult<DecryptedEntity>> get_many(const std::vector<std::string>& ids) override {
    return call("get_many", {}, [&] { return core_.get_many(type_, ids); });
  }
  Result<BulkResult<DecryptedEntity>> modify_many(const std::vector<Json>& clear) override {
    return call("modify_many", {}, [&] { return core_.modify_many(type_, clear); });
  }
  Result<BulkResult<EntityRevision>> remove_many(const std::vector<std::string>& ids) override {
    return call("remove_many", {}, [&] { return core_.remove_many(type_, ids); });
  }
  Result<DecryptedEntity> undelete(const EntityRevision& deleted) override {
    return call("undelete", deleted.id, [&] { return core_.undelete(type_, deleted); });
  }
  Result<EntityRevision> purge(const EntityRevision& entity) override {
    return call("purge", entity.id, [&] { return core_.purge(type_, entity); });
  }
  Result<BulkResult<DecryptedEntity>> undelete_many(const std::vector<EntityRevision>& deleted) override {
    return call("undelete_many", {}, [&] { return core_.undelete_many(type_, deleted); });
  }
  Result<BulkResult<EntityRevision>> purge_many(const std::vector<EntityRevision>& entities) override {
    return call("purge_many", {}, [&] { return core_.purge_many(type_, entities); });
  }
  Result<DecryptedEntity> accept_shared_key(const std::string& id) override {
    return call("accept_shared_key", id, [&] { return core_.accept_shared_key(type_, id); });
  }

 private:
  // `f` under the gate (shared), guarded.
  template <class F>
  auto call(std::string_view operation, std::string_view id, F&& f) -> decltype(f()) {
    return api::guarded({operation, type_, id}, [&] {
      std::shared_lock lock(gate_);
      return f();
    });
  }

  api::SdkCore& core_;
  std::shared_mutex& gate_;
  std::string type_;
};

class CryptoApiImpl : public CryptoApi {
 public:
  CryptoApiImpl(api::SdkCore& core, std::shared_mutex& gate) : core_(core), gate_(gate) {}
  Result<Json> encrypt_new(std::string_view type, Json clear, const CreateOptions& options) override {
    const std::string id = string_member(clear, "id");
    return call({"encrypt_new", type, id}, [&] { return core_.encrypt_new(type, std::move(clear), options); });
  }
  Result<Json> encrypt(std::string_view type, const Json& clear) override {
    return call({"encrypt", type, string_member(clear, "id")}, [&] { return core_.encrypt_existing(type, clear); });
  }
  Result<DecryptedEntity> decrypt(std::string_view type, const Json& encrypted) override {
    return call({"decrypt", type, string_member(encrypted, "id")}, [&] { return core_.decrypt(type, encrypted); });
  }
  std::vector<SecretBytes> access_control_keys(std::string_view type) override {
    auto keys = call({"access_control_keys", type, {}}, [&]() -> Result<std::vector<SecretBytes>> {
      return core_.access_control_keys(type);
    });
    if (keys.ok()) return std::move(keys).value();
    log_warn(keys.error().message());  // this signature has no error: none are returned
    return {};
  }
  Status reload() override {
    return call({"reload", {}, {}}, [&] { return core_.exchange_data().load_all(); });
  }
  Result<SecretBytes> create_recovery_key(std::optional<std::int64_t> lifetime_seconds) override {
    return call({"create_recovery_key", {}, {}}, [&] { return core_.create_recovery_key(lifetime_seconds); });
  }
  Result<std::string> rotate_key() override {
    return api::guarded({"rotate_key", {}, {}}, [&] {
      std::unique_lock lock(gate_);
      return core_.rotate_key();
    });
  }
  const std::string& data_owner_id() const override { return core_.self().id; }
  std::vector<std::string> verified_public_keys() const override {
    auto keys = api::guarded({"verified_public_keys", {}, {}}, [&]() -> Result<std::vector<std::string>> {
      std::shared_lock lock(gate_);
      std::vector<std::string> out;
      for (const auto* k : core_.key_ring().verified_keys_of(core_.self().id))
        out.push_back(k->key.public_key().spki_hex());
      return out;
    });
    if (keys.ok()) return std::move(keys).value();
    log_warn(keys.error().message());
    return {};
  }

 private:
  template <class F>
  auto call(const api::GuardedCall& what, F&& f) -> decltype(f()) {
    return api::guarded(what, [&] {
      std::shared_lock lock(gate_);
      return f();
    });
  }
  static void log_warn(const std::string& message) noexcept {
    try {
      internal::logger()->warn("{}", message);
    } catch (...) {  // logging must not throw out of the API either
    }
  }

  api::SdkCore& core_;
  std::shared_mutex& gate_;
};

class AttachmentApiImpl : public AttachmentApi {
 public:
  AttachmentApiImpl(api::SdkCore& core, std::shared_mutex& gate) : core_(core), gate_(gate) {}
  Result<DecryptedEntity> upload(const std::string& document_id, std::istream& in) override {
    return api::guarded({"attachment upload", "Document", document_id}, [&] {
      std::shared_lock lock(gate_);
      return core_.upload_attachment(document_id, [&in](std::span<std::uint8_t> buf) -> Result<std::size_t> {
        in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));  // NOLINT
        if (in.bad()) return Error{ErrorCode::kIo, "cannot read the attachment"};
        return static_cast<std::size_t>(in.gcount());
      });
    });
  }
  Result<AttachmentDownload> download(const std::string& document_id, std::ostream& out,
                                      const AttachmentDownloadOptions& options) override {
    return api::guarded({"attachment download", "Document", document_id}, [&] {
      std::shared_lock lock(gate_);
      return core_.download_attachment(
          document_id,
          [&out](std::span<const std::uint8_t> chunk) -> Status {
            out.write(reinterpret_cast<const char*>(chunk.data()),  // NOLINT
                      static_cast<std::streamsize>(chunk.size()));
            if (!out) return Error{ErrorCode::kIo, "cannot write the attachment"};
            return {};
          },
          options);
    });
  }

 private:
  api::SdkCore& core_;
  std::shared_mutex& gate_;
};

}  // namespace

struct CardinalSdk::Impl {
  std::shared_ptr<transport::Pipeline> pipeline;
  std::unique_ptr<api::SdkCore> core;
  std::shared_mutex gate;
  std::unique_ptr<CryptoApiImpl> crypto;
  std::unique_ptr<AttachmentApiImpl> attachments;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<EntityApi>, std::less<>> entities;
  // The typed APIs (also what `entities(type)` returns for their types).
  template <class Kind>
  using Typed = api::TypedEntityApiImpl<Kind, EntityApiImpl<TypedEntityApi<Kind>>>;
  std::unique_ptr<Typed<HealthElementKind>> health_elements;
  std::unique_ptr<Typed<PatientKind>> patients;
  std::unique_ptr<api::ContactApiImpl<EntityApiImpl<ContactApi>>> contacts;
  std::unique_ptr<Typed<DocumentKind>> documents;

  void make_typed() {
    health_elements = std::make_unique<Typed<HealthElementKind>>(*core, gate);
    patients = std::make_unique<Typed<PatientKind>>(*core, gate);
    contacts = std::make_unique<api::ContactApiImpl<EntityApiImpl<ContactApi>>>(*core, gate);
    documents = std::make_unique<Typed<DocumentKind>>(*core, gate);
  }

  EntityApi& entity(std::string_view type) {
    if (type == HealthElementKind::kEntityType) return *health_elements;
    if (type == PatientKind::kEntityType) return *patients;
    if (type == ContactKind::kEntityType) return *contacts;
    if (type == DocumentKind::kEntityType) return *documents;
    std::lock_guard lock(mutex);
    auto it = entities.find(type);
    if (it == entities.end()) {
      it = entities.emplace(std::string(type), std::make_unique<EntityApiImpl<>>(*core, gate, std::string(type))).first;
    }
    return *it->second;
  }
};

CardinalSdk::CardinalSdk(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CardinalSdk::~CardinalSdk() = default;

Result<std::unique_ptr<CardinalSdk>> CardinalSdk::initialize(SdkOptions options) {
  return api::guarded({"initialize", {}, options.username}, [&]() -> Result<std::unique_ptr<CardinalSdk>> {
    if (options.base_url.empty()) return Error{ErrorCode::kInvalidArgument, "base_url is required"};
    if (!options.key_store) return Error{ErrorCode::kInvalidArgument, "a key store is required"};
    if (!options.auth && options.username.empty()) {
      return Error{ErrorCode::kInvalidArgument, "credentials (username/password) or an auth provider are required"};
    }
    if (!options.transport) {
      CARDINAL_ASSIGN_OR_RETURN(auto curl, CurlTransport::create());
      options.transport = std::move(curl);
    }
    if (!options.auth) {
      options.auth = UsernamePasswordAuth::create(
          options.transport, UsernamePasswordAuth::Options{options.base_url, options.username, options.password, {}, {}});
    }
    auto impl = std::make_unique<Impl>();
    impl->pipeline =
        std::make_shared<transport::Pipeline>(options.transport, options.auth, options.base_url, options.retry);
    api::CoreOptions core;
    auto pipeline = impl->pipeline;
    core.backend = std::make_shared<api::RestBackend>([pipeline](const transport::ApiRequest& r) { return pipeline->call(r); });
    core.keys = options.key_store;
    core.strategies = options.strategies;
    core.on_tamper = std::move(options.on_tamper);
    core.exchange_data_cache_size = options.exchange_data_cache_size;
    core.manifests = std::move(options.manifests);
    if (!options.recovery_key.empty()) core.recovery_key = options.recovery_key;
    if (!options.trust_state_file.empty()) core.trust_state_file = options.trust_state_file;
    core.trust_state_capacity = options.trust_state_capacity;
    CARDINAL_ASSIGN_OR_RETURN(impl->core, api::SdkCore::start(std::move(core)));
    impl->crypto = std::make_unique<CryptoApiImpl>(*impl->core, impl->gate);
    impl->attachments = std::make_unique<AttachmentApiImpl>(*impl->core, impl->gate);
    impl->make_typed();
    return std::unique_ptr<CardinalSdk>(new CardinalSdk(std::move(impl)));
  });
}

CryptoApi& CardinalSdk::crypto() { return *impl_->crypto; }
HealthElementApi& CardinalSdk::health_elements() { return *impl_->health_elements; }
PatientApi& CardinalSdk::patients() { return *impl_->patients; }
DocumentApi& CardinalSdk::documents() { return *impl_->documents; }
ContactApi& CardinalSdk::contacts() { return *impl_->contacts; }
AttachmentApi& CardinalSdk::attachments() { return *impl_->attachments; }

Result<DecryptedEntity> CardinalSdk::initialize_own_patient_record(
    const std::vector<std::pair<std::string, AccessLevel>>& share_with) {
  return api::guarded({"initialize_own_patient_record", "Patient", {}}, [&] {
    std::shared_lock lock(impl_->gate);
    return impl_->core->initialize_own_patient_record(share_with);
  });
}

Result<PatientShareResult> CardinalSdk::share_all_data_of_patient(const std::string& patient_id,
                                                                 const ShareDelegates& delegates) {
  std::shared_lock lock(impl_->gate);
  return impl_->core->share_all_data_of_patient(patient_id, delegates);
}

Result<EntityApi*> CardinalSdk::entities(std::string_view type) {
  return api::guarded({"entities", type, {}}, [&]() -> Result<EntityApi*> {
    CARDINAL_RETURN_IF_ERROR(api::rest_path_of(type).status());
    if (!engine::is_entity_type(type)) return Error{ErrorCode::kInvalidArgument, "not an encryptable entity type"};
    CARDINAL_RETURN_IF_ERROR(impl_->core->manifest_of(type).status());  // no manifest: nothing goes in clear
    return &impl_->entity(type);
  });
}

}  // namespace cardinal
