import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';

/** Commands for the four data-quality rates, validation findings and field audits (filled in by the issue that builds them). */
export function registerQualityCommands(_program: Command, _rt: CliRuntime) {}
