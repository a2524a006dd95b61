//===- Lexer.cpp - Tokenizer of the model DSL -----------------------------===//
//
// See Lexer.h. Positions are 1-based lines and byte columns. A run of
// consecutive bad bytes is one error, so binary garbage yields a handful of
// diagnostics rather than one per byte.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Frontend/Lexer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

namespace alexnet::frontend {

namespace {

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

std::string hexByte(uint8_t byte) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", byte);
  return buf;
}

/// The code point of a well-formed UTF-8 sequence of `n` bytes.
uint32_t decodeUtf8(std::string_view s, size_t pos, unsigned n) {
  static const uint8_t leadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t cp = uint8_t(s[pos]) & leadMask[n];
  for (unsigned i = 1; i < n; ++i)
    cp = (cp << 6) | (uint8_t(s[pos + i]) & 0x3F);
  return cp;
}

} // namespace

unsigned utf8Length(std::string_view text, size_t pos) {
  auto at = [&](size_t i) -> int {
    return pos + i < text.size() ? uint8_t(text[pos + i]) : -1;
  };
  int b0 = at(0);
  if (b0 < 0)
    return 0;
  if (b0 < 0x80)
    return 1;
  auto inRange = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  // Table 3-7 of the Unicode standard: the well-formed byte sequences.
  if (inRange(b0, 0xC2, 0xDF))
    return inRange(at(1), 0x80, 0xBF) ? 2 : 0;
  if (inRange(b0, 0xE0, 0xEF)) {
    int lo = b0 == 0xE0 ? 0xA0 : 0x80;
    int hi = b0 == 0xED ? 0x9F : 0xBF;
    return inRange(at(1), lo, hi) && inRange(at(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (inRange(b0, 0xF0, 0xF4)) {
    int lo = b0 == 0xF0 ? 0x90 : 0x80;
    int hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return inRange(at(1), lo, hi) && inRange(at(2), 0x80, 0xBF) &&
                   inRange(at(3), 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

std::string describe(const Token &token) {
  switch (token.kind) {
  case TokenKind::Newline:
    return "newline";
  case TokenKind::EndOfFile:
    return "end of file";
  case TokenKind::Error:
    return "invalid input";
  default:
    return quote(token.text);
  }
}

Lexer::Lexer(std::string_view source, DiagnosticEngine &diags)
    : source(source), diags(diags) {}

SourceRange Lexer::rangeOf(size_t begin, size_t end) const {
  SourceRange r;
  r.line = line;
  r.column = uint32_t(std::min<size_t>(begin - lineStart + 1,
                                       std::numeric_limits<uint32_t>::max()));
  r.length = uint32_t(std::min<size_t>(std::max<size_t>(end - begin, 1),
                                       std::numeric_limits<uint32_t>::max()));
  return r;
}

Token Lexer::make(TokenKind kind, size_t begin) {
  Token t;
  t.kind = kind;
  t.text = source.substr(begin, pos - begin);
  t.loc = rangeOf(begin, pos);
  return t;
}

Token Lexer::next() {
  for (;;) {
    if (pos >= source.size()) {
      Token t;
      t.kind = TokenKind::EndOfFile;
      // Point just past the last line's text rather than at an empty line.
      t.loc = source.empty() || source.back() != '\n' ? rangeOf(pos, pos)
                                                      : lastNewline;
      return t;
    }
    size_t begin = pos;
    char c = source[pos];
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
      ++pos;
      continue;
    case '#':
      skipComment();
      continue;
    case '\n': {
      ++pos;
      Token t = make(TokenKind::Newline, begin);
      lastNewline = t.loc;
      ++line;
      lineStart = pos;
      return t;
    }
    case '{':
      ++pos;
      return make(TokenKind::LBrace, begin);
    case '}':
      ++pos;
      return make(TokenKind::RBrace, begin);
    case '(':
      ++pos;
      return make(TokenKind::LParen, begin);
    case ')':
      ++pos;
      return make(TokenKind::RParen, begin);
    case '[':
      ++pos;
      return make(TokenKind::LBracket, begin);
    case ']':
      ++pos;
      return make(TokenKind::RBracket, begin);
    case ',':
      ++pos;
      return make(TokenKind::Comma, begin);
    case ':':
      ++pos;
      return make(TokenKind::Colon, begin);
    case '=':
      ++pos;
      return make(TokenKind::Equal, begin);
    case '-':
      ++pos;
      return make(TokenKind::Minus, begin);
    case ';':
      ++pos;
      return make(TokenKind::Semicolon, begin);
    default:
      break;
    }
    if (isIdentStart(c))
      return lexIdentifier(begin);
    if (isDigit(c))
      return lexNumber(begin);
    return lexInvalid(begin);
  }
}

void Lexer::skipComment() {
  // Comments may hold any valid UTF-8; report only their first bad byte.
  bool reported = false;
  while (pos < source.size() && source[pos] != '\n') {
    unsigned n = utf8Length(source, pos);
    if (n == 0 && !reported) {
      diags.error(rangeOf(pos, pos + 1), "invalid byte " +
                                             hexByte(uint8_t(source[pos])) +
                                             "; expected UTF-8 text");
      reported = true;
    }
    pos += n ? n : 1;
  }
}

Token Lexer::lexIdentifier(size_t begin) {
  while (pos < source.size() && isIdentChar(source[pos]))
    ++pos;
  return make(TokenKind::Identifier, begin);
}

Token Lexer::lexNumber(size_t begin) {
  bool isFloat = false;
  auto digits = [&] {
    size_t start = pos;
    while (pos < source.size() && isDigit(source[pos]))
      ++pos;
    return pos > start;
  };
  digits();
  bool malformed = false;
  if (pos < source.size() && source[pos] == '.') {
    ++pos;
    isFloat = true;
    malformed |= !digits();
  }
  if (pos < source.size() && (source[pos] == 'e' || source[pos] == 'E')) {
    ++pos;
    isFloat = true;
    if (pos < source.size() && (source[pos] == '+' || source[pos] == '-'))
      ++pos;
    malformed |= !digits();
  }
  // "3x3" or "1.2.3" is one bad literal, not a number followed by a name.
  if (pos < source.size() && (isIdentChar(source[pos]) || source[pos] == '.')) {
    malformed = true;
    while (pos < source.size() &&
           (isIdentChar(source[pos]) || source[pos] == '.'))
      ++pos;
  }
  Token t = make(isFloat ? TokenKind::Float : TokenKind::Integer, begin);
  if (malformed) {
    diags.error(t.loc,
                "expected a number like 3, 0.75 or 1e-4, got " + quote(t.text));
    t.kind = TokenKind::Error;
    return t;
  }
  if (!isFloat) {
    int64_t value = 0;
    for (char d : t.text) {
      int digit = d - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        diags.error(t.loc,
                    "expected an integer of at most " +
                        std::to_string(std::numeric_limits<int64_t>::max()) +
                        ", got " + quote(t.text));
        t.kind = TokenKind::Error;
        return t;
      }
      value = value * 10 + digit;
    }
    t.intValue = value;
    t.floatValue = double(value);
    return t;
  }
  std::string text(t.text);
  double value = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(value)) {
    diags.error(t.loc, "expected a number within the range of a double, got " +
                           quote(t.text));
    t.kind = TokenKind::Error;
    return t;
  }
  t.floatValue = value;
  return t;
}

Token Lexer::lexInvalid(size_t begin) {
  unsigned n = utf8Length(source, pos);
  uint8_t byte = uint8_t(source[pos]);
  std::string message;
  if (n == 0) {
    message = "invalid byte " + hexByte(byte) + "; expected UTF-8 text";
    // Swallow the whole run of bad bytes: one error per run.
    while (pos < source.size() && utf8Length(source, pos) == 0)
      ++pos;
  } else if (n > 1) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "U+%04X",
                  unsigned(decodeUtf8(source, pos, n)));
    message = "unexpected character '" + std::string(source.substr(pos, n)) +
              "' (" + buf + ")";
    pos += n;
  } else if (byte < 0x20 || byte == 0x7f) {
    message = "unexpected control character " + hexByte(byte);
    ++pos;
  } else {
    message = "unexpected character '" + std::string(1, char(byte)) + "'";
    ++pos;
  }
  Token t = make(TokenKind::Error, begin);
  diags.error(t.loc, message);
  return t;
}

} // namespace alexnet::frontend
