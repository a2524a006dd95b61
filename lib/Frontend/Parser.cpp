//===- Parser.cpp - Recursive-descent parser of the model DSL -------------===//
//
// See Parser.h for the contract and docs/DSL.md for the grammar. A statement
// may continue on the next line only after '(', '[' or ',' (or when the next
// line starts with the closing bracket), so a missing ')' is reported at the
// end of its own line and the next statement still parses.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Parser.h"

#include <string>

namespace alexnet::frontend {

namespace {

/// A range from the start of `first` to the end of `last`, or `first` alone
/// when they sit on different lines.
SourceRange span(SourceRange first, SourceRange last) {
  if (first.line != last.line || last.column < first.column)
    return first;
  SourceRange r = first;
  r.length = last.column + last.length - first.column;
  return r;
}

} // namespace

Parser::Parser(std::string_view source, DiagnosticEngine &diags)
    : lexer(source, diags), diags(diags) {}

const Token &Parser::peek(size_t ahead) {
  while (lookahead.size() <= ahead)
    lookahead.push_back(lexer.next());
  return lookahead[ahead];
}

Token Parser::consume() {
  Token t = peek();
  lookahead.pop_front();
  return t;
}

void Parser::errorExpected(std::string_view what) {
  // A lexical error token was already reported by the lexer.
  if (at(TokenKind::Error))
    return;
  diags.error(peek().loc,
              "expected " + std::string(what) + ", got " + describe(peek()));
}

bool Parser::expect(TokenKind kind, std::string_view what) {
  if (at(kind)) {
    consume();
    return true;
  }
  errorExpected(what);
  return false;
}

void Parser::skipNewlines() {
  while (at(TokenKind::Newline))
    consume();
}

bool Parser::skipNewlinesBefore(TokenKind closer) {
  size_t n = 0;
  while (peek(n).is(TokenKind::Newline))
    ++n;
  if (!peek(n).is(closer))
    return false;
  while (n--)
    consume();
  return true;
}

bool Parser::atBlockStart() {
  return (peek().isWord("model") || peek().isWord("train")) &&
         peek(1).is(TokenKind::Identifier) && peek(2).is(TokenKind::LBrace);
}

File Parser::parseFile() {
  File file;
  for (;;) {
    while (at(TokenKind::Newline) || at(TokenKind::Semicolon))
      consume();
    if (at(TokenKind::EndOfFile) || diags.tooManyErrors())
      return file;
    if (peek().isWord("model")) {
      ModelBlock block;
      if (parseBlock(block, [&](ModelBlock &b) { return parseModelStmt(b); }))
        file.models.push_back(std::move(block));
    } else if (peek().isWord("train")) {
      TrainBlock block;
      if (parseBlock(block, [&](TrainBlock &b) { return parseTrainEntry(b); }))
        file.trains.push_back(std::move(block));
    } else {
      errorExpected("a 'model' or 'train' block");
      skipToBlock();
    }
  }
}

void Parser::skipToBlock() {
  for (;;) {
    Token t = consume();
    if (t.is(TokenKind::EndOfFile) || diags.tooManyErrors())
      return;
    if (t.is(TokenKind::Newline) && atBlockStart())
      return;
  }
}

void Parser::skipStatement() {
  for (;;) {
    if (at(TokenKind::RBrace) || at(TokenKind::EndOfFile))
      return;
    Token t = consume();
    if (t.is(TokenKind::Newline) || t.is(TokenKind::Semicolon))
      return;
  }
}

bool Parser::expectStatementEnd() {
  if (at(TokenKind::Newline) || at(TokenKind::Semicolon)) {
    consume();
    return true;
  }
  if (at(TokenKind::RBrace) || at(TokenKind::EndOfFile))
    return true;
  errorExpected("newline or ';' after the statement");
  return false;
}

template <typename Block, typename ParseStmt>
bool Parser::parseBlock(Block &block, ParseStmt parseStmt) {
  Token keyword = consume();
  block.keywordLoc = keyword.loc;
  if (!at(TokenKind::Identifier)) {
    errorExpected("a model name after " + quote(keyword.text));
    skipToBlock();
    return false;
  }
  Token name = consume();
  block.name = std::string(name.text);
  block.nameLoc = name.loc;
  if (!at(TokenKind::LBrace)) {
    errorExpected("'{' after the model name");
    skipToBlock();
    return false;
  }
  std::string what =
      (keyword.text == "model" ? "model " : "train block ") + quote(block.name);
  SourceRange brace = consume().loc;
  for (;;) {
    if (diags.tooManyErrors())
      return true;
    if (at(TokenKind::Newline) || at(TokenKind::Semicolon)) {
      consume();
      continue;
    }
    if (at(TokenKind::RBrace)) {
      consume();
      return true;
    }
    if (at(TokenKind::EndOfFile) || atBlockStart()) {
      diags.error(peek().loc, "expected '}' to close " + what + ", got " +
                                  describe(peek()));
      diags.note(brace, "block opened here");
      return true;
    }
    if (!parseStmt(block))
      skipStatement();
  }
}

bool Parser::parseModelStmt(ModelBlock &block) {
  if (at(TokenKind::Error))
    return false;
  if (!at(TokenKind::Identifier)) {
    errorExpected("a statement (batch, input, output, loss or NAME = op(...))");
    return false;
  }
  ModelStmt stmt;
  const Token &first = peek();
  stmt.keywordLoc = first.loc;
  bool ok = true;
  if (first.isWord("batch") && peek(1).is(TokenKind::Equal)) {
    stmt.kind = ModelStmt::Kind::Batch;
    stmt.name = "batch";
    stmt.nameLoc = consume().loc;
    consume(); // '='
    stmt.value = parseExpr(1);
    ok = stmt.value != nullptr;
  } else if (first.isWord("input") && !peek(1).is(TokenKind::Equal)) {
    stmt.kind = ModelStmt::Kind::Input;
    consume();
    ok = parseInput(stmt);
  } else {
    // `output NAME = ...` and `loss NAME = ...`; `output = ...` is a layer
    // that happens to be called "output".
    if ((first.isWord("output") || first.isWord("loss")) &&
        !peek(1).is(TokenKind::Equal)) {
      stmt.role = first.isWord("output") ? Role::Output : Role::Loss;
      std::string keyword(first.text);
      consume();
      if (!at(TokenKind::Identifier)) {
        errorExpected("a layer name after '" + keyword + "'");
        return false;
      }
    }
    Token name = consume();
    stmt.name = std::string(name.text);
    stmt.nameLoc = name.loc;
    if (!expect(TokenKind::Equal, "'=' after " + quote(name.text))) {
      ok = false;
    } else if (!at(TokenKind::Identifier) || !peek(1).is(TokenKind::LParen)) {
      errorExpected("an op call like relu(x)");
      ok = false;
    } else {
      stmt.value = parseCall(1);
      ok = stmt.value != nullptr;
    }
  }
  stmt.broken = !ok;
  block.stmts.push_back(std::move(stmt));
  return ok && expectStatementEnd();
}

bool Parser::parseInput(ModelStmt &stmt) {
  if (!at(TokenKind::Identifier)) {
    errorExpected("an input name after 'input'");
    return false;
  }
  Token name = consume();
  stmt.name = std::string(name.text);
  stmt.nameLoc = name.loc;
  if (!expect(TokenKind::Colon, "':' and a type after " + quote(name.text)))
    return false;
  if (!at(TokenKind::Identifier)) {
    errorExpected("an element type (f32 or i32)");
    return false;
  }
  Token type = consume();
  stmt.dtype = std::string(type.text);
  stmt.dtypeLoc = type.loc;
  if (!at(TokenKind::LBracket)) {
    errorExpected("'[' and the dimensions after " + quote(type.text));
    return false;
  }
  std::unique_ptr<Expr> dims = parseList(1);
  if (!dims)
    return false;
  stmt.dims = std::move(dims->elements);
  return true;
}

bool Parser::parseTrainEntry(TrainBlock &block) {
  if (at(TokenKind::Error))
    return false;
  if (!at(TokenKind::Identifier)) {
    errorExpected("a setting like 'epochs = 90'");
    return false;
  }
  TrainEntry entry;
  Token key = consume();
  entry.key = std::string(key.text);
  entry.keyLoc = key.loc;
  if (expect(TokenKind::Equal, "'=' after " + quote(key.text)))
    entry.value = parseExpr(1);
  entry.broken = entry.value == nullptr;
  bool ok = !entry.broken;
  block.entries.push_back(std::move(entry));
  return ok && expectStatementEnd();
}

bool Parser::checkDepth(unsigned depth) {
  if (depth <= kMaxNesting)
    return true;
  diags.error(peek().loc, "expected nesting depth of at most " +
                              std::to_string(kMaxNesting) + ", got deeper");
  return false;
}

std::unique_ptr<Expr> Parser::parseExpr(unsigned depth) {
  if (!checkDepth(depth))
    return nullptr;
  auto literal = [](const Token &t) {
    auto e = std::make_unique<Expr>();
    e->kind =
        t.is(TokenKind::Integer) ? Expr::Kind::Integer : Expr::Kind::Float;
    e->loc = t.loc;
    e->intValue = t.intValue;
    e->floatValue = t.floatValue;
    e->text = std::string(t.text);
    return e;
  };
  switch (peek().kind) {
  case TokenKind::Integer:
  case TokenKind::Float:
    return literal(consume());
  case TokenKind::Minus: {
    Token minus = consume();
    if (!at(TokenKind::Integer) && !at(TokenKind::Float)) {
      errorExpected("a number after '-'");
      return nullptr;
    }
    Token number = consume();
    auto e = literal(number);
    e->intValue = -e->intValue;
    e->floatValue = -e->floatValue;
    e->text = "-" + e->text;
    e->loc = span(minus.loc, number.loc);
    return e;
  }
  case TokenKind::Identifier: {
    if (peek(1).is(TokenKind::LParen))
      return parseCall(depth);
    Token name = consume();
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Name;
    e->loc = name.loc;
    e->text = std::string(name.text);
    return e;
  }
  case TokenKind::LBracket:
    return parseList(depth);
  default:
    errorExpected("a number, name, call or list");
    return nullptr;
  }
}

std::unique_ptr<Expr> Parser::parseCall(unsigned depth) {
  if (!checkDepth(depth))
    return nullptr;
  Token callee = consume();
  consume(); // '('
  auto call = std::make_unique<Expr>();
  call->kind = Expr::Kind::Call;
  call->loc = callee.loc;
  call->text = std::string(callee.text);
  skipNewlines();
  if (at(TokenKind::RParen)) {
    consume();
    return call;
  }
  for (;;) {
    skipNewlines();
    Arg arg;
    if (at(TokenKind::Identifier) && peek(1).is(TokenKind::Equal)) {
      Token keyword = consume();
      consume(); // '='
      arg.keyword = std::string(keyword.text);
      arg.keywordLoc = keyword.loc;
    }
    arg.value = parseExpr(depth + 1);
    if (!arg.value)
      return nullptr;
    call->args.push_back(std::move(arg));
    if (at(TokenKind::Comma)) {
      consume();
      continue;
    }
    if (skipNewlinesBefore(TokenKind::RParen)) {
      consume();
      return call;
    }
    errorExpected("',' or ')' after the argument");
    return nullptr;
  }
}

std::unique_ptr<Expr> Parser::parseList(unsigned depth) {
  Token open = consume(); // '['
  auto list = std::make_unique<Expr>();
  list->kind = Expr::Kind::List;
  list->loc = open.loc;
  for (;;) {
    skipNewlines();
    std::unique_ptr<Expr> element = parseExpr(depth + 1);
    if (!element)
      return nullptr;
    list->elements.push_back(std::move(element));
    if (at(TokenKind::Comma)) {
      consume();
      continue;
    }
    if (skipNewlinesBefore(TokenKind::RBracket)) {
      list->loc = span(open.loc, consume().loc);
      return list;
    }
    errorExpected("',' or ']' after the list element");
    return nullptr;
  }
}

} // namespace alexnet::frontend
