import { X86_64_FAULT_CASES } from './reports-x86_64-faults';
import { X86_64_HANG_CASES } from './reports-x86_64-hangs';
import { X86_64_SANITIZER_CASES } from './reports-x86_64-sanitizers';
import type { CrashCase } from './support';

/** Every x86_64 report case. */
export const X86_64_CASES: CrashCase[] = [...X86_64_FAULT_CASES, ...X86_64_SANITIZER_CASES, ...X86_64_HANG_CASES];
