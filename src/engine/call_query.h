// CallQuery: what a front-end codec extracted from one request, protocol-neutral. Fields hold the
// values as received (trimmed); empty means absent.
#pragma once

#include <string>
#include <string_view>

namespace callgate::engine {

struct CallQuery {
  std::string calling_number;  // the number to look up (CURRI: callingnumber, else transformedcgpn)
  std::string called_number;
  std::string transformed_calling;
  std::string transformed_called;
  std::string trigger_point;   // CURRI triggerpointtype
  std::string calling_device;  // CURRI callingdevicename
  std::string_view front_end;  // "curri", ...
};

}  // namespace callgate::engine
