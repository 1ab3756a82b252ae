// A Service and a Node as the operator reads them (the driver UI's Service and the node its NodePort is reached
// on), parsed once into values like kube::Pod.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/kube/object_meta.h"

namespace spark_operator::kube {

struct ServicePort {
  std::string name;
  int64_t port = 0;
  int64_t target_port = 0;  // 0 when it names a port rather than numbering it.
  int64_t node_port = 0;
};

struct Service {
  ObjectMeta meta;
  std::string type;
  StringMap selector;
  std::vector<ServicePort> ports;
};

struct NodeAddress {
  std::string type;  // InternalIP, ExternalIP, Hostname...
  std::string address;
};

struct Node {
  ObjectMeta meta;
  std::vector<NodeAddress> addresses;
};

// Lenient like ParsePod.
Service ParseService(const rapidjson::Value& service);
Node ParseNode(const rapidjson::Value& node);

}  // namespace spark_operator::kube
