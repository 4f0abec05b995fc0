// printf through glibc's stdio: the smallest unmodified static program.
#include <stdio.h>

int main(void) {
    printf("Hello from glibc's printf, %d + %d = %d\n", 2, 3, 2 + 3);
    return 0;
}
