#pragma once
// The rules of organization integrations (docs/integrations.md): a cloud connection of a kind
// (aws, gcp, azure, kubernetes, custom) with a unique name, a free-form config and credentials
// (an object of strings, sealed by the service). The few config fields a kind cannot work
// without are required here; everything else is the product's to interpret. Pure functions.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::array<std::string_view, 5> kIntegrationKinds = {"aws", "gcp", "azure",
                                                                      "kubernetes", "custom"};
inline constexpr std::size_t kMaxIntegrationName = 100;
inline constexpr std::size_t kMaxIntegrationConfigBytes = 16 * 1024;
inline constexpr std::size_t kMaxIntegrationCredentialsBytes = 16 * 1024;

bool IsIntegrationKind(std::string_view kind);

// The config fields `kind` requires, each a non-empty string (aws: region; gcp: project_id;
// azure: tenant_id, subscription_id; kubernetes: server, an http(s) URL; custom: none).
std::vector<std::string_view> RequiredIntegrationConfig(std::string_view kind);

// `config` must be an object of at most 16 KiB serialized, holding the fields its kind
// requires. Appends one error per problem, fields named "config" or "config.<name>".
void ValidateIntegrationConfig(std::string_view kind, const nlohmann::json& config,
                               std::vector<FieldError>& errors);
// `credentials` must be an object of string values, at most 16 KiB serialized.
void ValidateIntegrationCredentials(const nlohmann::json& credentials,
                                    std::vector<FieldError>& errors);

// The integration a resource spec names: nullopt when `spec.integration_id` is absent or
// null; kValidationFailed (field "spec.integration_id") when it is not an id.
Result<std::optional<std::string>> SpecIntegrationId(const nlohmann::json& spec);

}  // namespace bulkhead::core
