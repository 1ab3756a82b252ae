// One finalizer of an object, added or removed with a merge patch that carries the resourceVersion it was
// computed from: the finalizers list is replaced whole, so a concurrent change by another controller must make
// the patch a Conflict rather than be overwritten.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>

#include "common/kube/client.h"
#include "common/kube/object_meta.h"
#include "common/kube/resource.h"

namespace spark_operator::controller {

bool HasFinalizer(const rapidjson::Value& object, std::string_view finalizer);
// `meta` may be a cached copy's: on a Conflict the object is read again and the patch retried a few times.
Status AddFinalizer(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                    std::string_view finalizer);
// OK when the object or the finalizer is already gone. `annotations` are set in the same patch, to record why
// the finalizer went.
Status RemoveFinalizer(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                       std::string_view finalizer, const std::map<std::string, std::string>& annotations = {});
// The same for an object as stored (a SparkApplication).
Status AddFinalizer(kube::Client& client, const kube::Resource& resource, const rapidjson::Value& object,
                    std::string_view finalizer);
Status RemoveFinalizer(kube::Client& client, const kube::Resource& resource, const rapidjson::Value& object,
                       std::string_view finalizer, const std::map<std::string, std::string>& annotations = {});

}  // namespace spark_operator::controller
