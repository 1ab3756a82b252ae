// Which fields of spec.driver and spec.executor go into the pod template the controller gives Spark
// (controller/pod_template.h) rather than into Spark's own settings. Validation needs the answer without
// building the template: a user's own remote executor template (spark.kubernetes.executor.podTemplateFile)
// cannot be combined with one of ours, because Spark reads a single file and the controller cannot merge a file
// it has not fetched. The volume rule lives here so that the template builder and validation share it; a unit
// test (tests/unit/controller/pod_fields_test.cc) holds the builder to the list.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/types.h"

namespace spark_operator::api {

// A volumeMount that Spark mounts itself (spark.kubernetes.<role>.volumes.<kind>.<name>.*): the volume is a
// hostPath, emptyDir, persistentVolumeClaim or nfs, the pod mounts it once, and neither it nor the mount uses a
// field Spark's settings cannot say. Every other mount goes through the template.
struct SparkVolume {
  std::string kind;  // hostPath, emptyDir, persistentVolumeClaim or nfs.
  std::string name;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
  std::vector<std::pair<std::string, std::string>> options;  // options.<key> = value.
};

// `mount` (a VolumeMount) of `volume` (a Volume) as a Spark volume, when they say only what Spark's settings
// can; the caller has checked the volume is mounted once.
std::optional<SparkVolume> AsSparkVolume(const rapidjson::Value& volume, const rapidjson::Value& mount);

// The fields of `pod` (spec.driver or spec.executor, named `path`) that are set and go into the pod template,
// as "<path>.<field>" in the order of the field reference; empty when the role's template says nothing of the
// user's. Values that do not parse count as set (never so for objects the API server stored).
std::vector<std::string> PodTemplateFields(const SparkApplicationSpec& spec, const PodSpec& pod,
                                           const std::string& path);

}  // namespace spark_operator::api
