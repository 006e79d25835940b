#include "core/integration.hpp"

#include <algorithm>

#include "core/uuid.hpp"

namespace bulkhead::core {

bool IsIntegrationKind(std::string_view kind) {
  return std::find(kIntegrationKinds.begin(), kIntegrationKinds.end(), kind) !=
         kIntegrationKinds.end();
}

std::vector<std::string_view> RequiredIntegrationConfig(std::string_view kind) {
  if (kind == "aws") return {"region"};
  if (kind == "gcp") return {"project_id"};
  if (kind == "azure") return {"tenant_id", "subscription_id"};
  if (kind == "kubernetes") return {"server"};
  return {};
}

void ValidateIntegrationConfig(std::string_view kind, const nlohmann::json& config,
                               std::vector<FieldError>& errors) {
  if (!config.is_object()) {
    errors.push_back({"config", "must be a JSON object"});
    return;
  }
  if (config.dump().size() > kMaxIntegrationConfigBytes) {
    errors.push_back({"config", "must be at most 16 KiB"});
    return;
  }
  for (std::string_view name : RequiredIntegrationConfig(kind)) {
    std::string field = "config." + std::string(name);
    auto it = config.find(std::string(name));
    if (it == config.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      errors.push_back(
          {field, "is required for kind " + std::string(kind) + " (a non-empty string)"});
      continue;
    }
    const auto& text = it->get_ref<const std::string&>();
    if (name == "server" && !text.starts_with("https://") && !text.starts_with("http://")) {
      errors.push_back({field, "must be the API server's http(s) URL"});
    }
  }
}

void ValidateIntegrationCredentials(const nlohmann::json& credentials,
                                    std::vector<FieldError>& errors) {
  if (!credentials.is_object()) {
    errors.push_back({"credentials", "must be an object of strings"});
    return;
  }
  for (const auto& [key, value] : credentials.items()) {
    if (!value.is_string()) {
      errors.push_back({"credentials." + key, "must be a string"});
      return;
    }
  }
  if (credentials.dump().size() > kMaxIntegrationCredentialsBytes) {
    errors.push_back({"credentials", "must be at most 16 KiB"});
  }
}

Result<std::optional<std::string>> SpecIntegrationId(const nlohmann::json& spec) {
  if (!spec.is_object()) return std::optional<std::string>{};
  auto it = spec.find("integration_id");
  if (it == spec.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string() || !IsUuid(it->get_ref<const std::string&>())) {
    return Error::Validation("spec.integration_id", "must be an integration's id");
  }
  return std::optional<std::string>{it->get<std::string>()};
}

}  // namespace bulkhead::core
