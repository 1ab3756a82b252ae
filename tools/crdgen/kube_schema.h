// The schemas of Kubernetes core types (a Toleration, a Container, a PodTemplateSpec) in the form a CRD may
// hold, made from the OpenAPI v3 schemas the pinned Kubernetes release publishes (api/openapi/core_v1.json,
// written by tools/openapi/extract.sh and compiled in). The API server then checks the fields of a
// SparkApplication that carry core objects exactly as it checks a Pod's.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace spark_operator::api {

// The structural schema of `type` (e.g. "io.k8s.api.core.v1.Toleration"): references inlined, defaults left out,
// descriptions cut to their first sentence and to the first levels of fields (whole, the CRD would come near
// what the API server stores: tools/crdgen/kube_schema.cc has the figures), Quantity and IntOrString as
// x-kubernetes-int-or-string, ObjectMeta as labels and annotations only. Aborts for a type the file lacks: a
// mistake in api/fields.h that the generator's tests catch.
rapidjson::Value KubeTypeSchema(std::string_view type, rapidjson::Document::AllocatorType& a);

}  // namespace spark_operator::api
