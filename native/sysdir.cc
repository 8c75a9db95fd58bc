// The system directory: sock/ and lock/ below a 0700 directory we own, and the
// per-process lockfile whose fcntl lock says "this pid is alive".
#include "internal.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace pidgeon {

namespace {

// Locks held by this process, by (dev, ino). Probing or cleaning one of our own
// lockfiles must never open it: closing any fd of a file drops this process's fcntl
// locks on it, and F_GETLK never reports our own lock as a conflict.
struct OwnLock { dev_t dev; ino_t ino; uint64_t instance; };
std::vector<OwnLock> g_own_locks;
std::mutex g_own_locks_mu;

bool own_lock(const std::string& path, uint64_t* instance) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  std::lock_guard<std::mutex> g(g_own_locks_mu);
  for (const auto& l : g_own_locks) {
    if (l.dev == st.st_dev && l.ino == st.st_ino) {
      if (instance) *instance = l.instance;
      return true;
    }
  }
  return false;
}

// Validate one existing directory: a real directory, ours, not writable by others.
int check_dir(const std::string& dir) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return -errno;
  if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
  if (st.st_uid != geteuid()) return kErrDirOwner;
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return kErrDirMode;
  return 0;
}

// mkdir one level with 0700; an existing directory is then validated.
int make_dir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return -errno;
  return check_dir(dir);
}

int read_instance(int fd, uint64_t* instance) {
  char buf[32];
  ssize_t n;
  PG_EINTR_LOOP(n, pread(fd, buf, sizeof buf - 1, 0));
  if (n < 0) return -errno;
  buf[n] = '\0';
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(buf, &end, 16);
  if (errno != 0 || end == buf) return -EINVAL;
  *instance = v;
  return 0;
}

}  // namespace

int sysdir_check(const std::string& dir) { return check_dir(dir); }

int sysdir_prepare(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return -EINVAL;
  // Create missing parents with 0700; only the system directory itself (and its
  // sock/ and lock/) must be ours: parents such as /tmp are legitimately shared.
  for (size_t pos = 1; pos < dir.size(); pos++) {
    if (dir[pos] != '/') continue;
    std::string parent = dir.substr(0, pos);
    if (mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) return -errno;
  }
  int r = make_dir(dir);
  if (r != 0) return r;
  if ((r = make_dir(dir + "/sock")) != 0) return r;
  return make_dir(dir + "/lock");
}

int lockfile_create(const std::string& path, uint64_t* instance, int* fd_out) {
  uint64_t id = 0;
  while (id == 0) {
    ssize_t n;
    PG_EINTR_LOOP(n, getrandom(&id, sizeof id, 0));
    if (n != (ssize_t)sizeof id) return n < 0 ? -errno : -EIO;
  }
  // No O_EXCL: a leftover file of a dead process with our pid is simply taken over;
  // whether a file is in use is decided by the fcntl lock alone.
  for (int attempt = 0; attempt < 200; attempt++) {
    int fd;
    PG_EINTR_LOOP(fd, open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd < 0) return -errno;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    int r;
    PG_EINTR_LOOP(r, fcntl(fd, F_SETLK, &fl));
    if (r != 0) {
      int err = errno;
      close(fd);
      if (err != EAGAIN && err != EACCES) return -err;
      // A cleaner holds the stale file for a moment before unlinking it.
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, nullptr);
      continue;
    }
    // A cleaner may have unlinked the file between our open and our lock:
    // then our lock guards nothing, start over with a fresh file.
    struct stat fst, pst;
    if (fstat(fd, &fst) != 0 || stat(path.c_str(), &pst) != 0 ||
        fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino) {
      close(fd);
      continue;
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%016" PRIx64 "\n", id);
    ssize_t w;
    PG_EINTR_LOOP(r, ftruncate(fd, 0));
    if (r != 0) { r = -errno; close(fd); return r; }
    PG_EINTR_LOOP(w, pwrite(fd, buf, len, 0));
    if (w != len) { r = w < 0 ? -errno : -EIO; close(fd); return r; }
    {
      std::lock_guard<std::mutex> g(g_own_locks_mu);
      g_own_locks.push_back({fst.st_dev, fst.st_ino, id});
    }
    *instance = id;
    *fd_out = fd;
    return 0;
  }
  return -EADDRINUSE;
}

int lockfile_release(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0) {
    std::lock_guard<std::mutex> g(g_own_locks_mu);
    for (size_t i = 0; i < g_own_locks.size(); i++) {
      if (g_own_locks[i].dev == st.st_dev && g_own_locks[i].ino == st.st_ino) {
        g_own_locks.erase(g_own_locks.begin() + i);
        break;
      }
    }
  }
  return fd_close(fd);
}

int lockfile_probe(const std::string& path, uint64_t* instance) {
  *instance = 0;
  if (own_lock(path, instance)) return 1;
  int fd;
  PG_EINTR_LOOP(fd, open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd < 0) return errno == ENOENT ? 0 : -errno;
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_RDLCK;  // a held write lock conflicts with a read lock
  fl.l_whence = SEEK_SET;
  int r;
  PG_EINTR_LOOP(r, fcntl(fd, F_GETLK, &fl));
  int result;
  if (r != 0) {
    result = -errno;
  } else {
    result = fl.l_type == F_UNLCK ? 2 : 1;
    // The owner writes its id right after locking: an unreadable id while held
    // means "just starting"; report it as 0 and let the caller retry.
    if (read_instance(fd, instance) != 0) *instance = 0;
  }
  close(fd);
  return result;
}

int stale_remove(const std::string& lock_path, const std::string& sock_path) {
  if (own_lock(lock_path, nullptr)) return 0;
  int fd;
  PG_EINTR_LOOP(fd, open(lock_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (fd < 0) {
    if (errno != ENOENT) return -errno;
    // Owners create the lockfile before binding: a socket without one is stale.
    if (unlink(sock_path.c_str()) != 0 && errno != ENOENT) return -errno;
    return 1;
  }
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int r;
  PG_EINTR_LOOP(r, fcntl(fd, F_SETLK, &fl));
  if (r != 0) {
    int err = errno;
    close(fd);
    return (err == EAGAIN || err == EACCES) ? 0 : -err;
  }
  // Unlink while holding the lock, then close: closing first would let a new owner
  // lock this file and we would unlink its live lockfile.
  unlink(sock_path.c_str());
  unlink(lock_path.c_str());
  close(fd);
  return 1;
}

}  // namespace pidgeon
