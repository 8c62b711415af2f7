// Status values inside the native core. Codes are the canonical gRPC/absl codes (== TF_Code), so
// Java maps them to TF Serving's HTTP and gRPC statuses without translation. No C++ exception
// leaves this library: the JNI facade (api.cc) catches everything and reports a Status.
#ifndef TESSERA_STATUS_H_
#define TESSERA_STATUS_H_

#include <string>
#include <utility>

namespace tessera {

enum Code : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
};

class Status {
 public:
  Status() = default;
  Status(int code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == kOk; }
  int code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  int code_ = kOk;
  std::string message_;
};

}  // namespace tessera

#endif  // TESSERA_STATUS_H_
