//===- Token.h - Tokens of the model DSL ------------------------*- C++ -*-===//
//
// The lexer's output. Keywords are contextual (model, train, batch, input,
// output, loss are plain identifiers the parser recognises by position), so
// the token set is small.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_TOKEN_H
#define ALEXNET_FRONTEND_TOKEN_H

#include "alexnet/Frontend/Graph.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace alexnet::frontend {

enum class TokenKind {
  Identifier,
  Integer,
  Float,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Equal,
  Minus,
  Semicolon,
  Newline,
  EndOfFile,
  /// A lexical error, already reported; the parser recovers silently.
  Error,
};

struct Token {
  TokenKind kind = TokenKind::EndOfFile;
  /// The token's bytes in the source; empty for EndOfFile.
  std::string_view text;
  SourceRange loc;
  /// Value of an Integer token (always fits in int64; larger literals are
  /// lexical errors).
  int64_t intValue = 0;
  /// Value of a Float or Integer token.
  double floatValue = 0.0;

  bool is(TokenKind k) const { return kind == k; }
  /// True for an identifier spelled `word`.
  bool isWord(std::string_view word) const {
    return kind == TokenKind::Identifier && text == word;
  }
};

/// How a token is named in "expected X, got Y" messages: "identifier 'x'",
/// "'{'", "newline", "end of file".
std::string describe(const Token &token);

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_TOKEN_H
