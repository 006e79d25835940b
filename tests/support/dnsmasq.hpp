#pragma once
// A real DNS server for tests: /usr/sbin/dnsmasq (package dnsmasq-base), authoritative-only on
// 127.0.0.1 and a UDP/TCP port of its own, answering the TXT records a test sets and NXDOMAIN
// for every other name (no upstream, no /etc/hosts). dnsmasq reads TXT records only at start,
// so each change restarts it on the same port and waits until it answers.
// It also serves one TXT record at "bulkhead-probe.test", which it uses to see that it is up.
// The process dies with the thread that started it (PR_SET_PDEATHSIG), so a crashed test
// leaves nothing behind: create and change it on a thread that outlives it.
// Thread-safety: not thread-safe; one test owns it.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bulkhead::testing {

class Dnsmasq {
 public:
  // Starts with no records. Throws std::runtime_error when dnsmasq cannot start or answer.
  Dnsmasq();
  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  // Replaces the TXT records at `name`: one record per value. Like a DNS provider, dnsmasq
  // splits a value longer than 255 bytes into several character-strings of one record; it
  // also splits at each ',', which is how a test gets a record of several strings.
  // Returns once the restarted server answers; throws std::runtime_error if it does not.
  void SetTxt(const std::string& name, std::vector<std::string> values);
  void RemoveTxt(const std::string& name);

  uint16_t port() const { return port_; }
  // "127.0.0.1:<port>", the form --dns-server and ParseDnsServer take.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Restart();
  void Start();
  void Stop() noexcept;
  bool Answers() const;
  std::string LogTail() const;

  uint16_t port_ = 0;
  pid_t pid_ = -1;
  unsigned generation_ = 0;  // tells this start's answers from those of any earlier server
  std::string log_path_;
  std::map<std::string, std::vector<std::string>> records_;
};

}  // namespace bulkhead::testing
