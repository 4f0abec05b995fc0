// fopen/fgets/fclose: read the text file named by argv[1], line by line.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    FILE* f = fopen(argv[1], "r");
    if (!f) {
        perror("fopen");
        return 1;
    }
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) printf("%d: %s", ++n, line);
    printf("%d lines\n", n);
    return fclose(f) == 0 ? 0 : 1;
}
