// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// An in-memory ExchangeDataSource (a stand-in for the REST API in engine tests). Thread-safe.

#include "engine/exchange_data_manager.hpp"

#include <atomic>
#include <map>
#include <mutex>

namespace cardinal::testing {

class MemoryExchangeDataSource : public engine::ExchangeDataSource {
 public:
  void add(const model::ExchangeData& r) {
    std::lock_guard lock(mutex_);
    records_[r.id] = r;
  }
  void add_map(const model::ExchangeDataMap& m) {
    std::lock_guard lock(mutex_);
    maps_[m.id] = m;
  }
  std::map<std::string, model::ExchangeData> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  Result<std::vector<model::ExchangeData>> get_by_ids(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    std::vector<model::ExchangeData> out;
    for (const auto& id : ids) {
      if (auto it = records_.find(id); it != records_.end()) out.push_back(it->second);
    }
    return out;
  }
  Result<std::vector<model::ExchangeDataMap>> get_maps(const std::vector<std::string>& keys) override {
    std::lock_guard lock(mutex_);
    std::vector<model::ExchangeDataMap> out;
    for (const auto& k : keys) {
      if (auto it = maps_.find(k); it != maps_.end()) out.push_back(it->second);
    }
    return out;
  }
  Result<std::vector<model::ExchangeData>> get_by_participant(const std::string& id) override {
    std::lock_guard lock(mutex_);
    std::vector<model::ExchangeData> out;
    for (const auto& [k, r] : records_) {
      if (r.delegator == id || r.delegate == id) out.push_back(r);
    }
    return out;
  }
  Result<std::vector<model::ExchangeData>> get_by_delegator_delegate(const std::string& delegator,
                                                                     const std::string& delegate) override {
    std::lock_guard lock(mutex_);
    std::vector<model::ExchangeData> out;
    for (const auto& [k, r] : records_) {
      if (r.delegator == delegator && r.delegate == delegate) out.push_back(r);
    }
    return out;
  }
  Result<model::ExchangeData> create(const model::ExchangeData& r) override {
    std::lock_guard lock(mutex_);
    ++creations;
    model::ExchangeData stored = r;
    stored.rev = "1-x";
    records_[r.id] = stored;
    return stored;
  }
  Result<model::ExchangeData> update(const model::ExchangeData& r) override {
    std::lock_guard lock(mutex_);
    records_[r.id] = r;
    return r;
  }
  std::atomic<int> creations{0};

 private:
  mutable std::mutex mutex_;
  std::map<std::string, model::ExchangeData> records_;
  std::map<std::string, model::ExchangeDataMap> maps_;
};

}  // namespace cardinal::testing
