// The receiving side of a mailbox: a libuv poll on the bound socket that drains it
// with recvmmsg and hands each batch of datagrams to JavaScript in one call, with
// the kernel's SCM_CREDENTIALS and any SCM_RIGHTS fds of every datagram.
#include "poll_handle.h"

#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>
#include <cstdlib>
#include <cstring>

namespace pidgeon {

namespace {

constexpr size_t kControlSize =
    CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * kMaxFdsPerDatagram);
// Bound the work per wake-up so one busy mailbox cannot starve the event loop.
constexpr int kMaxRounds = 4;

// The most datagrams a socket's receive queue holds (a sender blocks or gets EAGAIN
// past it): pump() reads at most that many, so busy senders cannot keep it going.
int MaxQueuedDatagrams() {
  static int cached = 0;
  if (cached > 0) return cached;
  int value = 0;
  int fd = open("/proc/sys/net/unix/max_dgram_qlen", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[32] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) value = atoi(buf);
    close(fd);
  }
  cached = value > 0 ? value : 512;
  return cached;
}

class Receiver : public PollOwner<Receiver> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Receiver", {
      InstanceMethod<&Receiver::Start>("start"),
      InstanceMethod<&Receiver::Stop>("stop"),
      CloseMethod(),  // stops polling; the socket fd stays the caller's to close
      SetRefMethod(),
      InstanceMethod<&Receiver::Pump>("pump"),
    });
  }

  // new Receiver(fd, slotSize, slots, (buf, meta: Int32Array, fds: Int32Array, count) => void):
  // `count` datagrams, rows of kRowStride ints in `meta`; the arrays are reused between calls.
  explicit Receiver(const Napi::CallbackInfo& info) : PollOwner<Receiver>(info) {
    if (!TakeArgs(info, 3, "Receiver(fd, slotSize, slots, callback)")) return;
    fd_ = info[0].As<Napi::Number>().Int32Value();
    slot_size_ = info[1].As<Napi::Number>().Int32Value();
    slots_ = info[2].As<Napi::Number>().Int32Value();
    if (fd_ < 0 || slot_size_ < 64 || slots_ < 1 || slots_ > 1024) {
      Napi::RangeError::New(info.Env(), "Receiver: bad fd, slot size or slot count").ThrowAsJavaScriptException();
      return;
    }
    arena_.reset(new uint8_t[(size_t)slot_size_ * slots_]);
    control_.reset(new char[kControlSize * slots_]);
    msgs_.resize(slots_);
    iovs_.resize(slots_);
    MaxQueuedDatagrams();  // read /proc once, here, not in a pump()
    OpenPoll(fd_, "pidgeon:mailbox");
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    reading_ = StartOrThrow(UV_READABLE);
    return info.Env().Undefined();
  }
  // Takes effect at once, even inside a delivery: the rest of this wake-up's rounds
  // are not read (flow control: the actor's queue is full).
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    reading_ = false;
    StopPoll();
    return info.Env().Undefined();
  }

  // Receive what is queued now, synchronously (a death notice must not overtake the
  // dead process's last messages, which are already in our queue).
  Napi::Value Pump(const Napi::CallbackInfo& info) {
    if (!PollClosed()) Drain(false);
    return info.Env().Undefined();
  }

  void OnEvents(int status, int events) override {
    Napi::Env env = Env();
    if (status < 0) {
      Dispatch(callback_, {env.Null(), Napi::Number::New(env, status)});
      return;
    }
    Drain(true);
  }

  void Drain(bool from_loop) {
    Napi::Env env = Env();
    // From the loop: bounded per wake-up. From pump(): what is queued now, at most a
    // full kernel queue (max_dgram_qlen datagrams), however fast senders refill it.
    int rounds = from_loop ? kMaxRounds : MaxQueuedDatagrams() / slots_ + 2;
    for (int round = 0; round < rounds && !PollClosed() && (reading_ || !from_loop); round++) {
      int n = ReceiveOnce();
      if (n < 0) {
        if (n != -EAGAIN && n != -EWOULDBLOCK) Call(from_loop, {env.Null(), Napi::Number::New(env, n)});
        return;
      }
      if (n == 0) return;
      Deliver(n, from_loop);
      if (n < slots_) return;  // queue drained
    }
  }

  void Call(bool from_loop, const std::vector<napi_value>& args) {
    if (from_loop) {
      Dispatch(callback_, args);
    } else if (!callback_.IsEmpty()) {
      callback_.Call(Value(), args);  // already in JavaScript: exceptions propagate
    }
  }

  int ReceiveOnce() {
    for (int i = 0; i < slots_; i++) {
      iovs_[i].iov_base = arena_.get() + (size_t)i * slot_size_;
      iovs_[i].iov_len = slot_size_;
      struct msghdr& h = msgs_[i].msg_hdr;
      memset(&h, 0, sizeof h);
      h.msg_iov = &iovs_[i];
      h.msg_iovlen = 1;
      h.msg_control = control_.get() + kControlSize * i;
      h.msg_controllen = kControlSize;
      msgs_[i].msg_len = 0;
    }
    int n;
    PG_EINTR_LOOP(n, recvmmsg(fd_, msgs_.data(), slots_, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, nullptr));
    return n < 0 ? -errno : n;
  }

  void Deliver(int n, bool from_loop) {
    Napi::Env env = Env();
    size_t total = 0;
    int total_fds = 0;
    std::vector<int32_t> meta((size_t)n * kRowStride, 0);
    std::vector<int32_t> fds;
    for (int i = 0; i < n; i++) {
      struct msghdr& h = msgs_[i].msg_hdr;
      size_t len = msgs_[i].msg_len;
      if (len > (size_t)slot_size_) len = slot_size_;
      int32_t* m = &meta[(size_t)i * kRowStride];
      m[kRowOffset] = (int32_t)total;
      m[kRowLength] = (int32_t)len;
      m[kRowFlags] = kNoCredentials;
      if (h.msg_flags & MSG_TRUNC) m[kRowFlags] |= kTruncated;
      if (h.msg_flags & MSG_CTRUNC) m[kRowFlags] |= kControlTruncated;
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
          struct ucred cred;
          memcpy(&cred, CMSG_DATA(c), sizeof cred);
          m[kRowPid] = cred.pid;
          m[kRowUid] = (int32_t)cred.uid;
          m[kRowFlags] &= ~kNoCredentials;
        } else if (c->cmsg_type == SCM_RIGHTS) {
          int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
          const unsigned char* p = CMSG_DATA(c);
          for (int k = 0; k < count; k++) {
            int fd;
            memcpy(&fd, p + k * sizeof(int), sizeof fd);
            fds.push_back(fd);
          }
          m[kRowFds] += count;
          total_fds += count;
        }
      }
      total += len;
    }
    Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(env, total);
    for (int i = 0; i < n; i++) {
      int32_t* m = &meta[(size_t)i * kRowStride];
      if (m[kRowLength] > 0) memcpy(buf.Data() + m[kRowOffset], arena_.get() + (size_t)i * slot_size_, m[kRowLength]);
    }
    // The row and fd arrays are allocated once and reused: JavaScript reads them
    // during the call only. A nested delivery (pump() from inside a callback) gets
    // fresh ones so it cannot overwrite rows still being read.
    Napi::Int32Array jmeta, jfds;
    if (!delivering_ && !meta_ref_.IsEmpty()) {
      jmeta = meta_ref_.Value();
      jfds = fds_ref_.Value();
    } else {
      jmeta = Napi::Int32Array::New(env, (size_t)slots_ * kRowStride);
      jfds = Napi::Int32Array::New(env, (size_t)slots_ * kMaxFdsPerDatagram);
      if (!delivering_ && meta_ref_.IsEmpty()) {
        meta_ref_ = Napi::Persistent(jmeta);
        fds_ref_ = Napi::Persistent(jfds);
      }
    }
    memcpy(jmeta.Data(), meta.data(), meta.size() * sizeof(int32_t));
    if (total_fds) memcpy(jfds.Data(), fds.data(), fds.size() * sizeof(int32_t));
    bool outer = !delivering_;
    delivering_ = true;
    Call(from_loop, {buf, jmeta, jfds, Napi::Number::New(env, n)});
    if (outer) delivering_ = false;
  }

  int fd_ = -1;
  int slot_size_ = 0;
  int slots_ = 0;
  Napi::Reference<Napi::Int32Array> meta_ref_;
  Napi::Reference<Napi::Int32Array> fds_ref_;
  bool delivering_ = false;
  bool reading_ = false;
  std::unique_ptr<uint8_t[]> arena_;
  std::unique_ptr<char[]> control_;
  std::vector<struct mmsghdr> msgs_;
  std::vector<struct iovec> iovs_;
};

}  // namespace

void receiver_init(Napi::Env env, Napi::Object exports) {
  exports.Set("Receiver", Receiver::Define(env));
}

}  // namespace pidgeon
