// Blocking sends off the event loop (Samba's pthreadpool_tevent send jobs): when a
// destination's queue is full, its datagrams go to a thread of their own that
// sends them with a *blocking* sendmsg on a connected socket of its own. The
// kernel then queues the sleeping senders of a receiver on one exclusive wait
// queue and wakes one per freed slot: no thundering herd, unlike polling every
// backed-up destination for POLLOUT, where every read wakes every waiter.
//
// The thread owns copies of the datagrams and dups of their fds (the caller may
// reuse its buffers and close its fds at once), sends them in order, and reports
// progress to the loop through a uv_async_t (coalesced: one callback may report
// many datagrams). It never touches JavaScript memory, so closing never has to
// wait for it: a closed sender's thread notices within kWakeMs and exits alone.
#include "internal.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <pthread.h>

namespace pidgeon {

namespace {

// A blocked sendmsg gives up after this long (SO_SNDTIMEO) to look at the stop flag
// (a closed sender's thread lingers at most this long; each expiry is a wake-up).
constexpr int kWakeMs = 1000;
// The loop hears of progress only when this few datagrams are left (or none, or an
// error): one wake-up of the loop per refill, not one per datagram sent.
constexpr size_t kLowWater = 1;

struct Datagram {
  std::vector<uint8_t> bytes;
  std::vector<int> fds;  // dups, owned; closed once sent (the kernel holds its own)
};

void close_fds(std::vector<int>& fds) {
  for (int fd : fds) fd_close(fd);
  fds.clear();
}

// Sent datagrams' buffers kept for the next posts (a malloc in the loop and a free
// in this thread per datagram were 15 % of a sending thread's CPU, 200 senders).
constexpr size_t kSpareBuffers = 8;
constexpr size_t kSpareMaxBytes = 256 << 10;

// State shared by the owner (loop thread) and the sending thread.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Datagram> todo;
  std::vector<std::vector<uint8_t>> spare;  // emptied buffers to reuse (capacity kept)
  int fd = -1;            // the blocking connected socket, the thread's own
  bool stop = false;      // set by the owner on close
  bool running = false;   // a thread is alive
  double sent = 0;        // datagrams sent since the last report
  double bytes = 0;
  int error = 0;          // first send error (-errno); no more sends after it
  uv_async_t* async = nullptr;  // null once the owner closed
};

// One lock per datagram here: taking the next datagram and accounting for the last
// share it (the lock is held except around the send itself).
void run(std::shared_ptr<Shared> s) {
  pthread_setname_np(pthread_self(), "pidgeon-send");  // for top -H, and the bench
  std::unique_lock<std::mutex> lock(s->mu);
  for (;;) {
    s->cv.wait(lock, [&] { return s->stop || (!s->todo.empty() && s->error == 0); });
    if (s->stop) break;
    Datagram d = std::move(s->todo.front());
    s->todo.pop_front();
    lock.unlock();
    IoPart part{d.bytes.data(), d.bytes.size()};
    int r;
    for (;;) {
      r = socket_sendv(s->fd, &part, 1, d.fds.data(), (int)d.fds.size(), true);
      if (r != -EAGAIN && r != -EWOULDBLOCK) break;
      std::lock_guard<std::mutex> check(s->mu);  // SO_SNDTIMEO expired: still wanted?
      if (s->stop) break;
    }
    close_fds(d.fds);
    lock.lock();
    if (s->stop) break;
    if (r >= 0) {
      s->sent += 1;
      s->bytes += r;
    } else {
      s->error = r;
    }
    if (s->spare.size() < kSpareBuffers && d.bytes.capacity() <= kSpareMaxBytes) {
      d.bytes.clear();
      s->spare.push_back(std::move(d.bytes));
    }
    if (s->async && (r < 0 || s->todo.size() <= kLowWater)) uv_async_send(s->async);
  }
  for (auto& d : s->todo) close_fds(d.fds);
  s->todo.clear();
  fd_close(s->fd);
  s->fd = -1;
  s->running = false;
}

class SendThread : public Napi::ObjectWrap<SendThread> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SendThread", {
      InstanceMethod<&SendThread::Post>("post"),
      InstanceMethod<&SendThread::Close>("close"),
      InstanceMethod<&SendThread::Sync>("sync"),
    });
  }

  // new SendThread(path, bufsize, (sent: number, bytes: number, errno: number) => void)
  explicit SendThread(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SendThread>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsFunction()) {
      Napi::TypeError::New(env, "SendThread(path, bufsize, callback)").ThrowAsJavaScriptException();
      return;
    }
    std::string path = info[0].As<Napi::String>().Utf8Value();
    int fd = -1;
    int r = socket_connect(path, info[1].As<Napi::Number>().Int32Value(), &fd);
    if (r == 0) r = make_blocking(fd);
    if (r != 0) {
      if (fd >= 0) fd_close(fd);
      errno_error(env, r, "connect", path).ThrowAsJavaScriptException();
      return;
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    async_ = new uv_async_t;
    async_->data = this;
    uv_async_init(loop, async_, &SendThread::OnAsync);
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    shared_ = std::make_shared<Shared>();
    shared_->fd = fd;
    shared_->async = async_;
    callback_ = Napi::Persistent(info[2].As<Napi::Function>());
    context_.reset(new Napi::AsyncContext(env, "pidgeon:send"));
    napi_add_env_cleanup_hook(env, &SendThread::EnvCleanup, this);
  }

  ~SendThread() override {
    napi_remove_env_cleanup_hook(Env(), &SendThread::EnvCleanup, this);
    Shutdown();
  }

 private:
  static int make_blocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) return -errno;
    struct timeval tv = {kWakeMs / 1000, (kWakeMs % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) return -errno;
    return 0;
  }

  // post(datagram: Buffer | Buffer[], fds?: number[]): copies the bytes and dups the fds.
  Napi::Value Post(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!shared_) return Throw(env, -EBADF);
    Datagram d;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      if (!shared_->spare.empty()) {
        d.bytes = std::move(shared_->spare.back());
        shared_->spare.pop_back();
      }
    }
    Napi::Value v = info.Length() > 0 ? info[0] : env.Undefined();
    if (v.IsBuffer() || v.IsTypedArray()) {
      Append(d, v);
    } else if (v.IsArray()) {
      Napi::Array a = v.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value p = a.Get(i);
        if (!p.IsTypedArray()) return Throw(env, -EINVAL);
        Append(d, p);
      }
    } else {
      return Throw(env, -EINVAL);
    }
    if (info.Length() > 1 && info[1].IsArray()) {
      Napi::Array a = info[1].As<Napi::Array>();
      if (a.Length() > (uint32_t)kMaxFdsPerDatagram) return Throw(env, -EINVAL);
      for (uint32_t i = 0; i < a.Length(); i++) {
        int dup = fcntl(a.Get(i).As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
        if (dup < 0) {
          int r = -errno;
          close_fds(d.fds);
          return Throw(env, r);
        }
        d.fds.push_back(dup);
      }
    }
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->todo.push_back(std::move(d));
      pending_++;
      if (!shared_->running) {
        shared_->running = true;
        std::thread(run, shared_).detach();
      }
    }
    shared_->cv.notify_one();
    if (!pinned_) {
      // Pending datagrams keep the process alive and this object reachable.
      Ref();
      uv_ref(reinterpret_cast<uv_handle_t*>(async_));
      pinned_ = true;
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  // Report what was sent since the last report now, synchronously (before the
  // owner takes back what is unsent, so that nothing sent counts as unsent).
  Napi::Value Sync(const Napi::CallbackInfo& info) {
    Report(true);
    return info.Env().Undefined();
  }

  static void Append(Datagram& d, Napi::Value v) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    const uint8_t* p = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    d.bytes.insert(d.bytes.end(), p, p + t.ByteLength());
  }

  Napi::Value Throw(Napi::Env env, int r) {
    errno_error(env, r, "sendmsg").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  static void OnAsync(uv_async_t* h) {
    auto* self = static_cast<SendThread*>(h->data);
    if (self) self->Report(false);
  }

  void Report(bool from_js) {
    if (!shared_) return;
    double sent, bytes;
    int error;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      sent = shared_->sent;
      bytes = shared_->bytes;
      error = shared_->error;
      shared_->sent = shared_->bytes = 0;
      pending_ -= (long)sent;
    }
    if (pending_ == 0 || error != 0) Unpin();
    if (sent == 0 && error == 0) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (callback_.IsEmpty()) return;
    if (from_js) {  // already in JavaScript: exceptions propagate
      callback_.Call(Value(), {Napi::Number::New(env, sent), Napi::Number::New(env, bytes), Napi::Number::New(env, error)});
      return;
    }
    callback_.MakeCallback(Value(), {Napi::Number::New(env, sent), Napi::Number::New(env, bytes), Napi::Number::New(env, error)},
                           static_cast<napi_async_context>(*context_));
    if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }

  void Unpin() {
    if (!pinned_) return;
    pinned_ = false;
    if (async_) uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    Unref();
  }

  // Tell the thread to stop (it exits on its own, closing its socket and the dups
  // of unsent fds), and close the async handle. Never waits for the thread.
  void Shutdown() {
    if (shared_) {
      {
        std::lock_guard<std::mutex> lock(shared_->mu);
        shared_->stop = true;
        shared_->async = nullptr;
        if (!shared_->running) {
          for (auto& d : shared_->todo) close_fds(d.fds);
          shared_->todo.clear();
          fd_close(shared_->fd);
          shared_->fd = -1;
        }
      }
      shared_->cv.notify_one();
      shared_.reset();
    }
    if (async_) {
      async_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
      async_ = nullptr;
    }
    callback_.Reset();
    Unpin();
  }

  static void EnvCleanup(void* arg) { static_cast<SendThread*>(arg)->Shutdown(); }

  std::shared_ptr<Shared> shared_;
  uv_async_t* async_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  long pending_ = 0;
  bool pinned_ = false;
};

}  // namespace

void send_thread_init(Napi::Env env, Napi::Object exports) {
  exports.Set("SendThread", SendThread::Define(env));
}

}  // namespace pidgeon
