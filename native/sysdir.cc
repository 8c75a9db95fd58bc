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
#include <dirent.h>
#include <sched.h>
#include <ctime>

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

// Open `path` and take an fcntl lock of `type` on it without waiting, then check
// that the file we locked is still the one at `path`: a cleaner may unlink it
// between our open and our lock, and a lock on an unlinked file guards nothing.
// Returns 0 with *fd_out set; -EAGAIN when someone else holds a conflicting lock
// or the file was replaced (try again); another -errno on failure.
int open_locked(const std::string& path, short type, bool create, int* fd_out) {
  int fd;
  int flags = (type == F_WRLCK || create ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
  PG_EINTR_LOOP(fd, open(path.c_str(), flags, 0600));
  if (fd < 0) return -errno;
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  int r;
  struct stat fst, pst;
  PG_EINTR_LOOP(r, fcntl(fd, F_SETLK, &fl));
  if (r != 0) {
    r = (errno == EAGAIN || errno == EACCES) ? -EAGAIN : -errno;
    goto fail;
  }
  if (fstat(fd, &fst) != 0 || stat(path.c_str(), &pst) != 0 ||
      fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino) {
    r = -EAGAIN;
    goto fail;
  }
  *fd_out = fd;
  return 0;
fail:
  close(fd);
  return r;
}

void remember_own_lock(int fd, uint64_t instance) {
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  std::lock_guard<std::mutex> g(g_own_locks_mu);
  g_own_locks.push_back({st.st_dev, st.st_ino, instance});
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

namespace {

// The system lock: every member holds a read lock on <dir>/system.lock for its
// life. A cleaner that gets the write lock knows the system has no member, and
// none can join until it lets go (joiners re-check the inode, as with lockfiles).
const char kSystemLock[] = "/system.lock";

// mkdir -p the directory: missing parents with 0700; only the system directory
// itself must be ours, parents such as /tmp are legitimately shared.
int make_tree(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return -EINVAL;
  for (size_t pos = 1; pos < dir.size(); pos++) {
    if (dir[pos] != '/') continue;
    std::string parent = dir.substr(0, pos);
    if (mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) return -errno;
  }
  return make_dir(dir);
}

// Unlink every non-directory entry of `sub`, then the directory. ENOENT is fine.
int empty_and_remove(const std::string& sub) {
  DIR* d = opendir(sub.c_str());
  if (!d) return errno == ENOENT ? 0 : -errno;
  int r = 0;
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (e->d_type == DT_DIR) continue;  // not ours: rmdir below will fail and keep it
    std::string p = sub + "/" + e->d_name;
    if (unlink(p.c_str()) != 0 && errno != ENOENT) r = -errno;
  }
  closedir(d);
  if (r != 0) return r;
  if (rmdir(sub.c_str()) != 0 && errno != ENOENT) return -errno;
  return 0;
}

// Does any lockfile in lock/ have a live owner? (Members hold the system lock too;
// this also covers a process that opened its lockfile some other way.)
int any_live_lockfile(const std::string& dir) {
  std::string sub = dir + "/lock";
  DIR* d = opendir(sub.c_str());
  if (!d) return errno == ENOENT ? 0 : -errno;
  int live = 0;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    uint64_t instance;
    if (lockfile_probe(sub + "/" + e->d_name, &instance) == 1) { live = 1; break; }
  }
  closedir(d);
  return live;
}

}  // namespace

int sysdir_join(const std::string& dir, int* fd_out) {
  int r = make_tree(dir);
  if (r != 0) return r;
  int fd = -1;
  r = open_locked(dir + kSystemLock, F_RDLCK, true, &fd);
  // ENOENT: a cleaner removed the directory between our mkdir and our open.
  if (r == -ENOENT) return -EAGAIN;
  if (r != 0) return r;
  // sock/ and lock/ only after joining: a cleaner that held the system lock may
  // have just removed them.
  if ((r = make_dir(dir + "/sock")) != 0 || (r = make_dir(dir + "/lock")) != 0) goto fail;
  remember_own_lock(fd, 0);
  *fd_out = fd;
  return 0;
fail:
  close(fd);
  return r;
}

int sysdir_remove_if_dead(const std::string& dir) {
  int r = check_dir(dir);
  if (r != 0) return r;
  std::string lock = dir + kSystemLock;
  if (own_lock(lock, nullptr)) return 0;
  int fd = -1;
  // O_CREAT: a directory left by a version without system locks has none; taking
  // it now still stops anyone joining while we look.
  r = open_locked(lock, F_WRLCK, true, &fd);
  if (r == -EAGAIN || r == -ENOENT) return 0;  // a member holds it, or a racing cleaner
  if (r != 0) return r;
  if ((r = any_live_lockfile(dir)) != 0) {
    if (r > 0) r = 0;
    goto done;
  }
  if ((r = empty_and_remove(dir + "/sock")) != 0) goto done;
  if ((r = empty_and_remove(dir + "/lock")) != 0) goto done;
  if ((r = empty_and_remove(dir + "/names")) != 0) goto done;
  // Unlink while holding the lock, then close: closing first would let a joiner
  // lock this file and we would unlink a live system's lock.
  if (unlink(lock.c_str()) != 0 && errno != ENOENT) { r = -errno; goto done; }
  // ENOTEMPTY: a joiner made a new system.lock since, or the directory holds
  // something that is not ours; either way it stays.
  r = rmdir(dir.c_str()) == 0 ? 1 : 0;
done:
  close(fd);
  return r;
}

int lockfile_create(const std::string& path, uint64_t* instance, int* fd_out) {
  uint64_t id = 0;
  while (id == 0) {
    ssize_t n;
    PG_EINTR_LOOP(n, getrandom(&id, sizeof id, 0));
    if (n != (ssize_t)sizeof id) return n < 0 ? -errno : -EIO;
  }
  // No O_EXCL: a leftover file of a dead process with our pid is simply taken over;
  // whether a file is in use is decided by the fcntl lock alone. A cleaner holds
  // a stale file only between its lock and its unlink: retry a few times, yielding
  // first and then sleeping 1 ms, at most ~20 ms in all (it runs in start-up).
  int fd = -1;
  int r = -EAGAIN;
  for (int attempt = 0; attempt < 28 && r == -EAGAIN; attempt++) {
    if (attempt > 0 && attempt < 8) sched_yield();
    if (attempt >= 8) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, nullptr);
    }
    r = open_locked(path, F_WRLCK, true, &fd);
  }
  if (r != 0) return r == -EAGAIN ? -EADDRINUSE : r;
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%016" PRIx64 "\n", id);
  ssize_t w;
  PG_EINTR_LOOP(r, ftruncate(fd, 0));
  if (r != 0) { r = -errno; close(fd); return r; }
  PG_EINTR_LOOP(w, pwrite(fd, buf, len, 0));
  if (w != len) { r = w < 0 ? -errno : -EIO; close(fd); return r; }
  remember_own_lock(fd, id);
  *instance = id;
  *fd_out = fd;
  return 0;
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
  int fd = -1;
  // open_locked re-checks the inode after locking: a cleaner holding an old,
  // already unlinked file must not unlink a new owner's lockfile and socket.
  int r = open_locked(lock_path, F_WRLCK, false, &fd);
  if (r == -ENOENT) {
    // Owners create the lockfile before binding: a socket without one is stale.
    if (unlink(sock_path.c_str()) != 0 && errno != ENOENT) return -errno;
    return 1;
  }
  if (r == -EAGAIN) return 0;  // the owner lives (or the file was just replaced)
  if (r != 0) return r;
  // Unlink while holding the lock, then close: closing first would let a new owner
  // lock this file and we would unlink its live lockfile.
  r = 1;
  if (unlink(sock_path.c_str()) != 0 && errno != ENOENT) r = -errno;
  if (unlink(lock_path.c_str()) != 0 && errno != ENOENT && r == 1) r = -errno;
  close(fd);
  return r;
}

}  // namespace pidgeon
