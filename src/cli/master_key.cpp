#include "cli/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "crypto/seal.hpp"
#include "service/key_ring.hpp"

namespace bulkhead::cli {

using core::Error;

core::Result<std::string> ReadKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error::NotFound("no key file " + path.string());
  if ((st.st_mode & 077) != 0) {
    return Error::Validation("master key file",
                             path.string() + " can be read by other users: chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Error::Internal("cannot read " + path.string());
  if (bytes.size() != crypto::kKeyBytes) {
    return Error::Validation("master key file", path.string() +
                                                    " must hold exactly 32 bytes (it has " +
                                                    std::to_string(bytes.size()) + ")");
  }
  return bytes;
}

core::Status WriteNewKeyFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno == EEXIST ? Error::Make(core::ErrorCode::kConflict,
                                         path.string() + " exists; it is never overwritten")
                           : Error::Internal("cannot create " + path.string());
  }
  std::string key = crypto::NewKey();
  bool written =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(path);
    return Error::Internal("cannot write " + path.string());
  }
  return core::Ok();
}

core::Result<MasterKey> LoadMasterKey(const std::string& key_file,
                                      const std::filesystem::path& data) {
  if (!key_file.empty()) {
    auto key = ReadKeyFile(key_file);
    if (!key.ok()) return key.error();
    return MasterKey{std::move(*key), "file"};
  }
  if (const char* text = std::getenv(kMasterKeyVariable); text && *text) {
    auto key = service::ParseMasterKey(kMasterKeyVariable, text);
    if (!key.ok()) return key.error();
    return MasterKey{std::move(*key), "environment"};
  }
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  auto path = data / "master.key";
  if (!std::filesystem::exists(path)) {
    if (auto st = WriteNewKeyFile(path);
        !st.ok() && st.error().code != core::ErrorCode::kConflict) {
      return st.error();
    }
  }
  auto key = ReadKeyFile(path);
  if (!key.ok()) return key.error();
  return MasterKey{std::move(*key), "development"};
}

}  // namespace bulkhead::cli

namespace bulkhead::cli {

core::Result<MasterKey> LoadExistingMasterKey(const std::string& key_file,
                                              const std::filesystem::path& data) {
  if (key_file.empty() && !std::getenv(kMasterKeyVariable) &&
      !std::filesystem::exists(data / "master.key")) {
    return Error::NotFound(std::string("no master key: give --master-key-file or ") +
                           kMasterKeyVariable);
  }
  return LoadMasterKey(key_file, data);
}

core::Result<std::vector<std::string>> LoadPreviousMasterKeys(
    const std::vector<std::string>& paths) {
  std::vector<std::string> keys;
  for (const auto& path : paths) {
    auto key = ReadKeyFile(path);
    if (!key.ok()) return key.error();
    keys.push_back(std::move(*key));
  }
  return keys;
}

}  // namespace bulkhead::cli
