//===- Parser.h - Recursive-descent parser of the model DSL -----*- C++ -*-===//
//
// Builds the syntax tree (AST.h) from tokens. Errors are reported and the
// parser recovers at statement level (skipping to the next newline, ';' or
// '}'), so one run reports every syntax error. Nesting of calls and lists is
// bounded, so no input can exhaust the stack.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_FRONTEND_PARSER_H
#define ALEXNET_FRONTEND_PARSER_H

#include "alexnet/Frontend/AST.h"
#include "alexnet/Frontend/Diagnostics.h"
#include "alexnet/Frontend/Lexer.h"

#include <deque>
#include <memory>
#include <string_view>

namespace alexnet::frontend {

class Parser {
public:
  /// Deepest nesting of calls and lists accepted in one expression.
  static constexpr unsigned kMaxNesting = 64;

  Parser(std::string_view source, DiagnosticEngine &diags);

  /// Parses the whole input. Always returns a tree; check the diagnostic
  /// engine's error count to know whether it is complete.
  File parseFile();

private:
  const Token &peek(size_t ahead = 0);
  Token consume();
  bool at(TokenKind kind) { return peek().is(kind); }
  /// Consumes a token of `kind`, or reports "expected `what`, got X".
  bool expect(TokenKind kind, std::string_view what);
  /// Reports "expected `what`, got <current token>", unless the current
  /// token is a lexical error (already reported).
  void errorExpected(std::string_view what);
  void skipNewlines();
  /// Skips newlines when `closer` follows them (a closing bracket may sit
  /// on its own line); true if the current token is then `closer`.
  bool skipNewlinesBefore(TokenKind closer);
  /// True at `model NAME {` or `train NAME {`: a new top-level block.
  bool atBlockStart();

  /// Parses one statement into `block`; false if it was broken.
  bool parseModelStmt(ModelBlock &block);
  bool parseInput(ModelStmt &stmt);
  bool parseTrainEntry(TrainBlock &block);
  /// Consumes what ends a statement: newline or ';' (a '}' or the end of
  /// the file also end it, unconsumed).
  bool expectStatementEnd();
  /// Skips to the end of the current statement after an error.
  void skipStatement();
  /// Skips to the next line that starts a block.
  void skipToBlock();
  /// Parses `KEYWORD NAME { stmt* }` into `block`, calling `parseStmt`
  /// for each statement; false if the header was too broken to keep.
  template <typename Block, typename ParseStmt>
  bool parseBlock(Block &block, ParseStmt parseStmt);

  std::unique_ptr<Expr> parseExpr(unsigned depth);
  std::unique_ptr<Expr> parseCall(unsigned depth);
  std::unique_ptr<Expr> parseList(unsigned depth);
  bool checkDepth(unsigned depth);

  Lexer lexer;
  DiagnosticEngine &diags;
  std::deque<Token> lookahead;
};

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_PARSER_H
