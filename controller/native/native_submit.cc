#include "controller/native/native_submit.h"

#include <thread>
#include <utility>
#include <vector>

#include "common/base/json.h"
#include "common/base/yaml.h"
#include "common/kube/errors.h"
#include "controller/native/settings.h"
#include "controller/native/submit_args.h"

namespace spark_operator::controller::native {
namespace {

constexpr char kAppSelectorLabel[] = "spark-app-selector";

rapidjson::Value PodOwnerReference(const rapidjson::Value& pod, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value ref(rapidjson::kObjectType);
  ref.AddMember("apiVersion", "v1", a);
  ref.AddMember("kind", "Pod", a);
  ref.AddMember("name", JsonString(NameOf(pod), a), a);
  ref.AddMember("uid", JsonString(UidOf(pod), a), a);
  ref.AddMember("controller", true, a);
  return ref;
}

// Creates `object` owned by `pod`; one that exists already (an earlier try of this attempt: the names are
// derived from the attempt) is kept.
Status CreateOwned(kube::Client& client, const kube::Resource& resource, const rapidjson::Value& object,
                   const rapidjson::Value& pod) {
  rapidjson::Document owned;
  owned.CopyFrom(object, owned.GetAllocator());
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(PodOwnerReference(pod, owned.GetAllocator()), owned.GetAllocator());
  SetPath(owned, {"metadata", "ownerReferences"}, std::move(owners));
  const Result<rapidjson::Document> created = client.Create(resource, NamespaceOf(object), owned);
  if (created.ok() || IsAlreadyExists(created.status())) return OkStatus();
  return created.status().WithContext("creating " + resource.plural + " " + NameOf(object));
}

}  // namespace

Result<NativePlan> PlanNativeSubmission(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& files,
                                        const DriverIdentity& identity) {
  NativePlan plan;
  Result<SubmitArguments> args = ParseSubmitArgs(argv);
  if (!args.ok()) {
    plan.unsupported = args.status().message();
    return plan;
  }
  plan.unsupported = UnsupportedSetting(*args);
  if (!plan.unsupported.empty()) return plan;

  std::optional<rapidjson::Document> pod_template;
  if (const std::string path = ConfValue(args->conf, "spark.kubernetes.driver.podTemplateFile"); !path.empty()) {
    const auto file = files.find(path);
    if (file == files.end()) {
      plan.unsupported = "spark.kubernetes.driver.podTemplateFile (a file the controller did not write)";
      return plan;
    }
    // spark-submit reads the template as YAML, of which JSON is a part.
    ASSIGN_OR_RETURN(pod_template, YamlToJson(file->second));
  }
  // The executor template travels as text: spark-submit copies the file into its ConfigMap as it is.
  const std::string* executor_template = nullptr;
  if (const std::string path = ConfValue(args->conf, "spark.kubernetes.executor.podTemplateFile"); !path.empty()) {
    const auto file = files.find(path);
    if (file == files.end()) {
      plan.unsupported = "spark.kubernetes.executor.podTemplateFile (a file the controller did not write)";
      return plan;
    }
    executor_template = &file->second;
  }
  Result<DriverObjects> objects =
      BuildDriverObjects(*args, pod_template ? &*pod_template : nullptr, executor_template, identity);
  if (!objects.ok()) {
    // A template with containers is valid for Spark but merged in ways this builder does not reproduce.
    if (objects.status().message().rfind("a driver pod template", 0) == 0) {
      plan.unsupported = objects.status().message();
      return plan;
    }
    return objects.status();
  }
  plan.objects = std::move(*objects);
  return plan;
}

Result<std::string> CreateDriverObjects(kube::Client& client, const DriverObjects& objects) {
  const std::string ns = NamespaceOf(objects.pod);
  const std::string pod_name = NameOf(objects.pod);
  Result<rapidjson::Document> pod = client.Create(kube::resources::kPods, ns, objects.pod);
  std::string how = "created";
  if (IsAlreadyExists(pod.status())) {
    pod = client.Get(kube::resources::kPods, ns, pod_name);
    if (!pod.ok()) return pod.status().WithContext("reading driver pod " + pod_name);
    const std::string want = GetString(objects.pod, {"metadata", "labels", kAppSelectorLabel});
    if (GetString(*pod, {"metadata", "labels", kAppSelectorLabel}) != want) {
      return AlreadyExistsError("driver pod " + pod_name + " already exists and is not this attempt's driver");
    }
    how = "found";
  }
  if (!pod.ok()) return pod.status().WithContext("creating driver pod " + pod_name);
  // The pod's objects depend only on the pod (their owner), not on each other: created at once, a submission
  // takes two round trips instead of four or five. The first error in spark-submit's order is the one returned;
  // a second try of the attempt creates only what is missing.
  std::vector<std::pair<const kube::Resource*, const rapidjson::Value*>> owned = {
      {&kube::resources::kServices, &objects.service},
      {&kube::resources::kNetworkPolicies, &objects.network_policy},
      {&kube::resources::kConfigMaps, &objects.config_map}};
  std::string executor_template;
  if (objects.executor_template_map) {
    owned.emplace_back(&kube::resources::kConfigMaps, &*objects.executor_template_map);
    executor_template = ", executor template " + NameOf(*objects.executor_template_map);
  }
  std::vector<Status> results(owned.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < owned.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = CreateOwned(client, *owned[i].first, *owned[i].second, *pod); });
    }
    results[0] = CreateOwned(client, *owned[0].first, *owned[0].second, *pod);
  }
  for (const Status& result : results) RETURN_IF_ERROR(result);
  return how + " driver pod " + pod_name + " with service " + NameOf(objects.service) + ", network policy " +
         NameOf(objects.network_policy) + ", conf map " + NameOf(objects.config_map) + executor_template;
}

Result<ProcessResult> RunNativeSubmission(kube::Client& client, const DriverObjects& objects) {
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> created = CreateDriverObjects(client, objects);
  if (!created.ok()) return created.status().WithContext("native submission");
  ProcessResult done;
  done.exit_code = 0;
  done.output_tail = std::move(*created);
  done.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return done;
}

}  // namespace spark_operator::controller::native
