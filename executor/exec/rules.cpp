#include "executor/exec/rules.h"

#include "executor/tx/limits.h"

namespace remora::executor {

// The counts are bounded (kAuthenticatorsMax, kInputsMax), so the sum cannot overflow.
static_assert(gas::kPerTransaction + gas::kPerAuthenticator * limits::kAuthenticatorsMax +
                  gas::kPerInput * limits::kInputsMax <
              (std::uint64_t{1} << 32));

std::uint64_t intrinsic_gas(const Transaction& tx) {
    return gas::kPerTransaction + gas::kPerAuthenticator * tx.authenticators.size() +
           gas::kPerInput * tx.inputs.size();
}

}  // namespace remora::executor
