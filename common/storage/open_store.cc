#include "common/storage/stores.h"

namespace spark_operator::storage {

Result<std::string> ObjectName(const std::string& prefix, const std::string& key) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string name = prefix.empty() ? key : prefix + "/" + key;
  if (name.size() > 1024) {
    return InvalidArgumentError("object name \"" + name + "\" is over 1024 bytes with the store's prefix");
  }
  return name;
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const ObjectUrl& given, const StoreOptions& options) {
  // An ObjectUrl may have been filled in by hand: parsed again, its bucket and prefix are known to be safe to put
  // into a URL path or a file name.
  ASSIGN_OR_RETURN(const ObjectUrl url, ParseObjectUrl(given.ToString()));
  switch (url.scheme) {
    case ObjectUrl::Scheme::kFile:
      return OpenFileStore(url);
    case ObjectUrl::Scheme::kGcs:
      return OpenGcsStore(url, options);
    case ObjectUrl::Scheme::kS3:
      return OpenS3Store(url, options);
  }
  return InvalidArgumentError("unknown object store scheme");
}

}  // namespace spark_operator::storage
