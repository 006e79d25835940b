#pragma once
// Where `serve` gets its master key: --master-key-file FILE (32 random bytes, mode 0600), else
// the BULKHEAD_MASTER_KEY environment variable (64 hex digits or base64), else a development
// key kept in DATA/master.key beside the data it protects, with a loud warning.

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::cli {

struct MasterKey {
  std::string key;     // 32 bytes
  std::string source;  // "file" | "environment" | "development"
};

inline constexpr const char* kMasterKeyVariable = "BULKHEAD_MASTER_KEY";

core::Result<MasterKey> LoadMasterKey(const std::string& key_file,
                                      const std::filesystem::path& data);
// For operator commands: like LoadMasterKey, but never creates the development key.
core::Result<MasterKey> LoadExistingMasterKey(const std::string& key_file,
                                              const std::filesystem::path& data);
// Each file of `paths` (--previous-master-key-file), read as a key file.
core::Result<std::vector<std::string>> LoadPreviousMasterKeys(
    const std::vector<std::string>& paths);
// Reads a key file: exactly 32 bytes, not readable by group or others.
core::Result<std::string> ReadKeyFile(const std::filesystem::path& path);
// Writes 32 random bytes to a new file with mode 0600; refuses to replace an existing one.
core::Status WriteNewKeyFile(const std::filesystem::path& path);

}  // namespace bulkhead::cli
