// The pod annotations the initializer acts on: the contract between the controller, which sets them from a
// SparkApplication's spec, the webhook, which mounts what they name, and users of spark-submit, who set them
// with spark.kubernetes.{driver,executor}.annotation.<key>=<value>.
#pragma once

#include <string_view>

namespace spark_operator::api {

inline constexpr std::string_view kAnnotationPrefix = "spark-operator.k8s.io/";
// Value: a ConfigMap name, mounted at /etc/spark/conf (SPARK_CONF_DIR) or /etc/hadoop/conf (HADOOP_CONF_DIR).
inline constexpr std::string_view kSparkConfigMapAnnotation = "spark-operator.k8s.io/sparkConfigMap";
inline constexpr std::string_view kHadoopConfigMapAnnotation = "spark-operator.k8s.io/hadoopConfigMap";
// Key suffix: the object's name; value: the mount path.
inline constexpr std::string_view kConfigMapAnnotationPrefix = "spark-operator.k8s.io/configMap.";
inline constexpr std::string_view kGcpServiceAccountAnnotationPrefix = "spark-operator.k8s.io/GCPServiceAccount.";
inline constexpr std::string_view kSecretAnnotationPrefix = "spark-operator.k8s.io/secret.";

// Where the sparkConfigMap and hadoopConfigMap annotations mount, as the original project did.
inline constexpr std::string_view kSparkConfDir = "/etc/spark/conf";
inline constexpr std::string_view kHadoopConfDir = "/etc/hadoop/conf";

}  // namespace spark_operator::api
