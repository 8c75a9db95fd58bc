// Large message bodies in one copy: the sender writes the body into a sealed
// memfd and passes the fd (SCM_RIGHTS); the receiver checks the seals and the size
// and maps the file read-only. Only syscalls here; when to use it is decided in
// runtime/transport (the memfdThreshold option).
#include "internal.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pidgeon {

namespace {

// What a receiver needs before it may map a file: nobody can write, shrink or grow
// it any more (F_SEAL_WRITE also guarantees no writable shared mapping exists).
constexpr int kRequiredSeals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;

}  // namespace

int memfd_from_bytes(const uint8_t* data, size_t len, int* fd_out) {
  int fd = memfd_create("pidgeon-msg", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  int r = 0;
  // Size the file first: one allocation of its pages' bookkeeping, not growth per write.
  if (ftruncate(fd, (off_t)len) != 0) goto fail;
  for (size_t off = 0; off < len;) {
    ssize_t n;
    PG_EINTR_LOOP(n, pwrite(fd, data + off, len - off, (off_t)off));
    if (n < 0) goto fail;
    if (n == 0) { errno = EIO; goto fail; }
    off += (size_t)n;
  }
  // F_SEAL_SEAL last: the seals can then never be changed, by us or the receiver.
  if (fcntl(fd, F_ADD_SEALS, kRequiredSeals | F_SEAL_SEAL) != 0) goto fail;
  *fd_out = fd;
  return 0;
fail:
  r = -errno;
  close(fd);
  return r;
}

int memfd_map(int fd, size_t len, void** addr_out) {
  if (fd < 0) return -EBADF;
  if (len == 0) return -EINVAL;
  // Seals first: an unsealed file could change size or contents under the mapping
  // (a SIGBUS on a shrunk file, or bytes that change after they were checked).
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0) return errno == EINVAL ? kErrNotSealable : -errno;
  if ((seals & kRequiredSeals) != kRequiredSeals) return kErrUnsealed;
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size != (uint64_t)len) return kErrMemfdSize;
  // MAP_POPULATE: the page-cache pages are wired into our page table now, in one
  // pass in the kernel, instead of one fault per 4 KiB page as the body is read.
  void* p = mmap(nullptr, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) return -errno;
  *addr_out = p;
  return 0;
}

void memfd_unmap(void* addr, size_t len) {
  if (addr != nullptr) munmap(addr, len);
}

}  // namespace pidgeon
