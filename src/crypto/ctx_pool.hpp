// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A few OpenSSL contexts kept ready for one key (internal).
//
// OpenSSL contexts (EVP_CIPHER_CTX, EVP_MAC_CTX, EVP_PKEY_CTX) are not thread-safe, and setting
// one up (allocation, key schedule, parameters) costs more than the operation on a small message.
// A key object that may be shared between threads keeps a small pool: an operation takes a
// context (atomic exchange: the context then belongs to that thread alone), uses it, and gives it
// back. When every slot is taken, the caller builds a fresh context, which is given back if a slot
// is free and freed otherwise. Contexts are freed (and wiped by OpenSSL) with the pool.

#include <array>
#include <atomic>
#include <cstddef>

namespace cardinal::crypto::internal {

template <class Ctx, void (*Free)(Ctx*)>
class CtxPool {
 public:
  static constexpr std::size_t kSlots = 4;

  CtxPool() = default;
  ~CtxPool() {
    for (auto& s : slots_) {
      if (Ctx* c = s.load(std::memory_order_acquire)) Free(c);
    }
  }
  CtxPool(const CtxPool&) = delete;
  CtxPool& operator=(const CtxPool&) = delete;

  /// A context for this thread alone, or null when none is free.
  Ctx* take() noexcept {
    for (auto& s : slots_) {
      if (s.load(std::memory_order_relaxed) == nullptr) continue;
      if (Ctx* c = s.exchange(nullptr, std::memory_order_acquire)) return c;
    }
    return nullptr;
  }

  /// Gives a context back (ready for the next use), or frees it when the pool is full.
  void give(Ctx* c) noexcept {
    for (auto& s : slots_) {
      Ctx* expected = nullptr;
      if (s.compare_exchange_strong(expected, c, std::memory_order_release, std::memory_order_relaxed)) return;
    }
    Free(c);
  }

 private:
  std::array<std::atomic<Ctx*>, kSlots> slots_{};
};

}  // namespace cardinal::crypto::internal
