#pragma once
// The `bulkhead` subcommands. Each returns the process exit code.

#include <cstdint>
#include <string>

namespace bulkhead::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string data = "./data";
  std::string base_domain = "localhost";
  int threads = 0;                            // 0: the number of cores
  int64_t session_ttl_seconds = 14 * 24 * 3600;
};

int RunServe(const ServeOptions& options);
int RunOrgList(const std::string& data, bool json);
int RunOrgShow(const std::string& data, const std::string& slug, bool json);

}  // namespace bulkhead::cli
