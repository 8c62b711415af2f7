// The exception fences of the JNI-facing facade (tessera/api.h): every entry point runs its body
// in Guarded / GuardedOr / GuardedVoid, so no C++ exception crosses into the JVM, and reports a
// failure with Fail, which records the message and code for tessera_last_error(_code) on the
// calling thread. Private to native/src/api*.cc.
#ifndef TESSERA_SRC_API_GUARD_H_
#define TESSERA_SRC_API_GUARD_H_

#include <exception>
#include <new>

#include "tessera/status.h"

namespace tessera_api {

// Records `status` as this thread's last error; returns its code.
int Fail(const tessera::Status& status);
int Fail(int code, const char* message);

template <typename Fn>
int Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(tessera::kResourceExhausted, "native out of memory");
  } catch (const std::exception& e) {
    return Fail(tessera::kInternal, e.what());
  } catch (...) {
    return Fail(tessera::kInternal, "unknown native exception");
  }
}

// The fence for functions that return a value rather than a status: `fallback` when fn throws.
template <typename T, typename Fn>
T GuardedOr(T fallback, Fn&& fn) {
  T result = fallback;
  Guarded([&] {
    result = fn();
    return 0;
  });
  return result;
}

template <typename Fn>
void GuardedVoid(Fn&& fn) {
  Guarded([&] {
    fn();
    return 0;
  });
}

}  // namespace tessera_api

#endif  // TESSERA_SRC_API_GUARD_H_
