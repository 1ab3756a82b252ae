#include "common/base/shutdown_signals.h"

#include <pthread.h>

#include <cerrno>

namespace spark_operator {

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
}

ShutdownSignals::~ShutdownSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int ShutdownSignals::Wait(const std::function<bool()>& stopped_by_itself, std::chrono::milliseconds poll) const {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(poll);
  const timespec timeout{static_cast<time_t>(seconds.count()),
                         static_cast<long>(std::chrono::nanoseconds(poll - seconds).count())};
  while (true) {
    if (stopped_by_itself && stopped_by_itself()) return 0;
    const int signal_number = sigtimedwait(&signals_, nullptr, &timeout);
    if (signal_number > 0) return signal_number;
    // EAGAIN: the poll interval passed; EINTR: some other signal; either way, look again.
    if (errno != EAGAIN && errno != EINTR) return 0;
  }
}

}  // namespace spark_operator
