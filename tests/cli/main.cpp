// The command-line tests run the lstar binary with arguments it must refuse or answer without
// booting anything: they need no /dev/kvm and run on every machine.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
