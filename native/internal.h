// Shared declarations of the native mailbox. Grouped by the file that defines them,
// as libuv's src/unix/internal.h does. The C layer below returns -errno and never
// throws; only binding.cc turns codes into JavaScript errors.
#ifndef PIDGEON_INTERNAL_H
#define PIDGEON_INTERNAL_H

#include <napi.h>
#include <uv.h>
#include <cerrno>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>
#include <memory>

namespace pidgeon {

// Retry a syscall expression while it fails with EINTR.
#define PG_EINTR_LOOP(r, expr) do { (r) = (expr); } while ((r) == -1 && errno == EINTR)

// The largest number of fds one datagram may carry (the kernel's SCM_MAX_FD).
constexpr int kMaxFdsPerDatagram = 253;
// The most parts (iovecs) one send gathers.
constexpr int kMaxIovecs = 64;

// Our own codes, outside the errno range, for directory checks errno cannot name.
constexpr int kErrDirOwner = -10001;  // owned by another user
constexpr int kErrDirMode = -10002;   // group- or world-writable
constexpr int kErrNotSealable = -10003;  // a passed "memfd" that is not one (no seals at all)
constexpr int kErrUnsealed = -10004;     // a memfd without F_SEAL_WRITE|SHRINK|GROW
constexpr int kErrMemfdSize = -10005;    // a memfd whose size is not the declared length

/* sysdir.cc: system directory and lockfiles */
int sysdir_check(const std::string& dir);    // existing dir: owned by us, not group/world-writable
// Join a system: mkdir, read-lock dir/system.lock for life (fd out), sock/ and lock/.
// -EAGAIN: a cleaner is removing the directory right now; try again.
int sysdir_join(const std::string& dir, int* fd_out);
// Remove a system directory nobody is a member of: 1 removed, 0 in use (or not only ours).
int sysdir_remove_if_dead(const std::string& dir);
int lockfile_create(const std::string& path, uint64_t* instance, int* fd_out);
int lockfile_release(int fd);                 // forget + close our own lockfile
// Probe another process's lockfile: 0 = missing, 1 = held (alive), 2 = stale.
int lockfile_probe(const std::string& path, uint64_t* instance);
// Remove a stale socket + lockfile pair; returns 1 if removed, 0 if the owner lives.
int stale_remove(const std::string& lock_path, const std::string& sock_path);

/* socket.cc: datagram sockets */
int socket_bind(const std::string& path, int bufsize, int* fd_out);
int socket_connect(const std::string& path, int bufsize, int* fd_out);
int socket_sndbuf(int fd);
int name_claim(const std::string& name, int* fd_out);  // bind an abstract socket name
struct IoPart { const uint8_t* data; size_t len; };
// blocking: wait for room (SO_SNDTIMEO bounds it); else MSG_DONTWAIT, -EAGAIN when full.
int socket_sendv(int fd, const IoPart* parts, int nparts, const int* fds, int nfds, bool blocking = false);
int fd_close(int fd);

/* memfd.cc: message bodies in sealed memfds */
// A memfd holding a copy of data, sealed against write, shrink, grow and further sealing.
int memfd_from_bytes(const uint8_t* data, size_t len, int* fd_out);
// Map a received memfd read-only after checking its seals and that its size is len.
int memfd_map(int fd, size_t len, void** addr_out);
void memfd_unmap(void* addr, size_t len);

/* process.cc: process-tree helpers */
int set_parent_death_signal(int sig, int expected_ppid);
int set_child_subreaper();
int reap_child(int pid);  // waitpid(pid, WNOHANG) for adopted orphans

/* receiver.cc: what a receive batch hands to JavaScript, one row of ints per
   datagram (binding.cc exports the layout; runtime/transport/native.ts reads it) */
enum ReceiveRow : int { kRowOffset, kRowLength, kRowPid, kRowUid, kRowFlags, kRowFds, kRowStride };
enum ReceiveFlag : int { kTruncated = 1, kControlTruncated = 2, kNoCredentials = 4 };

/* Napi classes, each in its own file */
void receiver_init(Napi::Env env, Napi::Object exports);
void writable_init(Napi::Env env, Napi::Object exports);
void pidwatch_init(Napi::Env env, Napi::Object exports);
void send_thread_init(Napi::Env env, Napi::Object exports);

// Turn a -errno into a JS Error with .code, .errno and .syscall (binding.cc).
Napi::Error errno_error(Napi::Env env, int neg_errno, const char* syscall, const std::string& path = "");

}  // namespace pidgeon

#endif
