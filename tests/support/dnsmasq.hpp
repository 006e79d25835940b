#pragma once
// A real DNS server for tests: dnsmasq on 127.0.0.1 and a port of its own, answering only the
// TXT records a test sets (no upstream, no /etc/hosts). dnsmasq reads TXT records only at
// start, so each change restarts it on the same port and waits until it answers.
// Thread-safety: not thread-safe; one test owns it.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bulkhead::testing {

class Dnsmasq {
 public:
  Dnsmasq();  // throws std::runtime_error when dnsmasq cannot start
  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  void SetTxt(const std::string& name, std::vector<std::string> values);
  void RemoveTxt(const std::string& name);

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Restart();
  void Start();
  void Kill();

  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::map<std::string, std::vector<std::string>> records_;
};

}  // namespace bulkhead::testing
