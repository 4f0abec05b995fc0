// argc, argv[1..] and the environment, as the initial stack gave them.
#include <stdio.h>

extern char** environ;

int main(int argc, char** argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char** e = environ; *e; e++) printf("env: %s\n", *e);
    return 0;
}
