// opendir/readdir/closedir: the names in the directory argv[1], sorted (readdir's order is the
// file system's), with their type.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    DIR* d = opendir(argv[1]);
    if (!d) {
        perror("opendir");
        return 1;
    }
    char* names[256];
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) && n < 256) {
        char* s = malloc(strlen(e->d_name) + 3);
        sprintf(s, "%s %c", e->d_name, e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : '?');
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++) printf("%s\n", names[i]);
    return 0;
}
