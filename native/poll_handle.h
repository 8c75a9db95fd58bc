// A uv_poll_t owned by a JavaScript object, with the one callback it calls and the
// parts every owner shares: argument checks, close(), setRef(). The handle memory is
// freed only in libuv's close callback, which may run after the owner is gone; the
// owner stays pinned (strongly referenced) while the poll is active so that a
// callback never finds its object collected. Env teardown (worker exit) closes it too.
#ifndef PIDGEON_POLL_HANDLE_H
#define PIDGEON_POLL_HANDLE_H

#include "internal.h"

namespace pidgeon {

template <typename Owner>
class PollOwner : public Napi::ObjectWrap<Owner> {
 public:
  using Method = typename Napi::ObjectWrap<Owner>::PropertyDescriptor;
  explicit PollOwner(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Owner>(info) {
    napi_add_env_cleanup_hook(info.Env(), &PollOwner::EnvCleanup, this);
  }
  ~PollOwner() override {
    napi_remove_env_cleanup_hook(this->Env(), &PollOwner::EnvCleanup, this);
    ClosePoll();
  }

  // close(): stop polling for good, free what the owner holds, drop the callback.
  static Method CloseMethod() { return Napi::ObjectWrap<Owner>::InstanceMethod("close", &PollOwner::JsClose); }
  // setRef(on): whether the poll keeps the event loop alive.
  static Method SetRefMethod() { return Napi::ObjectWrap<Owner>::InstanceMethod("setRef", &PollOwner::JsSetRef); }

 protected:
  // The constructor's arguments: `numbers` numbers, then the callback (kept).
  // false, with a TypeError naming `usage` thrown, when they are not that.
  bool TakeArgs(const Napi::CallbackInfo& info, size_t numbers, const char* usage) {
    bool ok = info.Length() > numbers && info[numbers].IsFunction();
    for (size_t i = 0; ok && i < numbers; i++) ok = info[i].IsNumber();
    if (!ok) {
      Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
      return false;
    }
    callback_ = Napi::Persistent(info[numbers].As<Napi::Function>());
    return true;
  }
  // The async context named `name` and the poll on `fd` (still the caller's);
  // false, with the error thrown, when libuv refuses.
  bool OpenPoll(int fd, const char* name) {
    context_.reset(new Napi::AsyncContext(this->Env(), name));
    int r = InitPoll(fd);
    if (r != 0) errno_error(this->Env(), r, "uv_poll_init").ThrowAsJavaScriptException();
    return r == 0;
  }
  // Poll for `events`; false, with the error thrown, when libuv refuses.
  bool StartOrThrow(int events) {
    int r = StartPoll(events);
    if (r != 0) errno_error(this->Env(), r, "uv_poll_start").ThrowAsJavaScriptException();
    return r == 0;
  }
  // What close() frees besides the poll (a pidfd); the poll is closed first.
  virtual void ReleaseResources() {}
  // Returns -errno; fd stays owned by the caller.
  int InitPoll(int fd) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(this->Env(), &loop) != napi_ok) return -EINVAL;
    handle_ = new uv_poll_t;
    int r = uv_poll_init(loop, handle_, fd);
    if (r != 0) {
      delete handle_;
      handle_ = nullptr;
      return r;
    }
    handle_->data = this;
    return 0;
  }
  int StartPoll(int events) {
    if (!handle_) return -EBADF;
    int r = uv_poll_start(handle_, events, &PollOwner::OnPoll);
    if (r == 0 && !pinned_) { this->Ref(); pinned_ = true; }
    return r;
  }
  void StopPoll() {
    if (handle_) uv_poll_stop(handle_);
    Unpin();
  }
  // uv_close stops polling at once, so the fd may be closed right after this.
  void ClosePoll() {
    if (handle_) {
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      handle_ = nullptr;
    }
    Unpin();
  }
  bool PollClosed() const { return handle_ == nullptr; }
  void RefPoll(bool on) {
    if (!handle_) return;
    if (on) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
    else uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  }
  // Call a JS callback from a libuv callback: MakeCallback runs microtasks after it;
  // a throw becomes an uncaught exception, as from any Node callback, never a C++ throw.
  void Dispatch(Napi::FunctionReference& cb, const std::vector<napi_value>& args) {
    Napi::Env env = this->Env();
    if (cb.IsEmpty()) return;
    cb.MakeCallback(this->Value(), args, context_ ? static_cast<napi_async_context>(*context_) : nullptr);
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }
  virtual void OnEvents(int status, int events) = 0;

  Napi::FunctionReference callback_;

 private:
  Napi::Value JsClose(const Napi::CallbackInfo& info) {
    ClosePoll();
    ReleaseResources();
    callback_.Reset();
    return info.Env().Undefined();
  }
  Napi::Value JsSetRef(const Napi::CallbackInfo& info) {
    RefPoll(info.Length() > 0 && info[0].ToBoolean().Value());
    return info.Env().Undefined();
  }
  static void OnPoll(uv_poll_t* h, int status, int events) {
    auto* self = static_cast<PollOwner*>(h->data);
    if (!self) return;
    Napi::HandleScope scope(self->Env());
    self->OnEvents(status, events);
  }
  static void EnvCleanup(void* arg) { static_cast<PollOwner*>(arg)->ClosePoll(); }
  void Unpin() {
    if (pinned_) { pinned_ = false; this->Unref(); }
  }

  uv_poll_t* handle_ = nullptr;
  bool pinned_ = false;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace pidgeon

#endif
