/* pwhash_alone.c — the libsodium-alone reference of PERFORMANCE.md P5:
 * argon2id crypto_pwhash_str_verify at the INTERACTIVE cost, by N threads
 * for D seconds, printed as verifications per second.
 *
 *   cc -O2 -o pwhash_alone tests/bench/pwhash_alone.c -lsodium -lpthread
 *   pwhash_alone THREADS SECONDS
 *
 * Output: one line "threads N seconds S verifications V rate R" (R per s).
 * Compiled and run by p5_login_storm.sh; not part of the build or the tests. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char password[] = "bench-storm-password-1";
static char stored[crypto_pwhash_STRBYTES];
static atomic_bool stop;
static atomic_long verified;
static atomic_long failed;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        if (crypto_pwhash_str_verify(stored, password, strlen(password)) == 0)
            atomic_fetch_add(&verified, 1);
        else
            atomic_fetch_add(&failed, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long threads, seconds;
    pthread_t tid[256];
    struct timespec pause;
    double t0, t1;

    if (argc != 3 || (threads = strtol(argv[1], NULL, 10)) < 1 || threads > 256 ||
        (seconds = strtol(argv[2], NULL, 10)) < 1) {
        fprintf(stderr, "usage: pwhash_alone THREADS(1..256) SECONDS\n");
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "pwhash_alone: sodium_init failed\n");
        return 1;
    }
    if (crypto_pwhash_str(stored, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "pwhash_alone: out of memory hashing\n");
        return 1;
    }
    t0 = now_s();
    for (long i = 0; i < threads; i++)
        if (pthread_create(&tid[i], NULL, run, NULL) != 0) {
            fprintf(stderr, "pwhash_alone: cannot start thread %ld\n", i);
            return 1;
        }
    pause.tv_sec = seconds;
    pause.tv_nsec = 0;
    while (nanosleep(&pause, &pause) != 0)
        ;
    atomic_store(&stop, true);
    for (long i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    /* every verification started before the stop ran to its end: count the
     * time until the last one finished */
    t1 = now_s();
    if (atomic_load(&failed) != 0) {
        fprintf(stderr, "pwhash_alone: %ld verifications failed\n", atomic_load(&failed));
        return 1;
    }
    printf("threads %ld seconds %.3f verifications %ld rate %.2f\n", threads, t1 - t0,
           atomic_load(&verified), (double)atomic_load(&verified) / (t1 - t0));
    return 0;
}
