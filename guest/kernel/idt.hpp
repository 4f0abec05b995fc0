// The IDT (idt.cpp).
#pragma once

namespace lstar::kernel {

// Fill the 32 exception gates and load the table.
void idt_setup_traps();

// Load an empty IDT (limit 0): any exception then becomes #DF, then a triple fault
// (Linux's idt_invalidate(), used by its emergency reboot path).
void idt_invalidate();

}  // namespace lstar::kernel
