import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for registry completeness by dual-system estimation (filled in by the issue that builds them). */
export function registerCompletenessCommands(_program: Command, _rt: CliRuntime) {}
