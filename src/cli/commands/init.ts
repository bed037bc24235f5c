import type { Command } from 'commander';
import { initCounty } from '../../org/init-county.ts';
import type { CliRuntime } from '../runtime.ts';

/** renkou init --county CODE: loads a county's real townships and villages. */
export function registerInit(program: Command, rt: CliRuntime) {
  program
    .command('init')
    .description(
      rt.t(
        '载入一个县（区、县级市）及其全部乡镇街道和村居',
        'Load a county with all its townships and villages',
      ),
    )
    .requiredOption(
      '--county <code>',
      rt.t('县级区划代码（6 位）或县名，例如 620881', '6-digit county code or name, e.g. 620881'),
    )
    .action(async (options: { county: string }) => {
      const result = await rt.withDatabase((database) => initCounty(database.db, options.county));
      rt.out(
        rt.t(
          `已载入 ${result.county.name}（${result.county.code}）：${result.townships} 个乡镇街道，${result.villages} 个村居。`,
          `Loaded ${result.county.name} (${result.county.code}): ${result.townships} townships/streets, ${result.villages} villages/communities.`,
        ),
      );
    });
}
