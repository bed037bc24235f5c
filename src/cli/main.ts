import { Command, CommanderError } from 'commander';
import { readVersion } from '../version.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerBenefitCommands } from './commands/benefits.ts';
import { registerCompletenessCommands } from './commands/completeness.ts';
import { registerDedupeCommands } from './commands/dedupe.ts';
import { registerDemog } from './commands/demog.ts';
import { registerExport } from './commands/export.ts';
import { registerFeedCommands } from './commands/feeds.ts';
import { registerId } from './commands/id.ts';
import { registerImport } from './commands/import.ts';
import { registerIndicators } from './commands/indicators.ts';
import { registerInit } from './commands/init.ts';
import { registerLink } from './commands/link.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerOrg } from './commands/org.ts';
import { registerPersonCommands } from './commands/person.ts';
import { registerQualityCommands } from './commands/quality.ts';
import { registerReportCommands } from './commands/reports.ts';
import { registerStart } from './commands/start.ts';
import { registerSynth } from './commands/synth.ts';
import { registerTargetCommands } from './commands/targets.ts';
import { registerUserCommands } from './commands/users.ts';
import { type CliRuntime, createRuntime, formatCliError, langFromArgv } from './runtime.ts';

/** Builds the `renkou` command with help in the chosen language. */
export function buildProgram(rt: CliRuntime): Command {
  const program = new Command('renkou')
    .description(rt.t('renkou 人口与家庭服务信息平台', 'renkou population and family-services platform'))
    .version(readVersion(), '-V, --version', rt.t('显示版本', 'show the version'))
    .option('--lang <lang>', rt.t('界面语言：zh-CN（默认）或 en', 'language: zh-CN (default) or en'))
    .helpOption('-h, --help', rt.t('显示帮助', 'show help'))
    .addHelpCommand('help [command]', rt.t('显示某个命令的帮助', 'show help for a command'))
    .showHelpAfterError()
    .exitOverride();
  program.configureHelp({ sortSubcommands: false });
  if (rt.lang === 'zh-CN') {
    program.configureOutput({
      outputError: (message, write) =>
        write(
          message
            .replace(/^error: unknown command/, '错误：未知命令')
            .replace(/^error: required option '(.+)' not specified/, "错误：缺少必需的选项 '$1'")
            .replace(/^error: missing required argument '(.+)'/, "错误：缺少参数 '$1'")
            .replace(/^error: unknown option/, '错误：未知选项')
            .replace(/^error:/, '错误：'),
        ),
    });
  }
  registerStart(program, rt);
  registerInit(program, rt);
  registerOrg(program, rt);
  registerPersonCommands(program, rt);
  registerImport(program, rt);
  registerExport(program, rt);
  registerIndicators(program, rt);
  registerMigrate(program, rt);
  registerSynth(program, rt);
  registerId(program, rt);
  registerLink(program, rt);
  registerDemog(program, rt);
  registerUserCommands(program, rt);
  registerBackupCommands(program, rt);
  registerBenefitCommands(program, rt);
  registerReportCommands(program, rt);
  registerQualityCommands(program, rt);
  registerTargetCommands(program, rt);
  registerCompletenessCommands(program, rt);
  registerDedupeCommands(program, rt);
  registerFeedCommands(program, rt);
  const localise = (parent: Command) => {
    for (const command of parent.commands) {
      command.helpOption('-h, --help', rt.t('显示帮助', 'show help'));
      command.exitOverride();
      if (rt.lang === 'zh-CN') command.configureOutput(program.configureOutput());
      localise(command);
    }
  };
  localise(program);
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const lang = langFromArgv(argv, process.env);
  const rt = createRuntime(lang);
  const program = buildProgram(rt);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`${formatCliError(error, lang)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  // `start` keeps the process alive through its server; everything else ends here. A command that
  // ran to its end may have set its own exit code (3: the audit chain breaks, entitlements left
  // undecided): a 0 here must not overwrite it.
  if (code !== 0) process.exitCode = code;
}
