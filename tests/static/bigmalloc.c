// malloc of a large block (glibc takes it from mmap), written sparsely and read back.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const size_t size = 64u << 20, step = 1u << 20;
    unsigned char* p = malloc(size);
    if (!p) {
        puts("malloc failed");
        return 1;
    }
    unsigned long sum = 0;
    for (size_t i = 0; i < size; i += step) p[i] = (unsigned char)(i >> 20);
    for (size_t i = 0; i < size; i += step) sum += p[i];
    printf("malloc(%zu MiB): touched %zu pages, sum %lu, untouched byte %d\n", size >> 20, size / step, sum,
           p[size / 2 + 1]);
    free(p);
    return 0;
}
