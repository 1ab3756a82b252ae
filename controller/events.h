// Kubernetes Events about SparkApplications, behind a small interface so reconciler tests can record them in
// memory. The real one is common/kube/event_recorder.h (queued, aggregated, never blocks a reconcile).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

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

// Events held until the status write they go with has succeeded: a write lost to a Conflict is made again by the
// next reconcile, which would otherwise record its Events twice.
class DeferredEvents final : public Events {
 public:
  void Normal(const rapidjson::Value&, const std::string& reason, const std::string& message) override {
    held_.push_back({false, reason, message});
  }
  void Warning(const rapidjson::Value&, const std::string& reason, const std::string& message) override {
    held_.push_back({true, reason, message});
  }
  // Records them about `object` (the app as just written) and forgets them.
  void FlushTo(Events& events, const rapidjson::Value& object) {
    for (const Held& e : held_) {
      if (e.warning) {
        events.Warning(object, e.reason, e.message);
      } else {
        events.Normal(object, e.reason, e.message);
      }
    }
    held_.clear();
  }

 private:
  struct Held {
    bool warning;
    std::string reason;
    std::string message;
  };
  std::vector<Held> held_;
};

}  // namespace spark_operator::controller
