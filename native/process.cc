// Process-tree helpers: die with the parent, and adopt orphaned grandchildren.
#include "internal.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pidgeon {

int set_parent_death_signal(int sig, int expected_ppid) {
  if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0) return -errno;
  // The parent may have died before prctl: then nobody will ever signal us.
  if (expected_ppid > 0 && getppid() != expected_ppid) return -ESRCH;
  return 0;
}

int reap_child(int pid) {
  // Only ever called for a pid that is a zombie child of ours that Node did not
  // spawn (an orphan re-parented to a subreaper): libuv never waits for it.
  int status = 0;
  pid_t r;
  PG_EINTR_LOOP(r, waitpid(pid, &status, WNOHANG));
  return r < 0 ? -errno : (int)r;
}

int set_child_subreaper() {
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

}  // namespace pidgeon
