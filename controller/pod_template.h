// The pod templates the controller gives Spark (spark.kubernetes.{driver,executor}.podTemplateFile): the
// user's spec.<role>.podTemplate with the spec's pod fields that Spark has no setting for laid over it. Lists
// (tolerations, sidecars, volumes, ...) are appended to the template's; single values (affinity, security
// contexts, ...) replace the template's. Spark's own settings then win over the template, as Spark documents.
// Pure: the reconciler writes the text to a file and the native submitter reads it back.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "api/template_fields.h"
#include "api/types.h"
#include "common/base/status.h"

namespace spark_operator::controller {

enum class PodRole { kDriver, kExecutor };

// A mount Spark makes itself (api/template_fields.h has the rule, which validation shares).
using SparkVolume = api::SparkVolume;

// The volumeMounts of one pod role, split between Spark's settings and the pod template. Both the template and
// spark-submit's arguments need the split, so a submission makes it once (SplitMounts) and hands it to both.
struct PodMounts {
  std::vector<SparkVolume> by_spark;
  // The other mounts, in spec order, and the spec.volumes they name (each once, in order of first mount):
  // those Spark's settings cannot say, and every mount of a volume mounted more than once.
  std::vector<rapidjson::Document> template_mounts;
  std::vector<rapidjson::Document> template_volumes;
};

struct SpecMounts {
  PodMounts driver;
  PodMounts executor;

  const PodMounts& Of(PodRole role) const { return role == PodRole::kDriver ? driver : executor; }
};

// The spec's mounts of both roles, each volume and mount parsed once. InvalidArgument when a mount names no
// volume of spec.volumes (validation refuses that first) or a value does not parse.
Result<SpecMounts> SplitMounts(const api::SparkApplicationSpec& spec);

// The template for `role` as a Pod (JSON, which Spark reads as YAML), with the mounts SplitMounts gave to the
// template; `base` is a Pod the caller starts from (for the driver, the app as owner) or null. "" when the
// template would say nothing (executors without pod fields). InvalidArgument when a KubeValue does not parse
// (never for objects the API server stored).
Result<std::string> PodTemplate(const api::SparkApplicationSpec& spec, PodRole role, const SpecMounts& mounts,
                                const rapidjson::Value* base);

// The name of the Spark container in a template PodTemplate wrote; "" when it has no containers. Spark is told
// (spark.kubernetes.<role>.podTemplateContainerName) so that it and the initializer pick the same container.
std::string TemplateSparkContainer(const std::string& pod_template);

}  // namespace spark_operator::controller
