// Death watch: pidfd_open(2) + poll. The pidfd becomes readable when the process
// exits, so a death is seen at once, with no polling loop and no pid-reuse race.
#include "poll_handle.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace pidgeon {

namespace {

class PidWatch : public PollOwner<PidWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PidWatch", {
      CloseMethod(),
      SetRefMethod(),
      InstanceMethod<&PidWatch::Kill>("kill"),
    });
  }

  // new PidWatch(pid, () => void): throws ESRCH when the process is already gone.
  explicit PidWatch(const Napi::CallbackInfo& info) : PollOwner<PidWatch>(info) {
    Napi::Env env = info.Env();
    if (!TakeArgs(info, 1, "PidWatch(pid, callback)")) return;
    int pid = info[0].As<Napi::Number>().Int32Value();
    if (pid <= 0) {
      errno_error(env, -EINVAL, "pidfd_open").ThrowAsJavaScriptException();
      return;
    }
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
      errno_error(env, -errno, "pidfd_open").ThrowAsJavaScriptException();
      return;
    }
    fd_ = fd;
    if (!OpenPoll(fd_, "pidgeon:pidwatch") || !StartOrThrow(UV_READABLE)) {
      ClosePoll();
      ReleaseResources();
    }
  }
  ~PidWatch() override {
    ClosePoll();  // before the fd: libuv must stop polling it first
    ReleaseResources();
  }

 private:
  void ReleaseResources() override {
    if (fd_ >= 0) { fd_close(fd_); fd_ = -1; }
  }
  // Signal through the pidfd: never hits a newer process that reused the pid.
  Napi::Value Kill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int sig = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : SIGTERM;
    if (fd_ < 0) return Napi::Number::New(env, -ESRCH);
    long r = syscall(SYS_pidfd_send_signal, fd_, sig, nullptr, 0);
    return Napi::Number::New(env, r == 0 ? 0 : -errno);
  }
  void OnEvents(int status, int events) override {
    ClosePoll();  // fires once
    ReleaseResources();
    Napi::FunctionReference cb = std::move(callback_);
    Dispatch(cb, {});
  }

  int fd_ = -1;
};

}  // namespace

void pidwatch_init(Napi::Env env, Napi::Object exports) {
  exports.Set("PidWatch", PidWatch::Define(env));
}

}  // namespace pidgeon
