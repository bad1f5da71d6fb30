// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The JSON text parser behind parse_json: one pass, no recursion, building nlohmann's
// ordered_json directly. It accepts exactly what nlohmann::json::parse accepts (RFC 8259, UTF-8
// validated as nlohmann does, an optional UTF-8 BOM) and gives the same values and number types
// (tests/unit/json_parser_test.cpp compares both on edge cases and mutated documents); it is
// several times faster because strings are copied by runs instead of character by character
// through nlohmann's lexer, its token buffer and its error-context buffer.

#include "common/json_parser.hpp"

#include "common/utf8.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

namespace cardinal::detail {

namespace {

// Bytes a string run may contain without a closer look: printable ASCII except '"' and '\\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Parser {
 public:
  Parser(std::string_view text, std::size_t max_depth)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  Result<Json> run() {
    if (end_ - p_ >= 1 && static_cast<unsigned char>(*p_) == 0xEF) {
      if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB || static_cast<unsigned char>(p_[2]) != 0xBF) {
        return malformed();
      }
      p_ += 3;
    }
    Json root;
    if (!parse(root)) return failure();
    skip_ws();
    if (p_ != end_) return malformed();
    return root;
  }

 private:
  struct Frame {
    Json* container;
    bool object;
  };

  // The value at p_ into `root`, then everything it contains, with an explicit stack.
  bool parse(Json& root) {
    Json* target = &root;
    for (;;) {
      skip_ws();
      if (p_ == end_) return false;
      const char c = *p_;
      if (c == '{' || c == '[') {
        if (stack_.size() + 1 > max_depth_) {
          depth_error_ = true;
          return false;
        }
        ++p_;
        *target = c == '{' ? Json::object() : Json::array();
        skip_ws();
        if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
          ++p_;
        } else {
          stack_.push_back(Frame{target, c == '{'});
          target = c == '{' ? member(*target) : element(*target);
          if (target == nullptr) return false;
          continue;
        }
      } else if (c == '"') {
        std::string s;
        if (!string(s)) return false;
        *target = std::move(s);
      } else if (c == '-' || is_digit(c)) {
        if (!number(*target)) return false;
      } else if (!literal(*target)) {
        return false;
      }
      // After a complete value: the next member or element, or close containers.
      for (;;) {
        if (stack_.empty()) return true;
        skip_ws();
        if (p_ == end_) return false;
        const Frame f = stack_.back();
        if (*p_ == ',') {
          ++p_;
          target = f.object ? member(*f.container) : element(*f.container);
          if (target == nullptr) return false;
          break;
        }
        if (*p_ != (f.object ? '}' : ']')) return false;
        ++p_;
        stack_.pop_back();
      }
    }
  }

  // `"key" :` at p_ (after whitespace): the member's slot in `object` (a repeated key reuses
  // its first slot, the last value wins: nlohmann's behaviour).
  Json* member(Json& object) {
    skip_ws();
    if (p_ == end_ || *p_ != '"') return nullptr;
    std::string key;
    if (!string(key)) return nullptr;
    skip_ws();
    if (p_ == end_ || *p_ != ':') return nullptr;
    ++p_;
    return &object[std::move(key)];
  }

  static Json* element(Json& array) {
    array.get_ref<Json::array_t&>().emplace_back();
    return &array.get_ref<Json::array_t&>().back();
  }

  void skip_ws() {
    while (p_ != end_ && is_ws(*p_)) ++p_;
  }

  bool literal(Json& out) {
    const auto rest = static_cast<std::size_t>(end_ - p_);
    const std::string_view at(p_, rest);
    if (at.starts_with("true")) {
      out = true;
      p_ += 4;
    } else if (at.starts_with("false")) {
      out = false;
      p_ += 5;
    } else if (at.starts_with("null")) {
      out = nullptr;
      p_ += 4;
    } else {
      return false;
    }
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; integers as unsigned (non-negative) or
  // integer (negative) when they fit 64 bits, otherwise (and fractions, exponents) double.
  bool number(Json& out) {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (integral) {
      if (*start == '-') {
        std::int64_t v = 0;
        if (std::from_chars(start, p_, v).ec == std::errc()) {
          out = v;
          return true;
        }
      } else {
        std::uint64_t v = 0;
        if (std::from_chars(start, p_, v).ec == std::errc()) {
          out = v;
          return true;
        }
      }
    }
    double d = 0;
    const auto r = std::from_chars(start, p_, d);
    if (r.ec == std::errc() && r.ptr == p_) {
      out = d;
      return true;
    }
    if (r.ec != std::errc::result_out_of_range) return false;
    // Overflow or underflow (rare): nlohmann's own conversion decides (infinity, zero, subnormal).
    try {
      out = Json::parse(start, p_);
    } catch (const Json::exception&) {
      return false;
    }
    return true;
  }

  // A string at p_ (on its opening quote), unescaped and UTF-8 checked, into `out`.
  bool string(std::string& out) {
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ != end_ && kPlain[static_cast<unsigned char>(*p_)]) ++p_;
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (!escape(out)) return false;
      } else if (c < 0x20) {
        return false;
      } else if (!utf8_sequence(out)) {
        return false;
      }
    }
  }

  // One multi-byte UTF-8 sequence at p_ (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF).
  bool utf8_sequence(std::string& out) {
    const std::size_t len = utf8_sequence_length(reinterpret_cast<const unsigned char*>(p_),  // NOLINT
                                                 static_cast<std::size_t>(end_ - p_));
    if (len == 0) return false;
    out.append(p_, len);
    p_ += len;
    return true;
  }

  bool hex4(unsigned& v) {
    if (end_ - p_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = p_[i];
      unsigned d = 0;
      if (h >= '0' && h <= '9') {
        d = static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<unsigned>(h - 'A' + 10);
      } else {
        return false;
      }
      v = (v << 4) | d;
    }
    p_ += 4;
    return true;
  }

  bool escape(std::string& out) {
    ++p_;
    if (p_ == end_) return false;
    const char e = *p_++;
    switch (e) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    unsigned cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Error malformed() const {
    return Error{ErrorCode::kMalformedInput,
                 "malformed JSON at byte offset " + std::to_string(static_cast<std::size_t>(p_ - begin_))};
  }

  Error failure() const {
    if (!depth_error_) return malformed();
    return Error{ErrorCode::kMalformedInput, "JSON nested deeper than " + std::to_string(max_depth_) +
                                                 " levels refused (at byte offset " +
                                                 std::to_string(static_cast<std::size_t>(p_ - begin_)) + ")"};
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t max_depth_;
  bool depth_error_ = false;
  std::vector<Frame> stack_;
};

}  // namespace

Result<Json> parse_json_text(std::string_view text, std::size_t max_depth) { return Parser(text, max_depth).run(); }

}  // namespace cardinal::detail
