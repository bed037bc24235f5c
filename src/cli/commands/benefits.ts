import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for family services, support programmes and payments (filled in by the issue that builds them). */
export function registerBenefitCommands(_program: Command, _rt: CliRuntime) {}
