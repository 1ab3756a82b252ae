#include "common/base/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace spark_operator {

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  std::copy_if(text.begin(), text.end(), std::back_inserter(compact), [](unsigned char c) { return !std::isspace(c); });
  if (compact.size() % 4 != 0) return InvalidArgumentError("malformed base64: length is not a multiple of 4");
  std::string out(3 * compact.size() / 4, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(compact.size()));
  if (n < 0) return InvalidArgumentError("malformed base64");
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t padding = 0;
  for (auto it = compact.rbegin(); it != compact.rend() && *it == '=' && padding < 2; ++it) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace spark_operator
