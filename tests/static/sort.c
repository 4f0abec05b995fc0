// qsort over generated data: 20000 numbers from a fixed LCG, sorted, then checked and summarized.
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void* a, const void* b) {
    unsigned x = *(const unsigned*)a, y = *(const unsigned*)b;
    return x < y ? -1 : x > y;
}

int main(void) {
    enum { N = 20000 };
    static unsigned v[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) v[i] = (s = s * 1103515245u + 12345u) >> 8;
    qsort(v, N, sizeof v[0], cmp);
    unsigned long long sum = 0;
    int sorted = 1;
    for (int i = 0; i < N; i++) {
        sum += v[i];
        if (i && v[i - 1] > v[i]) sorted = 0;
    }
    printf("sorted=%d min=%u median=%u max=%u sum=%llu\n", sorted, v[0], v[N / 2], v[N - 1], sum);
    return 0;
}
