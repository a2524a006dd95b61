//===- Status.h - Error values for the runtime ------------------*- C++ -*-===//
//
// The runtime reports failures as values, not exceptions: a `Status` is either
// success or a human-readable message, and an `Expected<T>` is either a `T` or
// such a message. Messages follow the project style: lower-case, no final
// period, and they start with the file they are about ("w.axw: empty file").
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CORE_STATUS_H
#define ALEXNET_LIB_RUNTIME_CORE_STATUS_H

#include <cassert>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace alexnet::runtime {

/// Success, or an error message.
class [[nodiscard]] Status {
public:
  /// Success.
  Status() = default;

  static Status success() { return Status(); }
  /// An error; `message` must not be empty.
  static Status error(std::string message) {
    assert(!message.empty() && "an error needs a message");
    Status s;
    s.failed = true;
    s.text = message.empty() ? std::string("unknown error") : std::move(message);
    return s;
  }

  bool ok() const { return !failed; }
  /// The error message; empty on success.
  const std::string &message() const { return text; }

  /// Prefixes the message with `context + ": "`; success stays success.
  Status &addContext(const std::string &context) {
    if (failed)
      text = context + ": " + text;
    return *this;
  }

private:
  bool failed = false;
  std::string text;
};

/// A value of type `T`, or an error message.
template <typename T>
class [[nodiscard]] Expected {
public:
  Expected(T value) : value(std::move(value)) {}
  /// An error. Constructing from a successful `Status` is a programming error;
  /// it is turned into an error rather than an empty value.
  Expected(Status status) : status(std::move(status)) {
    assert(!this->status.ok() && "Expected built from a successful Status");
    if (this->status.ok())
      this->status = Status::error("internal error: no value and no error");
  }

  bool ok() const { return value.has_value(); }
  /// The error; success when a value is held.
  const Status &error() const { return status; }
  const std::string &message() const { return status.message(); }

  T &operator*() & {
    assert(ok());
    return *value;
  }
  const T &operator*() const & {
    assert(ok());
    return *value;
  }
  T *operator->() {
    assert(ok());
    return &*value;
  }
  const T *operator->() const {
    assert(ok());
    return &*value;
  }
  /// Moves the value out.
  T take() {
    assert(ok());
    return std::move(*value);
  }

private:
  std::optional<T> value;
  Status status;
};

/// `text` in single quotes for an error message: control and non-ASCII bytes
/// as \xNN, cut to `limit` bytes, so a corrupt name cannot garble a terminal.
inline std::string quoteText(std::string_view text, size_t limit = 200) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > limit)
    out += "...";
  return out + "'";
}

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_CORE_STATUS_H
