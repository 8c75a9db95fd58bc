// Death watch: pidfd_open(2) + poll. The pidfd becomes readable when the process
// exits, so a death is seen at once, with no polling loop and no pid-reuse race.
#include "poll_handle.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
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
    int wstatus = WaitStatus();
    ClosePoll();  // fires once
    ReleaseResources();
    Napi::FunctionReference cb = std::move(callback_);
    Dispatch(cb, {Napi::Number::New(Env(), wstatus)});
  }
  // The exit status of our own child, as waitpid would give it, without reaping it
  // (WNOWAIT: libuv still reaps it and Node still emits 'exit'); -1 when the process
  // is not our child, was reaped already, or the kernel lacks P_PIDFD (before 5.4).
  // This is what lets a parent know how its child died when the pidfd fires, not a
  // loop turn or two later when the SIGCHLD has gone through libuv's signal pipe.
  int WaitStatus() {
    if (fd_ < 0) return -1;
    siginfo_t si = {};
    if (waitid((idtype_t)P_PIDFD, (id_t)fd_, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) return -1;
    switch (si.si_code) {
      case CLD_EXITED: return (si.si_status & 0xff) << 8;
      case CLD_KILLED: return si.si_status & 0x7f;
      case CLD_DUMPED: return (si.si_status & 0x7f) | 0x80;
      default: return -1;
    }
  }

  int fd_ = -1;
};

}  // namespace

void pidwatch_init(Napi::Env env, Napi::Object exports) {
  exports.Set("PidWatch", PidWatch::Define(env));
}

}  // namespace pidgeon
