#include "common/kube/service.h"

#include "common/base/json.h"

namespace spark_operator::kube {

Service ParseService(const rapidjson::Value& service) {
  Service out;
  out.meta = ParseObjectMeta(service);
  out.type = GetString(service, {"spec", "type"});
  out.selector = ParseStringMap(FindPath(service, {"spec", "selector"}));
  if (const rapidjson::Value* ports = FindPath(service, {"spec", "ports"}); ports && ports->IsArray()) {
    for (const rapidjson::Value& p : ports->GetArray()) {
      out.ports.push_back(
          {GetString(p, {"name"}), GetInt(p, {"port"}), GetInt(p, {"targetPort"}), GetInt(p, {"nodePort"})});
    }
  }
  return out;
}

Node ParseNode(const rapidjson::Value& node) {
  Node out;
  out.meta = ParseObjectMeta(node);
  if (const rapidjson::Value* addresses = FindPath(node, {"status", "addresses"}); addresses && addresses->IsArray()) {
    for (const rapidjson::Value& a : addresses->GetArray()) {
      out.addresses.push_back({GetString(a, {"type"}), GetString(a, {"address"})});
    }
  }
  return out;
}

}  // namespace spark_operator::kube
