// The addon's exports. The only file that turns -errno codes into JavaScript errors
// (with .code such as 'EAGAIN' and .syscall such as 'sendmsg'). Calls on the hot
// path (sendv) return -errno as a number instead: throwing on every EAGAIN is slow.
#include "internal.h"

#include <cstring>
#include <initializer_list>
#include <utility>

namespace pidgeon {

namespace {

const char* code_name(int neg_errno) {
  if (neg_errno == kErrDirOwner) return "EDIROWNER";
  if (neg_errno == kErrDirMode) return "EDIRMODE";
  if (neg_errno == kErrNotSealable) return "EMEMFDNOSEALS";
  if (neg_errno == kErrUnsealed) return "EMEMFDUNSEALED";
  if (neg_errno == kErrMemfdSize) return "EMEMFDSIZE";
  return uv_err_name(neg_errno);
}

std::string arg_string(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : std::string();
}

int arg_int(const Napi::CallbackInfo& info, size_t i, int fallback) {
  return info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().Int32Value() : fallback;
}

Napi::Value Throw(Napi::Env env, int r, const char* syscall, const std::string& path = "") {
  errno_error(env, r, syscall, path).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value SysdirJoin(const Napi::CallbackInfo& info) {
  std::string dir = arg_string(info, 0);
  int fd = -1;
  int r = sysdir_join(dir, &fd);
  return r != 0 ? Throw(info.Env(), r, "fcntl", dir) : Napi::Number::New(info.Env(), fd);
}

Napi::Value SysdirRemoveIfDead(const Napi::CallbackInfo& info) {
  std::string dir = arg_string(info, 0);
  int r = sysdir_remove_if_dead(dir);
  return r < 0 ? Throw(info.Env(), r, "rmdir", dir) : Napi::Boolean::New(info.Env(), r == 1);
}

Napi::Value SysdirCheck(const Napi::CallbackInfo& info) {
  std::string dir = arg_string(info, 0);
  int r = sysdir_check(dir);
  return r != 0 ? Throw(info.Env(), r, "lstat", dir) : info.Env().Undefined();
}

Napi::Value LockfileCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = arg_string(info, 0);
  uint64_t instance = 0;
  int fd = -1;
  int r = lockfile_create(path, &instance, &fd);
  if (r != 0) return Throw(env, r, "fcntl", path);
  Napi::Object o = Napi::Object::New(env);
  o.Set("fd", Napi::Number::New(env, fd));
  o.Set("instance", Napi::BigInt::New(env, instance));
  return o;
}

Napi::Value LockfileRelease(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), lockfile_release(arg_int(info, 0, -1)));
}

// Returns [state, instance]: state 0 = no lockfile, 1 = owner alive, 2 = stale.
Napi::Value LockfileProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = arg_string(info, 0);
  uint64_t instance = 0;
  int r = lockfile_probe(path, &instance);
  if (r < 0) return Throw(env, r, "fcntl", path);
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set((uint32_t)0, Napi::Number::New(env, r));
  a.Set((uint32_t)1, Napi::BigInt::New(env, instance));
  return a;
}

Napi::Value StaleRemove(const Napi::CallbackInfo& info) {
  std::string lock = arg_string(info, 0), sock = arg_string(info, 1);
  int r = stale_remove(lock, sock);
  if (r < 0) return Throw(info.Env(), r, "unlink", lock);
  return Napi::Boolean::New(info.Env(), r == 1);
}

Napi::Value SocketBind(const Napi::CallbackInfo& info) {
  std::string path = arg_string(info, 0);
  int fd = -1;
  int r = socket_bind(path, arg_int(info, 1, 0), &fd);
  return r != 0 ? Throw(info.Env(), r, "bind", path) : Napi::Number::New(info.Env(), fd);
}

// Returns the fd, or -errno (ENOENT, ECONNREFUSED: the peer is gone).
Napi::Value SocketConnect(const Napi::CallbackInfo& info) {
  std::string path = arg_string(info, 0);
  int fd = -1;
  int r = socket_connect(path, arg_int(info, 1, 0), &fd);
  return Napi::Number::New(info.Env(), r != 0 ? r : fd);
}

// Returns the fd holding the name, or -errno (EADDRINUSE: a live process holds it).
Napi::Value NameClaim(const Napi::CallbackInfo& info) {
  int fd = -1;
  int r = name_claim(arg_string(info, 0), &fd);
  return Napi::Number::New(info.Env(), r != 0 ? r : fd);
}

Napi::Value SocketSndbuf(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), socket_sndbuf(arg_int(info, 0, -1)));
}

bool bytes_of(Napi::Value v, IoPart* part) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) return false;
  Napi::Uint8Array u = ta.As<Napi::Uint8Array>();
  part->data = u.Data();
  part->len = u.ByteLength();
  return true;
}

// sendv(fd, parts: Uint8Array | Uint8Array[], fds?: number[]) -> bytes sent or -errno
Napi::Value Sendv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = arg_int(info, 0, -1);
  IoPart parts[kMaxIovecs];
  int nparts = 0;
  if (info.Length() > 1 && info[1].IsArray()) {
    Napi::Array a = info[1].As<Napi::Array>();
    if (a.Length() > (uint32_t)kMaxIovecs) return Napi::Number::New(env, -EINVAL);
    for (uint32_t i = 0; i < a.Length(); i++) {
      if (!bytes_of(a.Get(i), &parts[nparts++])) return Napi::Number::New(env, -EINVAL);
    }
  } else if (info.Length() > 1 && bytes_of(info[1], &parts[0])) {
    nparts = 1;
  } else {
    return Napi::Number::New(env, -EINVAL);
  }
  int fds[kMaxFdsPerDatagram];
  int nfds = 0;
  if (info.Length() > 2 && info[2].IsArray()) {
    Napi::Array a = info[2].As<Napi::Array>();
    if (a.Length() > (uint32_t)kMaxFdsPerDatagram) return Napi::Number::New(env, -ETOOMANYREFS);
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsNumber()) return Napi::Number::New(env, -EBADF);
      fds[nfds++] = v.As<Napi::Number>().Int32Value();
    }
  }
  return Napi::Number::New(env, socket_sendv(fd, parts, nparts, fds, nfds));
}

// memfdCreate(body: Uint8Array) -> fd of a sealed memfd holding a copy of body, or -errno
Napi::Value MemfdCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  IoPart body;
  if (info.Length() < 1 || !bytes_of(info[0], &body)) return Napi::Number::New(env, -EINVAL);
  int fd = -1;
  int r = memfd_from_bytes(body.data, body.len, &fd);
  return Napi::Number::New(env, r != 0 ? r : fd);
}

// memfdMap(fd, length) -> a Buffer over a read-only mapping of the memfd (unmapped
// when the Buffer is collected), or -errno (EMEMFDNOSEALS, EMEMFDUNSEALED,
// EMEMFDSIZE: refused, never mapped). The fd stays open: the caller closes it.
Napi::Value MemfdMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = arg_int(info, 0, -1);
  double want = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (!(want >= 1 && want <= 4294967295.0)) return Napi::Number::New(env, -EINVAL);
  size_t len = (size_t)want;
  void* addr = nullptr;
  int r = memfd_map(fd, len, &addr);
  if (r != 0) return Napi::Number::New(env, r);
  size_t* hint = new size_t(len);
  return Napi::Buffer<uint8_t>::New(env, static_cast<uint8_t*>(addr), len,
      [](Napi::Env, uint8_t* data, size_t* n) {
        memfd_unmap(data, *n);
        delete n;
      }, hint);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fd_close(arg_int(info, 0, -1)));
}

Napi::Value SetParentDeathSignal(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), set_parent_death_signal(arg_int(info, 0, 9), arg_int(info, 1, 0)));
}

Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), set_child_subreaper());
}

Napi::Value ReapChild(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), reap_child(arg_int(info, 0, -1)));
}

Napi::Value ErrName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), code_name(arg_int(info, 0, 0)));
}

// A frozen object of named numbers: constants JavaScript must agree on with C.
Napi::Object constants(Napi::Env env, std::initializer_list<std::pair<const char*, int>> named) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& [name, value] : named) o.Set(name, Napi::Number::New(env, value));
  o.Freeze();
  return o;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("sysdirCheck", Napi::Function::New(env, SysdirCheck));
  exports.Set("sysdirJoin", Napi::Function::New(env, SysdirJoin));
  exports.Set("sysdirRemoveIfDead", Napi::Function::New(env, SysdirRemoveIfDead));
  exports.Set("lockfileCreate", Napi::Function::New(env, LockfileCreate));
  exports.Set("lockfileRelease", Napi::Function::New(env, LockfileRelease));
  exports.Set("lockfileProbe", Napi::Function::New(env, LockfileProbe));
  exports.Set("staleRemove", Napi::Function::New(env, StaleRemove));
  exports.Set("socketBind", Napi::Function::New(env, SocketBind));
  exports.Set("socketConnect", Napi::Function::New(env, SocketConnect));
  exports.Set("nameClaim", Napi::Function::New(env, NameClaim));
  exports.Set("socketSndbuf", Napi::Function::New(env, SocketSndbuf));
  exports.Set("sendv", Napi::Function::New(env, Sendv));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("memfdCreate", Napi::Function::New(env, MemfdCreate));
  exports.Set("memfdMap", Napi::Function::New(env, MemfdMap));
  exports.Set("setParentDeathSignal", Napi::Function::New(env, SetParentDeathSignal));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper));
  exports.Set("reapChild", Napi::Function::New(env, ReapChild));
  exports.Set("errname", Napi::Function::New(env, ErrName));
  exports.Set("maxFdsPerDatagram", Napi::Number::New(env, kMaxFdsPerDatagram));
  exports.Set("maxIovecs", Napi::Number::New(env, kMaxIovecs));
  // Receive rows and flags, as receiver.cc writes them (runtime/transport/native.ts).
  exports.Set("receiveRow", constants(env, {{"offset", kRowOffset}, {"length", kRowLength}, {"pid", kRowPid},
      {"uid", kRowUid}, {"flags", kRowFlags}, {"fds", kRowFds}, {"stride", kRowStride}}));
  exports.Set("receiveFlags", constants(env, {{"truncated", kTruncated},
      {"controlTruncated", kControlTruncated}, {"noCredentials", kNoCredentials}}));
  receiver_init(env, exports);
  writable_init(env, exports);
  pidwatch_init(env, exports);
  send_thread_init(env, exports);
  return exports;
}

Napi::Error errno_error(Napi::Env env, int neg_errno, const char* syscall, const std::string& path) {
  std::string code = code_name(neg_errno);
  std::string msg = code + ": " + syscall;
  if (neg_errno == kErrDirOwner) msg += " (directory is owned by another user)";
  else if (neg_errno == kErrDirMode) msg += " (directory is writable by group or others)";
  else msg += std::string(" (") + strerror(-neg_errno) + ")";
  if (!path.empty()) msg += " '" + path + "'";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, neg_errno));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (!path.empty()) e.Set("path", Napi::String::New(env, path));
  return e;
}

}  // namespace pidgeon

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return pidgeon::Init(env, exports); }

NODE_API_MODULE(pidgeon, InitAddon)
