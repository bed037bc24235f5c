import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for department feeds, link runs and the review queue (filled in by the issue that builds them). */
export function registerFeedCommands(_program: Command, _rt: CliRuntime) {}
