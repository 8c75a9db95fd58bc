// One-shot writability watch on a connected peer socket: armed by JavaScript after
// a send returned EAGAIN, fires once when the peer's queue has room again.
#include "poll_handle.h"

namespace pidgeon {

namespace {

class WritableWatch : public PollOwner<WritableWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "WritableWatch", {
      InstanceMethod<&WritableWatch::Arm>("arm"),
      CloseMethod(),
    });
  }

  // new WritableWatch(fd, (status: number) => void)
  explicit WritableWatch(const Napi::CallbackInfo& info) : PollOwner<WritableWatch>(info) {
    if (!TakeArgs(info, 1, "WritableWatch(fd, callback)")) return;
    OpenPoll(info[0].As<Napi::Number>().Int32Value(), "pidgeon:drain");
  }

 private:
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    StartOrThrow(UV_WRITABLE);
    return info.Env().Undefined();
  }
  void OnEvents(int status, int events) override {
    StopPoll();
    Dispatch(callback_, {Napi::Number::New(Env(), status)});
  }
};

}  // namespace

void writable_init(Napi::Env env, Napi::Object exports) {
  exports.Set("WritableWatch", WritableWatch::Define(env));
}

}  // namespace pidgeon
