#pragma once
// `bulkhead serve`'s flags turned into the options of each part it builds (server, services,
// storage, mail, logs), checked before anything is opened. Reads only the key and plan files
// the flags name.

#include <filesystem>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "core/result.hpp"
#include "http/server.hpp"
#include "service/dns_txt_resolver.hpp"
#include "service/environment.hpp"
#include "service/mail_outbox.hpp"
#include "service/webhook_dispatcher.hpp"

namespace bulkhead::cli {

struct ServeConfig {
  http::ServerOptions server;
  service::ServiceConfig service;
  StorageOptions storage;
  std::string master_key_source;  // MasterKey::source
  std::optional<service::DnsServerAddress> dns_server;
  service::MailConfig mail;
  service::WebhookDispatcherOptions webhooks;
  std::filesystem::path routing_log;
  bool tls = false;
};

// An error names the flag at fault (the command exits 2).
core::Result<ServeConfig> ParseServeConfig(const ServeOptions& options);

}  // namespace bulkhead::cli
