import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for registry duplicates: merge suggestions, merges and undo (filled in by the issue that builds them). */
export function registerDedupeCommands(_program: Command, _rt: CliRuntime) {}
