import type { Command } from 'commander';
import { getOrgUnitWithFamily } from '../../org/org-units.ts';
import type { CliRuntime } from '../runtime.ts';

/** renkou org show CODE: a unit, its ancestors and children. */
export function registerOrg(program: Command, rt: CliRuntime) {
  const org = program.command('org').description(rt.t('查看行政区划单位', 'Look up organisation units'));
  org
    .command('show')
    .description(rt.t('显示一个单位及其上下级', 'Show a unit with its ancestors and children'))
    .argument('<code>', rt.t('区划代码', 'division code'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (code: string, options: { json?: boolean }) => {
      const unit = await rt.withDatabase((database) => getOrgUnitWithFamily(database.db, code));
      if (options.json) {
        rt.out(JSON.stringify(unit, null, 2));
        return;
      }
      const path = [...unit.ancestors.map((a) => a.name), unit.name].join(' / ');
      rt.out(`${unit.code}  ${path}`);
      for (const child of unit.children) rt.out(`  ${child.code}  ${child.name}`);
      rt.out(rt.t(`下级单位 ${unit.children.length} 个`, `${unit.children.length} children`));
    });
}
