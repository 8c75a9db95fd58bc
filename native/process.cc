// Process-tree helpers: die with the parent, and adopt orphaned grandchildren.
#include "internal.h"

#include <sys/prctl.h>
#include <unistd.h>

namespace pidgeon {

int set_parent_death_signal(int sig, int expected_ppid) {
  if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0) return -errno;
  // The parent may have died before prctl: then nobody will ever signal us.
  if (expected_ppid > 0 && getppid() != expected_ppid) return -ESRCH;
  return 0;
}

int set_child_subreaper() {
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

}  // namespace pidgeon
