//===- Diagnostics.h - Errors and notes against DSL source ------*- C++ -*-===//
//
// Collects the front end's errors and notes and prints them compiler style:
//
//   alexnet.nn:5:10: error: unknown op 'conv3d'; did you mean 'conv2d'?
//     conv1 = conv3d(image, filters=4, kernel=3)
//             ^~~~~~
//
// Diagnostics are buffered and printed in source order, so lexical, syntax
// and semantic errors interleave the way the user reads the file.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_DIAGNOSTICS_H
#define ALEXNET_FRONTEND_DIAGNOSTICS_H

#include "alexnet/Frontend/Graph.h"

#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace alexnet::frontend {

class DiagnosticEngine {
public:
  /// Errors beyond this many are dropped and the front end stops early.
  static constexpr unsigned kDefaultErrorLimit = 50;
  /// Echoed source lines longer than this are cut around the column.
  static constexpr size_t kMaxEchoWidth = 120;

  /// `os` may be null: diagnostics are then counted but never printed.
  DiagnosticEngine(std::string_view fileName, std::string_view source,
                   std::ostream *os, unsigned errorLimit = kDefaultErrorLimit);
  /// Prints whatever is still buffered.
  ~DiagnosticEngine();

  /// Reports an error at `loc`; a loc with line 0 prints without position.
  void error(SourceRange loc, std::string message);
  /// Attaches a note to the most recent error (dropped with it, if it was).
  void note(SourceRange loc, std::string message);

  unsigned errorCount() const { return numErrors; }
  /// True once the error limit is reached; callers should stop working.
  bool tooManyErrors() const { return numErrors >= errorLimit; }

  /// Prints the buffered diagnostics in source order and clears them.
  void flush();

  /// Renders one diagnostic (header, echoed line, caret line).
  std::string render(SourceRange loc, std::string_view severity,
                     std::string_view message);

private:
  struct Diagnostic {
    SourceRange loc;
    std::string message;
    std::vector<std::pair<SourceRange, std::string>> notes;
  };

  std::string_view lineText(uint32_t line);

  std::string fileName;
  std::string_view source;
  std::ostream *os;
  unsigned errorLimit;
  unsigned numErrors = 0;
  bool lastDropped = false;
  bool limitReported = false;
  std::vector<Diagnostic> pending;
  /// Byte offset of the start of every line, computed on first use.
  std::vector<size_t> lineStarts;
};

/// `'text'`, with long text cut to keep messages readable.
std::string quote(std::string_view text);

/// The candidate closest to `name` by edit distance, if within 2 edits;
/// empty otherwise. Used for "did you mean 'x'?" hints.
std::string closestMatch(std::string_view name,
                         const std::vector<std::string> &candidates);

/// "; did you mean 'x'?" when a close candidate exists, else "".
std::string didYouMean(std::string_view name,
                       const std::vector<std::string> &candidates);

/// "a, b, c": a list of valid names for "expected one of ..." messages.
std::string joinNames(const std::vector<std::string> &names);

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_DIAGNOSTICS_H
