//===- DriverArgs.h - Subcommand flag parsing -------------------*- C++ -*-===//
//
// The small option parser every subcommand of the emitted executable shares:
// GNU-style long flags ("--name value" or "--name=value"), boolean flags,
// positional arguments, and "--" to end flags. Everything it rejects is a
// usage error (exit status 2).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DRIVER_DRIVERARGS_H
#define ALEXNET_LIB_RUNTIME_DRIVER_DRIVERARGS_H

#include "Core/Status.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// One flag a subcommand accepts: its name with the dashes ("--weights")
/// and whether it takes a value.
struct FlagSpec {
  const char *name;
  bool takesValue = true;
};

/// A subcommand's parsed arguments.
class ParsedArgs {
public:
  /// Parses `args` (the words after the subcommand). Unknown flags, missing
  /// values, repeated flags and, unless `allowPositional`, positional
  /// arguments are errors.
  static Expected<ParsedArgs> parse(const std::vector<std::string> &args,
                                    std::initializer_list<FlagSpec> flags,
                                    bool allowPositional = false);

  /// Whether `flag` was given.
  bool has(const std::string &flag) const { return values.count(flag) != 0; }

  /// The value of `flag`, or null when it was not given.
  const std::string *get(const std::string &flag) const;

  /// The value of `flag`; an error naming it when absent.
  Expected<std::string> required(const std::string &flag) const;

  /// The integer value of `flag` in [min, max], or `fallback` when absent.
  Expected<int64_t> integer(const std::string &flag, int64_t fallback,
                            int64_t min, int64_t max) const;

  /// The finite number value of `flag` in [min, max], or `fallback`.
  Expected<double> real(const std::string &flag, double fallback, double min,
                        double max) const;
  /// The unsigned 64-bit value of `flag` (decimal or 0x hex), or `fallback`.
  Expected<uint64_t> unsignedInteger(const std::string &flag,
                                     uint64_t fallback) const;

  const std::vector<std::string> &positional() const { return positionals; }

private:
  std::map<std::string, std::string> values;
  std::vector<std::string> positionals;
};

/// Whether `args` asks for help ("--help" or "-h" before any "--").
bool wantsHelp(const std::vector<std::string> &args);

/// The `--threads` value: at least 1, defaulting to the hardware
/// concurrency.
Expected<int> threadCount(const ParsedArgs &args);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DRIVER_DRIVERARGS_H
