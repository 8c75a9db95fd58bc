// Datagram sockets: the bound mailbox socket, connected per-peer sending sockets,
// and the one send primitive (gathering iovecs, optional SCM_RIGHTS).
#include "internal.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cstring>
#include <cstddef>

namespace pidgeon {

namespace {

int make_addr(const std::string& path, struct sockaddr_un* addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof addr->sun_path) return -ENAMETOOLONG;
  memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  return 0;
}

void set_buffers(int fd, int bufsize, bool recv) {
  // Best effort: the kernel caps these at net.core.{w,r}mem_max.
  if (bufsize <= 0) return;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  if (recv) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
}

}  // namespace

int socket_bind(const std::string& path, int bufsize, int* fd_out) {
  struct sockaddr_un addr;
  int r = make_addr(path, &addr);
  if (r != 0) return r;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) goto fail;
  set_buffers(fd, bufsize, true);
  // The caller holds lock/<pid>: whatever sits at sock/<pid> is a dead process's.
  if (unlink(path.c_str()) != 0 && errno != ENOENT) goto fail;
  PG_EINTR_LOOP(r, bind(fd, (struct sockaddr*)&addr, sizeof addr));
  if (r != 0) goto fail;
  *fd_out = fd;
  return 0;
fail:
  r = -errno;
  close(fd);
  return r;
}

int socket_connect(const std::string& path, int bufsize, int* fd_out) {
  struct sockaddr_un addr;
  int r = make_addr(path, &addr);
  if (r != 0) return r;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  set_buffers(fd, bufsize, false);
  // A connected datagram socket makes POLLOUT mean "the peer's queue has room"
  // (Linux's unix_dgram_peer_wake_me) and skips a path lookup on every send.
  PG_EINTR_LOOP(r, connect(fd, (struct sockaddr*)&addr, sizeof addr));
  if (r != 0) {
    r = -errno;
    close(fd);
    return r;
  }
  *fd_out = fd;
  return 0;
}

int name_claim(const std::string& name, int* fd_out) {
  // An abstract socket name is unique per network namespace and released by the
  // kernel when its last fd closes, so a registered name frees itself at death.
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (name.empty() || name.size() + 1 > sizeof addr.sun_path) return -ENAMETOOLONG;
  memcpy(addr.sun_path + 1, name.data(), name.size());
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int b;
  PG_EINTR_LOOP(b, bind(fd, (struct sockaddr*)&addr, len));
  if (b != 0) {
    int r = -errno;
    close(fd);
    return r;
  }
  *fd_out = fd;
  return 0;
}

int socket_sndbuf(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) != 0) return -errno;
  return v;
}

int socket_sendv(int fd, const IoPart* parts, int nparts, const int* fds, int nfds, bool blocking) {
  if (nparts <= 0 || nparts > kMaxIovecs || nfds < 0 || nfds > kMaxFdsPerDatagram) return -EINVAL;
  struct iovec iov[kMaxIovecs];
  for (int i = 0; i < nparts; i++) {
    iov[i].iov_base = const_cast<uint8_t*>(parts[i].data);
    iov[i].iov_len = parts[i].len;
  }
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = nparts;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerDatagram)];
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  PG_EINTR_LOOP(n, sendmsg(fd, &msg, (blocking ? 0 : MSG_DONTWAIT) | MSG_NOSIGNAL));
  return n < 0 ? -errno : (int)n;
}

int fd_close(int fd) {
  if (fd < 0) return -EBADF;
  // Linux closes the fd even when close() reports EINTR: never retry it.
  return close(fd) == 0 ? 0 : (errno == EINTR ? 0 : -errno);
}

}  // namespace pidgeon
