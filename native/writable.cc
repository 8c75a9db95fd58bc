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
      InstanceMethod<&WritableWatch::Close>("close"),
    });
  }

  // new WritableWatch(fd, (status: number) => void)
  explicit WritableWatch(const Napi::CallbackInfo& info) : PollOwner<WritableWatch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "WritableWatch(fd, callback)").ThrowAsJavaScriptException();
      return;
    }
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    MakeContext("pidgeon:drain");
    int r = InitPoll(info[0].As<Napi::Number>().Int32Value());
    if (r != 0) errno_error(env, r, "uv_poll_init").ThrowAsJavaScriptException();
  }

 private:
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    int r = StartPoll(UV_WRITABLE);
    if (r != 0) errno_error(info.Env(), r, "uv_poll_start").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    ClosePoll();
    callback_.Reset();
    return info.Env().Undefined();
  }
  void OnEvents(int status, int events) override {
    StopPoll();
    Dispatch(callback_, {Napi::Number::New(Env(), status)});
  }

  Napi::FunctionReference callback_;
};

}  // namespace

void writable_init(Napi::Env env, Napi::Object exports) {
  exports.Set("WritableWatch", WritableWatch::Define(env));
}

}  // namespace pidgeon
