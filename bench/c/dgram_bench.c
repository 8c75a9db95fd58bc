// Raw AF_UNIX SOCK_DGRAM baseline for pidgeon's transport benchmark.
//
// Two processes (fork). Each side has a socket bound to a path in a private temp
// directory and a *separate* sending socket connected to the other side's path --
// the same topology as pidgeon's mailboxes, so the receiver's queue is limited by
// net.unix.max_dgram_qlen exactly as pidgeon's is (a socketpair would not be: the
// kernel skips that limit when the receiver's peer is the sender itself).
// Blocking sockets, no credentials (unless --passcred), no headers: the floor.
//
// Modes (any number, run in order, each in a fresh pair of processes):
//   pingpong  64 B round trips; per-iteration clock_gettime timings -> median, p99
//   pingpong-epoll  the same round trips shaped like pidgeon on libuv: non-blocking
//             sockets with SO_PASSCRED, epoll_wait, recvmmsg into 16 slots of 256 KiB
//             with room for credentials, and the extra zero-timeout epoll_wait that
//             libuv makes per loop turn when idle-time metrics are on (Node turns them
//             on). A diagnostic rung between raw C and Node.
//   oneway    64 B one-way, one send()/recv() per message, blocking
//   mmsg      64 B one-way, sendmmsg() of --batch messages per call, recvmmsg()
//   bulk      --bulk-size messages (1 MiB) split into --chunk datagrams, SO_SNDBUF raised
//   memfd     --bulk-size bodies through a sealed memfd, created and mapped in one process (no socket)
//
// Output: one JSON object on stdout; with --samples-out FILE the round-trip modes also
// write every sample (µs, float64 little-endian) to FILE. Build: cc -O2 -o dgram_bench dgram_bench.c
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARK_SYNC 'S'   // sender -> receiver: warm-up over, reply when caught up
#define MARK_END 'E'    // sender -> receiver: measurement over, reply with the count
#define MARK_QUIT 'Q'   // parent -> child: exit
#define MAX_BATCH 1024

static struct {
  long duration_ms;
  long warmup_ms;
  int size;
  int batch;
  int bulk_size;
  int chunk;
  int sndbuf;
  int passcred;
  long max_samples;
  const char* samples_out;
} cfg = { 2000, 500, 64, 64, 1 << 20, 256 * 1024, 4 << 20, 0, 2000000, NULL };

static char dir[64];

static void die(const char* what) {
  fprintf(stderr, "dgram_bench: %s: %s\n", what, strerror(errno));
  exit(2);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sock_path(struct sockaddr_un* a, const char* name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
}

static int bound(const char* name) {
  struct sockaddr_un a;
  sock_path(&a, name);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  unlink(a.sun_path);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0) die("bind");
  if (cfg.passcred) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) die("SO_PASSCRED");
  }
  return fd;
}

static int connected(const char* name, int sndbuf) {
  struct sockaddr_un a;
  sock_path(&a, name);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0) die("SO_SNDBUF");
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) die("connect");
  return fd;
}

static void send_all(int fd, const void* p, size_t n) {
  for (;;) {
    ssize_t r = send(fd, p, n, 0);
    if (r == (ssize_t)n) return;
    if (r < 0 && errno == EINTR) continue;
    die("send");
  }
}

static ssize_t recv_one(int fd, void* p, size_t n) {
  for (;;) {
    ssize_t r = recv(fd, p, n, 0);
    if (r >= 0) return r;
    if (errno != EINTR) die("recv");
  }
}

static void send_mark(int fd, char m) { send_all(fd, &m, 1); }

// A pair of processes: parent (a) and child (b). a_rx/b_rx are bound; a_tx is connected
// to b's path and b_tx to a's. The child runs `child` and exits.
struct pair { int a_rx, a_tx, b_rx, b_tx; pid_t pid; };

static struct pair make_pair(int sndbuf, void (*child)(int rx, int tx)) {
  struct pair p;
  p.a_rx = bound("a");
  p.b_rx = bound("b");
  p.a_tx = connected("b", sndbuf);
  p.b_tx = connected("a", sndbuf);
  pid_t parent = getpid();
  p.pid = fork();
  if (p.pid < 0) die("fork");
  if (p.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(3);
    close(p.a_rx);
    close(p.a_tx);
    child(p.b_rx, p.b_tx);
    _exit(0);
  }
  close(p.b_rx);
  close(p.b_tx);
  return p;
}

static void end_pair(struct pair* p) {
  int st;
  close(p->a_tx);
  close(p->a_rx);
  while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "dgram_bench: child failed (status %d)\n", st);
    exit(2);
  }
}

static int cmp_double(const void* x, const void* y) {
  double a = *(const double*)x, b = *(const double*)y;
  return a < b ? -1 : a > b;
}

// Nearest-rank percentile of sorted samples (the same definition as bench/lib/stats.ts).
static double pct(const double* s, long n, double q) {
  long k = (long)(q * n + 0.999999999);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return s[k - 1];
}

static void write_samples(const double* s, long n) {
  if (!cfg.samples_out) return;
  FILE* f = fopen(cfg.samples_out, "wb");
  if (!f || fwrite(s, sizeof(double), (size_t)n, f) != (size_t)n || fclose(f) != 0) die("samples-out");
}

/* ---- pingpong ---- */

static void echo_child(int rx, int tx) {
  char* buf = malloc(65536);
  for (;;) {
    ssize_t n = recv_one(rx, buf, 65536);
    if (n == 1 && buf[0] == MARK_QUIT) break;
    send_all(tx, buf, (size_t)n);
  }
  free(buf);
}

static void run_pingpong(int first) {
  struct pair p = make_pair(0, echo_child);
  char* msg = calloc(1, (size_t)cfg.size);
  char* in = malloc(65536);
  memset(msg, 'p', (size_t)cfg.size);
  double* samples = malloc(sizeof(double) * (size_t)cfg.max_samples);
  double t_end = now_s() + cfg.warmup_ms / 1000.0;
  long warm = 0;
  while (now_s() < t_end) {
    send_all(p.a_tx, msg, (size_t)cfg.size);
    recv_one(p.a_rx, in, 65536);
    warm++;
  }
  long n = 0;
  double start = now_s();
  t_end = start + cfg.duration_ms / 1000.0;
  double t = start;
  while (t < t_end && n < cfg.max_samples) {
    double t0 = t;
    send_all(p.a_tx, msg, (size_t)cfg.size);
    if (recv_one(p.a_rx, in, 65536) != cfg.size) { errno = EPROTO; die("pingpong reply"); }
    t = now_s();
    samples[n++] = (t - t0) * 1e6;
  }
  double elapsed = t - start;
  double sum = 0;
  for (long i = 0; i < n; i++) sum += samples[i];
  qsort(samples, (size_t)n, sizeof(double), cmp_double);
  write_samples(samples, n);
  send_mark(p.a_tx, MARK_QUIT);
  end_pair(&p);
  printf("%s\"pingpong\":{\"size\":%d,\"samples\":%ld,\"warmup_round_trips\":%ld,\"elapsed_s\":%.4f,"
         "\"median_us\":%.3f,\"p99_us\":%.3f,\"mean_us\":%.3f,\"min_us\":%.3f,\"max_us\":%.3f}",
         first ? "" : ",", cfg.size, n, warm, elapsed, pct(samples, n, 0.5), pct(samples, n, 0.99),
         sum / n, samples[0], samples[n - 1]);
  free(samples);
  free(msg);
  free(in);
}

/* ---- pingpong-epoll: the event-loop-shaped variant ---- */

#define EV_SLOTS 16
#define EV_SLOT_SIZE (256 * 1024)
#define EV_CONTROL 64

struct evloop {
  int ep, rx;
  char* arena;
  char control[EV_SLOTS][EV_CONTROL];
  struct mmsghdr mm[EV_SLOTS];
  struct iovec iov[EV_SLOTS];
};

static void ev_init(struct evloop* l, int rx) {
  int one = 1;
  l->rx = rx;
  if (setsockopt(rx, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) die("SO_PASSCRED");
  l->arena = malloc((size_t)EV_SLOTS * EV_SLOT_SIZE);
  l->ep = epoll_create1(EPOLL_CLOEXEC);
  if (l->ep < 0) die("epoll_create1");
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = rx };
  if (epoll_ctl(l->ep, EPOLL_CTL_ADD, rx, &ev) != 0) die("epoll_ctl");
}

// One loop turn: poll (zero timeout first, as libuv does with metrics on), then drain
// with recvmmsg. Returns the length of the last datagram received.
static ssize_t ev_turn(struct evloop* l, char** data) {
  struct epoll_event ev;
  int n = epoll_wait(l->ep, &ev, 1, 0);
  while (n == 0 || (n < 0 && errno == EINTR)) n = epoll_wait(l->ep, &ev, 1, -1);
  if (n < 0) die("epoll_wait");
  for (int i = 0; i < EV_SLOTS; i++) {
    l->iov[i].iov_base = l->arena + (size_t)i * EV_SLOT_SIZE;
    l->iov[i].iov_len = EV_SLOT_SIZE;
    memset(&l->mm[i].msg_hdr, 0, sizeof l->mm[i].msg_hdr);
    l->mm[i].msg_hdr.msg_iov = &l->iov[i];
    l->mm[i].msg_hdr.msg_iovlen = 1;
    l->mm[i].msg_hdr.msg_control = l->control[i];
    l->mm[i].msg_hdr.msg_controllen = EV_CONTROL;
  }
  int got = recvmmsg(l->rx, l->mm, EV_SLOTS, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
  if (got < 0 && errno != EAGAIN && errno != EINTR) die("recvmmsg");
  if (got <= 0) return 0;
  *data = l->arena + (size_t)(got - 1) * EV_SLOT_SIZE;
  return l->mm[got - 1].msg_len;
}

static void ev_echo_child(int rx, int tx) {
  struct evloop* l = calloc(1, sizeof *l);
  ev_init(l, rx);
  for (;;) {
    char* d = NULL;
    ssize_t n = ev_turn(l, &d);
    if (n == 0) continue;
    if (n == 1 && d[0] == MARK_QUIT) break;
    if (send(tx, d, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) die("send");
  }
}

static void run_pingpong_epoll(int first) {
  struct pair p = make_pair(0, ev_echo_child);
  struct evloop* l = calloc(1, sizeof *l);
  ev_init(l, p.a_rx);
  char* msg = malloc((size_t)cfg.size);
  memset(msg, 'p', (size_t)cfg.size);
  double* samples = malloc(sizeof(double) * (size_t)cfg.max_samples);
  double t_end = now_s() + cfg.warmup_ms / 1000.0;
  long warm = 0, n = 0;
  char* d;
  while (now_s() < t_end) {
    send_all(p.a_tx, msg, (size_t)cfg.size);
    while (ev_turn(l, &d) == 0) {}
    warm++;
  }
  double start = now_s(), t = start;
  t_end = start + cfg.duration_ms / 1000.0;
  while (t < t_end && n < cfg.max_samples) {
    double t0 = t;
    send_all(p.a_tx, msg, (size_t)cfg.size);
    while (ev_turn(l, &d) == 0) {}
    t = now_s();
    samples[n++] = (t - t0) * 1e6;
  }
  double sum = 0;
  for (long i = 0; i < n; i++) sum += samples[i];
  qsort(samples, (size_t)n, sizeof(double), cmp_double);
  write_samples(samples, n);
  send_mark(p.a_tx, MARK_QUIT);
  end_pair(&p);
  printf("%s\"pingpong-epoll\":{\"size\":%d,\"samples\":%ld,\"warmup_round_trips\":%ld,\"elapsed_s\":%.4f,"
         "\"median_us\":%.3f,\"p99_us\":%.3f,\"mean_us\":%.3f,\"min_us\":%.3f,\"max_us\":%.3f}",
         first ? "" : ",", cfg.size, n, warm, t - start, pct(samples, n, 0.5), pct(samples, n, 0.99),
         sum / n, samples[0], samples[n - 1]);
  close(l->ep);
  free(l->arena);
  free(l);
  free(samples);
  free(msg);
}

/* ---- one-way: receiver child counts messages of cfg.size (or bulk bytes) ---- */

static int g_mode_mmsg, g_mode_bulk;

static void reply_count(int tx, uint64_t count) { send_all(tx, &count, sizeof count); }

static void sink_child(int rx, int tx) {
  size_t cap = g_mode_bulk ? (size_t)cfg.bulk_size : 65536;
  int vlen = g_mode_mmsg ? cfg.batch : 1;
  char* arena = malloc(cap * (g_mode_bulk ? 1 : (size_t)vlen));
  struct mmsghdr* mm = calloc((size_t)vlen, sizeof *mm);
  struct iovec* iov = calloc((size_t)vlen, sizeof *iov);
  uint64_t count = 0;
  size_t off = 0;  // bulk: bytes of the current message so far
  for (;;) {
    int got;
    if (g_mode_mmsg) {
      for (int i = 0; i < vlen; i++) {
        iov[i].iov_base = arena + (size_t)i * 65536;
        iov[i].iov_len = 65536;
        memset(&mm[i].msg_hdr, 0, sizeof mm[i].msg_hdr);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
      }
      got = recvmmsg(rx, mm, (unsigned)vlen, MSG_WAITFORONE, NULL);
      if (got < 0) {
        if (errno == EINTR) continue;
        die("recvmmsg");
      }
    } else {
      // bulk: receive each fragment straight into its place in the message
      ssize_t n = g_mode_bulk ? recv_one(rx, arena + off, cap - off) : recv_one(rx, arena, cap);
      mm[0].msg_len = (unsigned)n;
      iov[0].iov_base = g_mode_bulk ? arena + off : arena;
      got = 1;
    }
    for (int i = 0; i < got; i++) {
      unsigned len = mm[i].msg_len;
      const char* d = g_mode_mmsg ? arena + (size_t)i * 65536 : iov[0].iov_base;
      if (len == 1) {
        if (d[0] == MARK_SYNC) { count = 0; off = 0; reply_count(tx, 0); continue; }
        if (d[0] == MARK_END) { reply_count(tx, count); continue; }
        if (d[0] == MARK_QUIT) goto out;
      }
      if (g_mode_bulk) {
        off += len;
        if (off == cap) { count++; off = 0; }
      } else if ((int)len == cfg.size) {
        count++;
      }
    }
  }
out:
  free(arena);
  free(mm);
  free(iov);
}

static uint64_t wait_count(int rx) {
  uint64_t c = 0;
  if (recv_one(rx, &c, sizeof c) != sizeof c) { errno = EPROTO; die("count reply"); }
  return c;
}

// Send one unit of work: one message (oneway), a sendmmsg batch (mmsg) or one bulk message.
// Returns the number of messages it carried.
static struct mmsghdr* g_mm;
static struct iovec* g_iov;

static long send_unit(int tx, const char* msg) {
  if (g_mode_bulk) {
    for (int off = 0; off < cfg.bulk_size; off += cfg.chunk) {
      int len = cfg.bulk_size - off < cfg.chunk ? cfg.bulk_size - off : cfg.chunk;
      send_all(tx, msg + off, (size_t)len);
    }
    return 1;
  }
  if (g_mode_mmsg) {
    int done = 0;
    while (done < cfg.batch) {
      int r = sendmmsg(tx, g_mm + done, (unsigned)(cfg.batch - done), 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        die("sendmmsg");
      }
      done += r;
    }
    return cfg.batch;
  }
  send_all(tx, msg, (size_t)cfg.size);
  return 1;
}

static void run_oneway(int first, const char* name, int mmsg, int bulk) {
  g_mode_mmsg = mmsg;
  g_mode_bulk = bulk;
  struct pair p = make_pair(bulk ? cfg.sndbuf : 0, sink_child);
  size_t msize = bulk ? (size_t)cfg.bulk_size : (size_t)cfg.size;
  char* msg = malloc(msize);
  memset(msg, 'm', msize);
  g_mm = calloc((size_t)cfg.batch, sizeof *g_mm);
  g_iov = calloc((size_t)cfg.batch, sizeof *g_iov);
  for (int i = 0; i < cfg.batch; i++) {
    g_iov[i].iov_base = msg;
    g_iov[i].iov_len = (size_t)cfg.size;
    g_mm[i].msg_hdr.msg_iov = &g_iov[i];
    g_mm[i].msg_hdr.msg_iovlen = 1;
  }
  // How many units between clock reads: keep it cheap but well under a millisecond.
  int check = bulk ? 1 : mmsg ? 4 : 256;
  double t_end = now_s() + cfg.warmup_ms / 1000.0;
  while (now_s() < t_end) for (int i = 0; i < check; i++) send_unit(p.a_tx, msg);
  send_mark(p.a_tx, MARK_SYNC);
  wait_count(p.a_rx);
  long sent = 0;
  double start = now_s();
  t_end = start + cfg.duration_ms / 1000.0;
  while (now_s() < t_end) for (int i = 0; i < check; i++) sent += send_unit(p.a_tx, msg);
  send_mark(p.a_tx, MARK_END);
  uint64_t got = wait_count(p.a_rx);
  double elapsed = now_s() - start;
  send_mark(p.a_tx, MARK_QUIT);
  end_pair(&p);
  if ((long)got != sent) {
    fprintf(stderr, "dgram_bench: %s: sent %ld, received %" PRIu64 "\n", name, sent, got);
    exit(2);
  }
  printf("%s\"%s\":{\"size\":%zu,\"messages\":%ld,\"elapsed_s\":%.4f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.2f",
         first ? "" : ",", name, msize, sent, elapsed, sent / elapsed, sent * (double)msize / elapsed / 1e6);
  if (mmsg) printf(",\"batch\":%d", cfg.batch);
  if (bulk) {
    int sb = 0;
    socklen_t sl = sizeof sb;
    getsockopt(p.a_tx, SOL_SOCKET, SO_SNDBUF, &sb, &sl);
    printf(",\"chunk\":%d,\"datagrams_per_message\":%d,\"sndbuf_requested\":%d", cfg.chunk,
           (cfg.bulk_size + cfg.chunk - 1) / cfg.chunk, cfg.sndbuf);
  }
  printf("}");
  free(msg);
  free(g_mm);
  free(g_iov);
}

/* ---- memfd: the floor of a sealed-memfd path, in one process, no socket: per
 * message memfd_create + ftruncate + pwrite + seals (the sender's part), then
 * F_GET_SEALS + fstat + mmap(MAP_POPULATE) + munmap + close (the receiver's). On a
 * VM whose fresh pages are expensive to touch, this is the ceiling of any path
 * that takes new pages per message. ---- */
static void run_memfd(int first) {
  size_t len = (size_t)cfg.bulk_size;
  char* body = malloc(len);
  if (!body) die("malloc");
  memset(body, 'm', len);
  long n = 0;
  double start = 0, t_end = now_s() + cfg.warmup_ms / 1000.0;
  for (int timed = 0; timed < 2; timed++) {
    if (timed) { start = now_s(); t_end = start + cfg.duration_ms / 1000.0; n = 0; }
    while (now_s() < t_end) {
      int fd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
      if (fd < 0 || ftruncate(fd, (off_t)len) != 0) die("memfd_create");
      for (size_t off = 0; off < len;) {
        ssize_t w = pwrite(fd, body + off, len - off, (off_t)off);
        if (w <= 0) die("pwrite");
        off += (size_t)w;
      }
      if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) die("F_ADD_SEALS");
      struct stat st;
      if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size != len) die("seals");
      void* m = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
      if (m == MAP_FAILED) die("mmap");
      munmap(m, len);
      close(fd);
      n++;
    }
  }
  double elapsed = now_s() - start;
  printf("%s\"memfd\":{\"size\":%zu,\"messages\":%ld,\"elapsed_s\":%.4f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.2f}",
         first ? "" : ",", len, n, elapsed, n / elapsed, n * (double)len / elapsed / 1e6);
  free(body);
}

static void cleanup(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/a", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/b", dir);
  unlink(path);
  rmdir(dir);
}

static long num_arg(int argc, char** argv, int* i) {
  if (*i + 1 >= argc) { fprintf(stderr, "dgram_bench: %s needs a value\n", argv[*i]); exit(2); }
  return strtol(argv[++*i], NULL, 0);
}

int main(int argc, char** argv) {
  const char* modes[8];
  int nmodes = 0;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (!strcmp(a, "--duration-ms")) cfg.duration_ms = num_arg(argc, argv, &i);
    else if (!strcmp(a, "--warmup-ms")) cfg.warmup_ms = num_arg(argc, argv, &i);
    else if (!strcmp(a, "--size")) cfg.size = (int)num_arg(argc, argv, &i);
    else if (!strcmp(a, "--batch")) cfg.batch = (int)num_arg(argc, argv, &i);
    else if (!strcmp(a, "--bulk-size")) cfg.bulk_size = (int)num_arg(argc, argv, &i);
    else if (!strcmp(a, "--chunk")) cfg.chunk = (int)num_arg(argc, argv, &i);
    else if (!strcmp(a, "--sndbuf")) cfg.sndbuf = (int)num_arg(argc, argv, &i);
    else if (!strcmp(a, "--passcred")) cfg.passcred = 1;
    else if (!strcmp(a, "--samples-out")) {
      if (i + 1 >= argc) { fprintf(stderr, "dgram_bench: --samples-out needs a file\n"); return 2; }
      cfg.samples_out = argv[++i];
    }
    else if (a[0] == '-') { fprintf(stderr, "dgram_bench: unknown option %s\n", a); return 2; }
    else if (nmodes < 8) modes[nmodes++] = a;
  }
  if (cfg.size < 2 || cfg.size > 65536 || cfg.batch < 1 || cfg.batch > MAX_BATCH || cfg.chunk < 2 ||
      cfg.bulk_size < cfg.chunk || cfg.duration_ms < 1) {
    fprintf(stderr, "dgram_bench: bad arguments\n");
    return 2;
  }
  if (nmodes == 0) {
    modes[nmodes++] = "pingpong";
    modes[nmodes++] = "oneway";
    modes[nmodes++] = "mmsg";
    modes[nmodes++] = "bulk";
  }
  strcpy(dir, "/tmp/dgram-bench-XXXXXX");
  if (!mkdtemp(dir)) die("mkdtemp");
  atexit(cleanup);
  signal(SIGPIPE, SIG_IGN);
  printf("{\"system\":\"c\",\"passcred\":%s,\"results\":{", cfg.passcred ? "true" : "false");
  for (int m = 0; m < nmodes; m++) {
    fflush(stdout);
    if (!strcmp(modes[m], "pingpong")) run_pingpong(m == 0);
    else if (!strcmp(modes[m], "pingpong-epoll")) run_pingpong_epoll(m == 0);
    else if (!strcmp(modes[m], "oneway")) run_oneway(m == 0, "oneway", 0, 0);
    else if (!strcmp(modes[m], "mmsg")) run_oneway(m == 0, "mmsg", 1, 0);
    else if (!strcmp(modes[m], "bulk")) run_oneway(m == 0, "bulk", 0, 1);
    else if (!strcmp(modes[m], "memfd")) run_memfd(m == 0);
    else { fprintf(stderr, "dgram_bench: unknown mode %s\n", modes[m]); return 2; }
  }
  printf("}}\n");
  return 0;
}
