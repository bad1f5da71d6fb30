// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The compact JSON serialiser behind engine::compact_json. Its output is byte for byte nlohmann's
// `dump(-1, ' ', false, error_handler_t::strict)` (tests/unit/json_writer_test.cpp compares both
// on edge cases and mutated documents; tests/fuzz/fuzz_model_json does on every parsed input):
// - strings: `"` `\` and the control characters escaped as nlohmann does (\b \t \n \f \r, the
//   others as \u00xx in lower-case hex), everything else copied raw (DEL and non-ASCII included);
//   UTF-8 checked per multi-byte sequence (RFC 3629, as nlohmann's decoder: no overlong forms,
//   no surrogates, nothing above U+10FFFF, no truncated sequence);
// - integers by std::to_chars (the same digits as nlohmann's); doubles by nlohmann's own
//   shortest round-trip routine (nlohmann::detail::to_chars, Grisu2, the one dump calls), so they
//   are identical by construction; NaN and infinities as `null`;
// - binary values and `discarded` as nlohmann writes them (the SDK never builds them).
// It differs in speed (plain runs are scanned 8 bytes at a time and copied at once into one
// buffer, no per-character virtual output call), in having no recursion (an explicit stack: a
// value built deeper than any parser allows is no stack overflow), in wiping the buffer it
// outgrows, and in reporting invalid UTF-8 as an error value instead of an exception.

#include "common/json_writer.hpp"

#include "common/utf8.hpp"

#include <cardinal/secret.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cardinal::detail {

namespace {

// Bytes a string may contain as they are: printable ASCII (DEL included) except '"' and '\\'.
constexpr std::array<bool, 256> kRaw = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

// Nonzero when one of the 8 bytes of `w` is below 0x20, '"', '\\' or 0x80 and above.
constexpr std::uint64_t special_bytes(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto zero_in = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return (((w - kOnes * 0x20) & ~w) | zero_in(w ^ (kOnes * '"')) | zero_in(w ^ (kOnes * '\\')) | w) & kHigh;
}

class Writer {
 public:
  explicit Writer(std::size_t size_hint) {
    buf_.resize(size_hint < 64 ? 64 : size_hint);
    stack_.reserve(16);
  }

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { secure_wipe(buf_.data(), buf_.size()); }

  Result<std::string> run(const Json& root) {
    if (!write(root)) {
      return Error{ErrorCode::kInvalidArgument,
                   "JSON contains invalid UTF-8 (byte " + std::to_string(bad_byte_) + " of the " +
                       (bad_in_key_ ? "key of a member of " : "string at ") + where() +
                       "): only valid UTF-8 text can be serialised"};
    }
    buf_.resize(len_);  // (keeps the allocation: nothing is copied or left behind)
    return std::move(buf_);
  }

 private:
  struct Frame {
    const Json* container;
    std::size_t index;
    std::size_t size;
    bool object;
  };

  static const Json::object_t& members(const Json& v) { return *v.get_ptr<const Json::object_t*>(); }
  static const Json::array_t& elements(const Json& v) { return *v.get_ptr<const Json::array_t*>(); }

  // The value `root` and everything it contains, with an explicit stack; false on invalid UTF-8.
  bool write(const Json& root) {
    const Json* v = &root;
    for (;;) {
      if (v->is_object() && !v->empty()) {
        const auto& m = members(*v);
        put('{');
        stack_.push_back(Frame{v, 0, m.size(), true});
        if (!key(m.front().first)) return false;
        v = &m.front().second;
        continue;
      }
      if (v->is_array() && !v->empty()) {
        const auto& a = elements(*v);
        put('[');
        stack_.push_back(Frame{v, 0, a.size(), false});
        v = &a.front();
        continue;
      }
      if (!scalar(*v)) return false;
      // After a complete value: the next member or element, or close containers.
      for (;;) {
        if (stack_.empty()) return true;
        Frame& f = stack_.back();
        if (++f.index < f.size) {
          put(',');
          if (f.object) {
            const auto& member = members(*f.container).data()[f.index];
            if (!key(member.first)) return false;
            v = &member.second;
          } else {
            v = &elements(*f.container)[f.index];
          }
          break;
        }
        put(f.object ? '}' : ']');
        stack_.pop_back();
      }
    }
  }

  bool key(const std::string& k) {
    if (!string(k)) {
      bad_in_key_ = true;
      return false;
    }
    put(':');
    return true;
  }

  bool scalar(const Json& v) {
    switch (v.type()) {
      case Json::value_t::object: put("{}", 2); return true;
      case Json::value_t::array: put("[]", 2); return true;
      case Json::value_t::string: return string(*v.get_ptr<const Json::string_t*>());
      case Json::value_t::boolean:
        if (*v.get_ptr<const Json::boolean_t*>()) {
          put("true", 4);
        } else {
          put("false", 5);
        }
        return true;
      case Json::value_t::number_integer: integer(*v.get_ptr<const Json::number_integer_t*>()); return true;
      case Json::value_t::number_unsigned: integer(*v.get_ptr<const Json::number_unsigned_t*>()); return true;
      case Json::value_t::number_float: floating(*v.get_ptr<const Json::number_float_t*>()); return true;
      case Json::value_t::binary: binary(*v.get_ptr<const Json::binary_t*>()); return true;
      case Json::value_t::discarded: put("<discarded>", 11); return true;
      case Json::value_t::null: put("null", 4); return true;
    }
    put("null", 4);  // (not reached: every value_t is listed)
    return true;
  }

  template <class Int>
  void integer(Int x) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, x);
    put(digits, static_cast<std::size_t>(r.ptr - digits));
  }

  void floating(double x) {
    if (!std::isfinite(x)) {
      put("null", 4);
      return;
    }
    std::array<char, 64> digits{};
    const char* end = nlohmann::detail::to_chars(digits.data(), digits.data() + digits.size(), x);
    put(digits.data(), static_cast<std::size_t>(end - digits.data()));
  }

  void binary(const Json::binary_t& b) {
    put("{\"bytes\":[", 10);
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (i != 0) put(',');
      integer(static_cast<unsigned>(b[i]));
    }
    put("],\"subtype\":", 12);
    if (b.has_subtype()) {
      integer(b.subtype());
      put('}');
    } else {
      put("null}", 5);
    }
  }

  // `"s"` escaped; false (the position kept in bad_byte_) when `s` is not valid UTF-8.
  bool string(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    reserve(n + 2);
    buf_[len_++] = '"';
    std::size_t i = 0;
    for (;;) {
      const std::size_t run = i;
      while (i + 8 <= n) {
        std::uint64_t w = 0;
        std::memcpy(&w, p + i, 8);
        if (special_bytes(w) != 0) break;
        i += 8;
      }
      while (i < n && kRaw[p[i]]) ++i;
      put_reserved(p + run, i - run);
      if (i == n) break;
      const unsigned char c = p[i];
      if (c >= 0x80) {
        const std::size_t len = utf8_sequence_length(p + i, n - i);
        if (len == 0) {
          bad_byte_ = i;
          return false;
        }
        put_reserved(p + i, len);
        i += len;
      } else {
        escape(c);
        ++i;
        reserve(n - i + 1);  // (an escape takes more room than the byte it stands for)
      }
    }
    buf_[len_++] = '"';
    return true;
  }

  void escape(unsigned char c) {
    reserve(6);
    char* out = buf_.data() + len_;
    out[0] = '\\';
    switch (c) {
      case '"': out[1] = '"'; len_ += 2; return;
      case '\\': out[1] = '\\'; len_ += 2; return;
      case '\b': out[1] = 'b'; len_ += 2; return;
      case '\t': out[1] = 't'; len_ += 2; return;
      case '\n': out[1] = 'n'; len_ += 2; return;
      case '\f': out[1] = 'f'; len_ += 2; return;
      case '\r': out[1] = 'r'; len_ += 2; return;
      default: break;
    }
    constexpr const char* kHex = "0123456789abcdef";
    out[1] = 'u', out[2] = '0', out[3] = '0', out[4] = kHex[c >> 4], out[5] = kHex[c & 0xF];
    len_ += 6;
  }

  // "/a/0/b" (JSON Pointer of the value being written: the keys on the way are valid UTF-8).
  std::string where() const {
    std::string path;
    const std::size_t complete = bad_in_key_ ? stack_.size() - 1 : stack_.size();
    for (std::size_t d = 0; d < complete; ++d) {
      const Frame& f = stack_[d];
      path += '/';
      path += f.object ? members(*f.container).data()[f.index].first : std::to_string(f.index);
    }
    return path.empty() ? "the root" : path;
  }

  void put(char c) {
    reserve(1);
    buf_[len_++] = c;
  }

  void put(const char* p, std::size_t n) {
    reserve(n);
    put_reserved(p, n);
  }

  void put_reserved(const void* p, std::size_t n) {
    std::memcpy(buf_.data() + len_, p, n);
    len_ += n;
  }

  void reserve(std::size_t n) {
    if (buf_.size() - len_ >= n) return;
    std::string bigger(std::max(buf_.size() * 2, len_ + n), '\0');
    std::memcpy(bigger.data(), buf_.data(), len_);
    secure_wipe(buf_.data(), buf_.size());
    buf_.swap(bigger);
  }

  std::string buf_;
  std::size_t len_ = 0;
  std::vector<Frame> stack_;
  std::size_t bad_byte_ = 0;
  bool bad_in_key_ = false;
};

}  // namespace

Result<std::string> write_compact_json(const Json& value, std::size_t size_hint) {
  return Writer(size_hint).run(value);
}

}  // namespace cardinal::detail
