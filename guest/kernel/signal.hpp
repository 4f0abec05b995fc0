// Signal dispositions and the blocked mask (signal.cpp).
#pragma once

namespace lstar::kernel {

void flush_signal_handlers();  // execve: caught signals go back to SIG_DFL

}  // namespace lstar::kernel
