//===- Lexer.h - Tokenizer of the model DSL ---------------------*- C++ -*-===//
//
// Turns DSL source into tokens on demand. Newlines are tokens (they end
// statements); '#' comments run to the end of the line. Every malformed
// input becomes a reported error and an Error token, never a crash:
// non-UTF-8 bytes, stray characters, integers beyond int64, floats beyond
// double.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_LEXER_H
#define ALEXNET_FRONTEND_LEXER_H

#include "alexnet/Frontend/Diagnostics.h"
#include "alexnet/Frontend/Token.h"

#include <cstddef>
#include <string_view>

namespace alexnet::frontend {

class Lexer {
public:
  Lexer(std::string_view source, DiagnosticEngine &diags);

  /// The next token; EndOfFile forever once the input is exhausted.
  Token next();

private:
  Token make(TokenKind kind, size_t begin);
  Token lexIdentifier(size_t begin);
  Token lexNumber(size_t begin);
  Token lexInvalid(size_t begin);
  void skipComment();
  SourceRange rangeOf(size_t begin, size_t end) const;

  std::string_view source;
  DiagnosticEngine &diags;
  size_t pos = 0;
  uint32_t line = 1;
  size_t lineStart = 0;
  /// Where the end of file is reported when the file ends in a newline.
  SourceRange lastNewline;
};

/// Length of the well-formed UTF-8 sequence starting at `pos` (1 for ASCII),
/// or 0 when the bytes there are not valid UTF-8.
unsigned utf8Length(std::string_view text, size_t pos);

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_LEXER_H
