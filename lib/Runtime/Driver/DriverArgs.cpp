//===- DriverArgs.cpp - Subcommand flag parsing ---------------------------===//

#include "Driver/DriverArgs.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace alexnet::runtime {

Expected<ParsedArgs> ParsedArgs::parse(const std::vector<std::string> &args,
                                       std::initializer_list<FlagSpec> flags,
                                       bool allowPositional) {
  ParsedArgs parsed;
  bool flagsEnded = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    bool looksLikeFlag = arg.size() > 1 && arg[0] == '-';
    if (flagsEnded || !looksLikeFlag) {
      if (!allowPositional)
        return Status::error("unexpected argument " + quoteText(arg));
      parsed.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flagsEnded = true;
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    auto spec = std::find_if(flags.begin(), flags.end(),
                             [&](const FlagSpec &f) { return name == f.name; });
    if (spec == flags.end())
      return Status::error("unknown option " + quoteText(name));
    if (parsed.values.count(name))
      return Status::error("option " + name + " given more than once");
    std::string value;
    if (!spec->takesValue) {
      if (eq != std::string::npos)
        return Status::error("option " + name + " takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::error("option " + name + " expects a value");
    }
    parsed.values[name] = value;
  }
  return parsed;
}

const std::string *ParsedArgs::get(const std::string &flag) const {
  auto it = values.find(flag);
  return it == values.end() ? nullptr : &it->second;
}

Expected<std::string> ParsedArgs::required(const std::string &flag) const {
  const std::string *value = get(flag);
  if (!value)
    return Status::error("missing required option " + flag);
  if (value->empty())
    return Status::error("option " + flag + " expects a non-empty value");
  return *value;
}

Expected<int64_t> ParsedArgs::integer(const std::string &flag, int64_t fallback,
                                      int64_t min, int64_t max) const {
  const std::string *value = get(flag);
  if (!value)
    return fallback;
  errno = 0;
  char *end = nullptr;
  long long n = std::strtoll(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || errno == ERANGE)
    return Status::error("option " + flag + ": expected an integer, got " +
                         quoteText(*value));
  if (n < min || n > max)
    return Status::error("option " + flag + ": expected a value in [" +
                         std::to_string(min) + ", " + std::to_string(max) +
                         "], got " + *value);
  return int64_t(n);
}

Expected<double> ParsedArgs::real(const std::string &flag, double fallback,
                                  double min, double max) const {
  const std::string *value = get(flag);
  if (!value)
    return fallback;
  errno = 0;
  char *end = nullptr;
  double x = std::strtod(value->c_str(), &end);
  if (value->empty() || *end != '\0' || errno == ERANGE || !std::isfinite(x))
    return Status::error("option " + flag + ": expected a number, got " +
                         quoteText(*value));
  if (x < min || x > max) {
    std::ostringstream range;
    range << "option " << flag << ": expected a value in [" << min << ", "
          << max << "], got " << *value;
    return Status::error(range.str());
  }
  return x;
}

Expected<uint64_t> ParsedArgs::unsignedInteger(const std::string &flag,
                                               uint64_t fallback) const {
  const std::string *value = get(flag);
  if (!value)
    return fallback;
  errno = 0;
  char *end = nullptr;
  // strtoull accepts a sign and wraps negative numbers: refuse them first.
  // Base 0 would read "010" as octal: only "0x" switches base.
  bool hex = value->size() > 2 && (*value)[0] == '0' &&
             ((*value)[1] == 'x' || (*value)[1] == 'X');
  const char *digits = value->c_str() + (hex ? 2 : 0);
  bool digitFirst = std::isxdigit((unsigned char)digits[0]) &&
                    (hex || std::isdigit((unsigned char)digits[0]));
  unsigned long long n = std::strtoull(digits, &end, hex ? 16 : 10);
  if (!digitFirst || *end != '\0' || errno == ERANGE)
    return Status::error("option " + flag +
                         ": expected an unsigned 64-bit integer, got " +
                         quoteText(*value));
  return uint64_t(n);
}

bool wantsHelp(const std::vector<std::string> &args) {
  for (const std::string &arg : args) {
    if (arg == "--")
      return false;
    if (arg == "--help" || arg == "-h")
      return true;
  }
  return false;
}

Expected<int> threadCount(const ParsedArgs &args) {
  int hardware = int(std::max(1u, std::thread::hardware_concurrency()));
  Expected<int64_t> n = args.integer("--threads", hardware, 1, 4096);
  if (!n.ok())
    return n.error();
  return int(*n);
}

} // namespace alexnet::runtime
