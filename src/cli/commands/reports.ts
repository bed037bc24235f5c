import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for work reports, statistical tables and the activity log (filled in by the issue that builds them). */
export function registerReportCommands(_program: Command, _rt: CliRuntime) {}
