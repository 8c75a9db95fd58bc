// Built on every platform but Linux: loading the addon fails with a clear error.
// pidgeon needs Linux's AF_UNIX SOCK_DGRAM with SO_PASSCRED/SCM_CREDENTIALS,
// recvmmsg, pidfd_open and PR_SET_PDEATHSIG; none has a faithful substitute here.
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Error e = Napi::Error::New(env,
      "pidgeon: this platform is not supported: it needs Linux (AF_UNIX datagram "
      "sockets with SCM_CREDENTIALS, recvmmsg, pidfd_open, PR_SET_PDEATHSIG)");
  e.Set("code", Napi::String::New(env, "EPLATFORM"));
  e.ThrowAsJavaScriptException();
  return exports;
}

NODE_API_MODULE(pidgeon, Init)
