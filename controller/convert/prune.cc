#include "controller/convert/prune.h"

#include <algorithm>

namespace spark_operator::controller::convert {
namespace {

// The longest member name of `object` that `rest` starts with and that is followed by one of `ends` (or by the
// end of `rest` when `at_end_ok`).
std::optional<std::string> LongestMember(const rapidjson::Value& object, std::string_view rest, std::string_view ends,
                                         bool at_end_ok) {
  std::optional<std::string> best;
  for (const auto& m : object.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (rest.substr(0, name.size()) != name) continue;
    const bool fits = rest.size() == name.size() ? at_end_ok : ends.find(rest[name.size()]) != std::string_view::npos;
    if (fits && (!best || name.size() > best->size())) best = std::string(name);
  }
  return best;
}

const rapidjson::Value* Child(const rapidjson::Value& v, const PathStep& step) {
  if (step.index)
    return v.IsArray() && *step.index < v.Size() ? &v[static_cast<rapidjson::SizeType>(*step.index)] : nullptr;
  if (!v.IsObject()) return nullptr;
  const auto it = v.FindMember(rapidjson::Value(rapidjson::StringRef(step.key.data(), step.key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// Later list elements first, so that removing one does not move another target; an outer target before the
// targets inside it, which it covers.
bool RemoveBefore(const StepPath& a, const StepPath& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].index && b[i].index) return *a[i].index > *b[i].index;
    return a[i].key < b[i].key;
  }
  return a.size() < b.size();
}

bool Covers(const StepPath& outer, const StepPath& inner) {
  return outer.size() <= inner.size() && std::equal(outer.begin(), outer.end(), inner.begin());
}

}  // namespace

std::optional<StepPath> ResolvePath(const rapidjson::Value& root, std::string_view path) {
  StepPath steps;
  const rapidjson::Value* v = &root;
  size_t i = 0;
  bool expect_key = !path.empty() && path[0] != '[';
  while (i < path.size()) {
    PathStep step;
    if (expect_key) {
      if (!v->IsObject()) return std::nullopt;
      std::optional<std::string> name = LongestMember(*v, path.substr(i), ".[", /*at_end_ok=*/true);
      if (!name) return std::nullopt;
      i += name->size();
      step.key = std::move(*name);
    } else {
      if (path[i] != '[') return std::nullopt;
      ++i;
      if (v->IsArray()) {
        const size_t close = path.find(']', i);
        if (close == std::string_view::npos || close == i) return std::nullopt;
        size_t index = 0;
        for (const char c : path.substr(i, close - i)) {
          if (c < '0' || c > '9') return std::nullopt;
          index = index * 10 + static_cast<size_t>(c - '0');
          if (index > (1u << 30)) return std::nullopt;
        }
        step.index = index;
        i = close + 1;
      } else if (v->IsObject()) {
        std::optional<std::string> name = LongestMember(*v, path.substr(i), "]", /*at_end_ok=*/false);
        if (!name) return std::nullopt;
        i += name->size() + 1;
        step.key = std::move(*name);
      } else {
        return std::nullopt;
      }
    }
    v = Child(*v, step);
    if (v == nullptr) return std::nullopt;
    steps.push_back(std::move(step));
    if (i == path.size()) break;
    if (path[i] == '.') {
      ++i;
      expect_key = true;
    } else {
      expect_key = false;
    }
  }
  return steps;
}

StepPath RemovalTarget(const StepPath& steps) {
  for (size_t i = steps.size(); i > 0; --i) {
    if (steps[i - 1].index) return StepPath(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return steps;
}

void RemoveAll(rapidjson::Value& root, std::vector<StepPath> targets) {
  std::sort(targets.begin(), targets.end(), RemoveBefore);
  std::vector<StepPath> done;
  for (const StepPath& target : targets) {
    if (target.empty()) continue;
    if (std::any_of(done.begin(), done.end(), [&](const StepPath& d) { return Covers(d, target); })) continue;
    rapidjson::Value* parent = &root;
    for (size_t i = 0; parent != nullptr && i + 1 < target.size(); ++i) {
      parent = const_cast<rapidjson::Value*>(Child(*parent, target[i]));
    }
    if (parent == nullptr) continue;
    const PathStep& last = target.back();
    if (last.index) {
      if (parent->IsArray() && *last.index < parent->Size()) {
        parent->Erase(parent->Begin() + static_cast<rapidjson::SizeType>(*last.index));
      }
    } else if (parent->IsObject()) {
      EraseMember(*parent, last.key);
    }
    done.push_back(target);
  }
}

void EraseMember(rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return;
  const auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  if (it != object.MemberEnd()) object.EraseMember(it);
}

std::string FormatPath(const StepPath& steps) {
  std::string out;
  for (const PathStep& s : steps) {
    if (s.index) {
      out += "[" + std::to_string(*s.index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += s.key;
    }
  }
  return out;
}

}  // namespace spark_operator::controller::convert
