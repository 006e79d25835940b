#include "core/event_types.hpp"

#include <algorithm>

namespace bulkhead::core {

bool IsEventType(std::string_view type) {
  return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

}  // namespace bulkhead::core
