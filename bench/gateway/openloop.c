// An open-loop HTTP/1.1 load generator for bench/gateway: requests fall due at a fixed rate
// whatever the server does, and each latency is counted from the moment its request was due
// (as wrk2 does, which Debian does not package), so a stalled server cannot hide its stall by
// slowing the generator down. Written in C because at the rates used here (thousands a second on
// two cores) the Node generator of bench/load.mjs takes most of a core and its own pauses became
// the largest part of what it measured. Loopback targets only; bounded in count and time.
//
// Build: cc -O2 -o openloop openloop.c   (run.mjs builds it into .infra/bench/)
// Usage: openloop HOST PORT PATH RATE DURATION_S CONNECTIONS WARMUP_S ["Name: value" ...]
// Prints one JSON object: requests, errors, achievedRps, p50Ms, p90Ms, p99Ms, p999Ms, maxMs.
// Answers must carry Content-Length (every candidate's do); anything else counts as an error.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 16384

struct conn {
  int fd;
  int busy;
  double due;           /* when the request in flight fell due, s */
  int measured;         /* after the warm-up: its latency counts */
  char head[HEAD_MAX];  /* response head collected so far */
  size_t head_len;
  long body_left;       /* -1 while the head is incomplete */
  int status;
  int close_after;      /* the answer said Connection: close */
};

static struct sockaddr_in target;
static char request[HEAD_MAX];
static size_t request_len;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "openloop: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int open_conn(int epoll_fd, struct conn *c) {
  int one = 1;
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0) die("socket");
  if (connect(c->fd, (struct sockaddr *)&target, sizeof target) != 0) return -1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
  c->busy = 0;
  return 0;
}

/* Parses a complete head: status, Connection: close and Content-Length (-1: cannot be framed). */
static long content_length(struct conn *c) {
  long length = -1;
  c->status = atoi(c->head + 9);
  c->close_after = 0;
  char *line = strstr(c->head, "\r\n");
  while (line != NULL && line[2] != '\r') {
    line += 2;
    if (strncasecmp(line, "content-length:", 15) == 0) length = strtol(line + 15, NULL, 10);
    if (strncasecmp(line, "connection:", 11) == 0 && strcasestr(line, "close") != NULL &&
        strcasestr(line, "close") < strstr(line, "\r\n"))
      c->close_after = 1;
    line = strstr(line, "\r\n");
  }
  return length;
}

/* Closes the connection and opens a new one (the server closes after a set number of requests). */
static void reopen(int epoll_fd, struct conn *c) {
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  if (open_conn(epoll_fd, c) != 0) die("reconnect");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: openloop HOST PORT PATH RATE DURATION_S CONNECTIONS WARMUP_S [HEADER...]\n");
    return 2;
  }
  const char *host = argv[1], *path = argv[3];
  double rate = atof(argv[4]), duration = atof(argv[5]), warmup = atof(argv[7]);
  int nconn = atoi(argv[6]);
  memset(&target, 0, sizeof target);
  target.sin_family = AF_INET;
  target.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, host, &target.sin_addr) != 1 || (ntohl(target.sin_addr.s_addr) >> 24) != 127) {
    fprintf(stderr, "openloop: the target must be a 127.x.x.x address (loopback only)\n");
    return 2;
  }
  if (rate <= 0 || rate > 200000 || duration <= 0 || duration > 120 || warmup < 0 || warmup > 60 ||
      nconn < 1 || nconn > 1024) {
    fprintf(stderr, "openloop: rate (0, 200000], duration (0, 120], warm-up [0, 60], connections [1, 1024]\n");
    return 2;
  }
  int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n", path, host, argv[2]);
  for (int i = 8; i < argc && n < (int)sizeof request; i++)
    n += snprintf(request + n, sizeof request - n, "%s\r\n", argv[i]);
  n += snprintf(request + n, sizeof request - n, "\r\n");
  if (n >= (int)sizeof request) {
    fprintf(stderr, "openloop: request head too long\n");
    return 2;
  }
  request_len = (size_t)n;

  long total = (long)(rate * (warmup + duration));
  double *due_queue = malloc(sizeof(double) * (size_t)total);
  double *latencies = malloc(sizeof(double) * (size_t)total);
  struct conn *conns = calloc((size_t)nconn, sizeof(struct conn));
  if (due_queue == NULL || latencies == NULL || conns == NULL) die("malloc");
  int epoll_fd = epoll_create1(0);
  if (epoll_fd < 0) die("epoll_create1");
  for (int i = 0; i < nconn; i++)
    if (open_conn(epoll_fd, &conns[i]) != 0) die("connect");

  long scheduled = 0, queue_head = 0, done = 0, measured = 0, errors = 0;
  long closed = 0, unframed = 0, bad_status = 0;
  char buf[65536];
  struct epoll_event events[256];
  double start = now_s(), measure_from = start + warmup, deadline = start + warmup + duration + 10;
  while (done < total) {
    double now = now_s();
    if (now > deadline) break;
    while (scheduled < total && start + (double)scheduled / rate <= now) {
      due_queue[scheduled] = start + (double)scheduled / rate;
      scheduled++;
    }
    for (int i = 0; i < nconn && queue_head < scheduled; i++) {
      struct conn *c = &conns[i];
      if (c->busy) continue;
      if (write(c->fd, request, request_len) != (ssize_t)request_len) {
        errors++;
        done++;
        queue_head++;
        reopen(epoll_fd, c);
        continue;
      }
      c->busy = 1;
      c->due = due_queue[queue_head++];
      c->measured = c->due >= measure_from;
      c->head_len = 0;
      c->body_left = -1;
    }
    double next = scheduled < total ? start + (double)scheduled / rate : now + 0.01;
    double wait = next - now_s();
    struct timespec timeout = {0, 0};
    if (wait > 0) {
      timeout.tv_sec = (time_t)wait;
      timeout.tv_nsec = (long)((wait - (double)timeout.tv_sec) * 1e9);
    }
    int ready = epoll_pwait2(epoll_fd, events, 256, &timeout, NULL);
    if (ready < 0 && errno != EINTR) die("epoll_pwait2");
    for (int e = 0; e < ready; e++) {
      struct conn *c = events[e].data.ptr;
      ssize_t got = read(c->fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        if (c->busy) {
          errors++;
          closed++;
          done++;
        }
        reopen(epoll_fd, c);
        continue;
      }
      if (!c->busy) continue;
      size_t used = 0;
      if (c->body_left < 0) {
        size_t take = (size_t)got;
        if (c->head_len + take >= HEAD_MAX) take = HEAD_MAX - 1 - c->head_len;
        memcpy(c->head + c->head_len, buf, take);
        c->head_len += take;
        c->head[c->head_len] = '\0';
        char *end = strstr(c->head, "\r\n\r\n");
        if (end == NULL) {
          if (c->head_len >= HEAD_MAX - 1) c->body_left = -2; /* unframeable */
          else continue;
        } else {
          size_t head_bytes = (size_t)(end + 4 - c->head);
          used = head_bytes - (c->head_len - take);
          c->body_left = content_length(c);
        }
        if (c->body_left < 0) {
          if (unframed == 0) fprintf(stderr, "openloop: an answer without Content-Length: %.300s\n", c->head);
          errors++;
          unframed++;
          done++;
          reopen(epoll_fd, c);
          continue;
        }
      }
      c->body_left -= (long)((size_t)got - used);
      if (c->body_left > 0) continue;
      double latency = now_s() - c->due;
      if (c->status >= 400 || c->status < 100) {
        errors++;
        bad_status++;
      }
      if (c->measured) latencies[measured++] = latency * 1000;
      done++;
      c->busy = 0;
      if (c->close_after) reopen(epoll_fd, c);
    }
  }
  if (closed + unframed + bad_status + (total - done) > 0)
    fprintf(stderr, "openloop: %ld closed in flight, %ld unframed, %ld with status >= 400, %ld unanswered\n",
            closed, unframed, bad_status, total - done);
  errors += total - done;
  qsort(latencies, (size_t)measured, sizeof(double), cmp_double);
#define PCT(p) (measured == 0 ? 0 : latencies[(long)((p) / 100.0 * (double)(measured - 1))])
  printf("{\"requests\":%ld,\"errors\":%ld,\"ratePerS\":%.0f,\"achievedRps\":%.1f,"
         "\"p50Ms\":%.3f,\"p90Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}\n",
         measured, errors, rate, (double)measured / duration, PCT(50), PCT(90), PCT(99), PCT(99.9),
         measured == 0 ? 0 : latencies[measured - 1]);
  return 0;
}
