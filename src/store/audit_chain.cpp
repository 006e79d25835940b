#include "store/audit_chain.hpp"

#include "crypto/token.hpp"

namespace bulkhead::store {
namespace {

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

}  // namespace

std::string AuditEventHash(const AuditEventRecord& e) {
  std::string encoded;
  encoded.reserve(256 + e.details.size());
  for (std::string_view field :
       {std::string_view(e.id), std::string_view(e.organization_id), std::string_view(e.actor_type),
        std::string_view(e.actor_id), std::string_view(e.action), std::string_view(e.target_type),
        std::string_view(e.target_id), std::string_view(e.request_id), std::string_view(e.details),
        std::string_view(e.prev_hash)}) {
    AppendField(encoded, field);
  }
  AppendField(encoded, std::to_string(e.ts));
  AppendField(encoded, std::to_string(e.seq));
  return crypto::HashToken(encoded);
}

Status LinkAuditEvent(Connection& c, std::string_view chain, AuditEventRecord& event) {
  auto head =
      c.Query("SELECT seq, hash FROM audit_chain_heads WHERE chain = $1", {std::string(chain)});
  if (!head.ok()) return head.error();
  event.seq = head->empty() ? 1 : head->front().Int(0) + 1;
  event.prev_hash = head->empty() ? "" : head->front().Text(1);
  event.hash = AuditEventHash(event);
  // The head exists after the first event: a plain update, cheaper than an upsert.
  auto moved =
      head->empty()
          ? c.Execute("INSERT INTO audit_chain_heads (chain, seq, hash) VALUES ($1, $2, $3)",
                      {std::string(chain), event.seq, event.hash})
          : c.Execute("UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain = $1",
                      {std::string(chain), event.seq, event.hash});
  if (!moved.ok()) return moved.error();
  return core::Ok();
}

std::optional<ChainBreak> VerifyChain(std::string_view chain,
                                      const std::vector<AuditEventRecord>& events,
                                      std::optional<std::pair<int64_t, std::string>> head) {
  std::string previous_hash;
  int64_t expected_seq = 1;
  for (const auto& e : events) {
    auto broken = [&](std::string reason) {
      return ChainBreak{std::string(chain), e.id, e.seq, std::move(reason)};
    };
    if (e.seq != expected_seq) {
      return broken("expected position " + std::to_string(expected_seq) + ", found " +
                    std::to_string(e.seq) + " (events removed or reordered)");
    }
    if (e.prev_hash != previous_hash) return broken("does not link to the event before it");
    if (AuditEventHash(e) != e.hash) return broken("its fields do not match its hash");
    previous_hash = e.hash;
    ++expected_seq;
  }
  int64_t last_seq = expected_seq - 1;
  if (!head) {
    if (events.empty()) return std::nullopt;
    return ChainBreak{std::string(chain), "", last_seq, "the chain head is missing"};
  }
  if (head->first != last_seq || head->second != previous_hash) {
    return ChainBreak{std::string(chain), "", last_seq + 1,
                      "the head records " + std::to_string(head->first) + " events but " +
                          std::to_string(last_seq) +
                          " verify (the newest events were removed or changed)"};
  }
  return std::nullopt;
}

Result<std::vector<std::pair<std::string, std::pair<int64_t, std::string>>>> ChainHeads(
    Connection& c) {
  auto rows = c.Query("SELECT chain, seq, hash FROM audit_chain_heads ORDER BY chain");
  if (!rows.ok()) return rows.error();
  std::vector<std::pair<std::string, std::pair<int64_t, std::string>>> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), {r.Int(1), r.Text(2)}});
  return out;
}

Status DeleteChainHead(Connection& c, std::string_view chain) {
  auto r = c.Execute("DELETE FROM audit_chain_heads WHERE chain = $1", {std::string(chain)});
  if (!r.ok()) return r.error();
  return core::Ok();
}

}  // namespace bulkhead::store
