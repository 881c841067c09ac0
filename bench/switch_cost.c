// What a context switch costs on this machine, between two processes and between two threads
// of one process: both pass one byte back and forth through two pipes, pinned to one core so
// that every hop is a switch. Read with docs/benchmarks.md (reading of 2026-12-05T03:30Z):
// pgbench's backends and clients are processes, the service's workers are threads.
//
//   cc -O2 -pthread bench/switch_cost.c -o /tmp/switch_cost && /tmp/switch_cost process
//   /tmp/switch_cost thread
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kRoundTrips = 100000 };
static int there[2], back[2];

static void* echo(void* unused) {
  (void)unused;
  char byte;
  for (int i = 0; i < kRoundTrips; i++) {
    if (read(there[0], &byte, 1) != 1 || write(back[1], &byte, 1) != 1) break;
  }
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 && strcmp(argv[1], "thread") == 0;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0 || pipe(there) != 0 || pipe(back) != 0) {
    perror("setup");
    return 1;
  }
  pthread_t thread;
  pid_t child = 0;
  if (threads) {
    pthread_create(&thread, NULL, echo, NULL);
  } else if ((child = fork()) == 0) {
    echo(NULL);
    _exit(0);
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char byte = 'x';
  for (int i = 0; i < kRoundTrips; i++) {
    if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  if (threads) {
    pthread_join(thread, NULL);
  } else {
    waitpid(child, NULL, 0);
  }
  double seconds =
      (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%s: %.2f µs per round trip (two switches)\n", threads ? "threads" : "processes",
         seconds * 1e6 / kRoundTrips);
  return 0;
}
