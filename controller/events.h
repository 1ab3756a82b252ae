// Kubernetes Events about SparkApplications, behind a small interface so reconciler tests can record them in
// memory. The real one is common/kube/event_recorder.h (queued, aggregated, never blocks a reconcile).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "common/kube/event_recorder.h"

namespace spark_operator::controller {

class Events {
 public:
  virtual ~Events() = default;
  virtual void Normal(const rapidjson::Value& object, const std::string& reason, const std::string& message) = 0;
  virtual void Warning(const rapidjson::Value& object, const std::string& reason, const std::string& message) = 0;
};

class RecorderEvents final : public Events {
 public:
  explicit RecorderEvents(std::shared_ptr<kube::EventRecorder> recorder) : recorder_(std::move(recorder)) {}
  void Normal(const rapidjson::Value& object, const std::string& reason, const std::string& message) override {
    recorder_->Record(object, kube::EventType::kNormal, reason, message);
  }
  void Warning(const rapidjson::Value& object, const std::string& reason, const std::string& message) override {
    recorder_->Record(object, kube::EventType::kWarning, reason, message);
  }

 private:
  std::shared_ptr<kube::EventRecorder> recorder_;
};

}  // namespace spark_operator::controller
