// The project's one error type. Functions that can fail return Status or Result<T>; exceptions thrown by
// third-party libraries (yaml-cpp, Boost) are caught at the boundary and turned into a Status.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace spark_operator {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // Bad input detected locally, or HTTP 400.
  kNotFound,          // HTTP 404.
  kAlreadyExists,     // HTTP 409 with reason AlreadyExists.
  kConflict,          // HTTP 409 otherwise (stale resourceVersion).
  kGone,              // HTTP 410: the resourceVersion is too old to watch from.
  kUnauthenticated,   // HTTP 401.
  kForbidden,         // HTTP 403.
  kInvalid,           // HTTP 422: the server rejected the object's content.
  kTooManyRequests,   // HTTP 429.
  kDeadlineExceeded,  // A timeout, local or HTTP 504.
  kUnavailable,       // Cannot connect, connection reset, HTTP 503.
  kCancelled,         // Stopped on request.
  kInternal,          // Anything else.
};

const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int http_status = 0)
      : code_(code), message_(std::move(message)), http_status_(http_status) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The HTTP status the API server answered with, or 0 when the error did not come from a response.
  int http_status() const { return http_status_; }

  // "NotFound: configmaps \"x\" not found".
  std::string ToString() const;
  // The same error with context in front: "loading kubeconfig: <message>".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int http_status_ = 0;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status ConflictError(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

inline bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }
inline bool IsAlreadyExists(const Status& s) { return s.code() == StatusCode::kAlreadyExists; }
inline bool IsConflict(const Status& s) { return s.code() == StatusCode::kConflict; }
inline bool IsGone(const Status& s) { return s.code() == StatusCode::kGone; }

// A value or the Status that explains why there is none, as absl::StatusOr.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design, as StatusOr.
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    if (std::get<Status>(state_).ok()) state_ = Status(StatusCode::kInternal, "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace spark_operator

#define SO_CONCAT_INNER(a, b) a##b
#define SO_CONCAT(a, b) SO_CONCAT_INNER(a, b)

// Returns from the calling function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    ::spark_operator::Status so_status_ = (expr); \
    if (!so_status_.ok()) return so_status_;      \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(SO_CONCAT(so_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                          \
  if (!result.ok()) return result.status();      \
  lhs = std::move(result).value()
