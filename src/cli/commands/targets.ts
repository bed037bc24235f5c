import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for target sheets, progress and assessment (filled in by the issue that builds them). */
export function registerTargetCommands(_program: Command, _rt: CliRuntime) {}
