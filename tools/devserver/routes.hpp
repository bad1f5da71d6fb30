// The devserver's resources, one registration function each (one source file each). Server
// registers them in this order; within a resource, fixed paths come before `([^/]+)` patterns.
#pragma once

#include "context.hpp"

namespace devserver {

void register_auth_routes(Context& ctx);           // auth_routes.cpp: login, tokens, current user
void register_data_owner_routes(Context& ctx);     // data_owner_routes.cpp: data owners, stubs, hcparty, device
void register_exchange_data_routes(Context& ctx);  // exchange_data_routes.cpp: exchange data and maps
void register_recovery_routes(Context& ctx);       // recovery_routes.cpp: recovery data
void register_service_routes(Context& ctx);        // service_routes.cpp: services of contacts (match, by ids)
void register_entity_routes(Context& ctx);         // entity_routes.cpp: encryptable entities (+ attachments)
void register_attachment_routes(Context& ctx);     // attachment_routes.cpp: Document attachments
void register_admin_routes(Context& ctx);          // admin_routes.cpp: --insecure-test-admin raw access

// Users and data owners of the --seed file (seed.cpp); throws std::runtime_error when invalid.
void load_seed(Context& ctx);

}  // namespace devserver
