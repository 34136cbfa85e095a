/*
 * randread: the machine's random memory-read rate, the ceiling for a
 * neighbour sampler (whose every sampled edge costs a few random reads:
 * the neighbour id, the edge id and the relabelling slot).
 *
 *   randread <mode> <MiB> <threads> <seconds>
 *     mode gather: independent random 4-byte reads (the CPU may overlap
 *                  their cache misses, as a sampler's gathers can)
 *     mode chase:  dependent reads (each address comes from the previous
 *                  read): the latency bound
 *
 * Prints one line: mode, MiB, threads, reads/s (all threads together), ns
 * per read per thread and reads per CPU-second (robust when other jobs
 * share the cores: it counts only the time this process ran). Build: gcc -O2 -pthread randread.c -o randread
 */
#include <pthread.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t *arr;
static uint64_t n_elems;
static int chase;
static double seconds;

struct result {
	uint64_t reads;
	uint64_t sink;
};

static double cpu_seconds(void) {
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline uint64_t xorshift(uint64_t *s) {
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void *run(void *arg) {
	struct result *r = arg;
	uint64_t s = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)arg;
	uint64_t mask = n_elems - 1, sink = 0, reads = 0;
	uint32_t p = (uint32_t)(xorshift(&s) & mask);
	double end = now() + seconds;
	while (now() < end) {
		if (chase) {
			for (int i = 0; i < 1 << 16; i++)
				p = arr[p];
			sink += p;
		} else {
			for (int i = 0; i < 1 << 16; i++)
				sink += arr[xorshift(&s) & mask];
		}
		reads += 1 << 16;
	}
	r->reads = reads;
	r->sink = sink;
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: randread gather|chase MiB threads seconds\n");
		return 2;
	}
	chase = strcmp(argv[1], "chase") == 0;
	if (!chase && strcmp(argv[1], "gather") != 0) {
		fprintf(stderr, "randread: unknown mode %s\n", argv[1]);
		return 2;
	}
	uint64_t mib = strtoull(argv[2], NULL, 10);
	int threads = atoi(argv[3]);
	seconds = atof(argv[4]);
	if (mib == 0 || (mib & (mib - 1)) != 0 || threads < 1 || threads > 64 || !(seconds > 0)) {
		fprintf(stderr, "randread: MiB must be a power of two, threads in 1..64, seconds > 0\n");
		return 2;
	}
	n_elems = mib * 1024 * 1024 / sizeof(uint32_t);
	arr = malloc(n_elems * sizeof(uint32_t));
	if (!arr) {
		fprintf(stderr, "randread: out of memory\n");
		return 1;
	}
	/* A single random cycle (Sattolo's shuffle), so the chase visits every
	 * element; gather ignores the contents. */
	for (uint64_t i = 0; i < n_elems; i++)
		arr[i] = (uint32_t)i;
	uint64_t s = 88172645463325252ull;
	for (uint64_t i = n_elems - 1; i > 0; i--) {
		uint64_t j = xorshift(&s) % i;
		uint32_t t = arr[i];
		arr[i] = arr[j];
		arr[j] = t;
	}
	pthread_t tid[64];
	struct result res[64];
	memset(res, 0, sizeof res);
	double t0 = now(), c0 = cpu_seconds();
	for (int t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, run, &res[t]);
	uint64_t reads = 0, sink = 0;
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		reads += res[t].reads;
		sink += res[t].sink;
	}
	double el = now() - t0, cpu = cpu_seconds() - c0;
	printf("randread mode=%s mib=%llu threads=%d reads_per_s=%.0f ns_per_read_per_thread=%.2f reads_per_cpu_s=%.0f sink=%llu\n",
	       argv[1], (unsigned long long)mib, threads, reads / el, el * 1e9 * threads / reads, reads / cpu,
	       (unsigned long long)(sink & 1));
	return 0;
}
