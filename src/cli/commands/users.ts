import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { appendAudit, searchAudit, verifyAuditChain } from '../../access/audit-log.ts';
import { cliPrincipal } from '../../access/principal.ts';
import { isRole, ROLE_NAMES, ROLE_RIGHTS, ROLES, type RoleName } from '../../access/roles.ts';
import {
  createApiToken,
  createUser,
  getUserByName,
  grantRole,
  listUsers,
  resetPassword,
  revokeApiToken,
  revokeRole,
  unlockUser,
} from '../../access/users.ts';
import { AppError, fieldIssue, invalidInput } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { type CliRuntime, wholeNumber, wholeNumberOption } from '../runtime.ts';

/**
 * Reads a password: from the first line of standard input when it is not a terminal (scripts:
 * `echo "$PW" | renkou users create …`), else asked for twice without echo. Never from the
 * command line, where `ps` and the shell history would keep it.
 */
async function readPassword(rt: CliRuntime): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const output = rl as unknown as { _writeToOutput: (s: string) => void };
      output._writeToOutput = (s: string) => {
        if (s.includes(prompt)) process.stderr.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask(rt.t('密码：', 'Password: '));
  const second = await ask(rt.t('再输入一次：', 'Again: '));
  if (first !== second)
    throw new AppError('invalid_input', text('两次输入的密码不一致', 'The two passwords differ'), {
      field: 'password',
    });
  return first;
}

function parseAssignment(value: string): { role: RoleName; unit: string } {
  const [role, unit] = value.split('@');
  if (!role || !unit || !isRole(role))
    throw invalidInput([
      fieldIssue(
        'invalid_role',
        'role',
        `角色写作 角色@单位代码，角色为 ${ROLES.join('、')} 之一：${value}`,
        `Write a role as role@unit, the role one of ${ROLES.join(', ')}: ${value}`,
      ),
    ]);
  return { role, unit };
}

/** renkou users …, renkou tokens …, renkou access-log …: accounts, department tokens and the audit log. */
export function registerUserCommands(program: Command, rt: CliRuntime) {
  const actor = () => cliPrincipal().actor;
  const users = program.command('users').description(rt.t('用户与角色', 'Users and roles'));

  users
    .command('create')
    .description(
      rt.t(
        '新建用户（第一个管理员也这样建立；密码从标准输入读取或交互输入）',
        'Create a user (the first administrator too); the password is read from standard input or asked for',
      ),
    )
    .requiredOption(
      '--username <name>',
      rt.t('用户名（小写字母、数字、. _ -）', 'username (lower-case letters, digits, . _ -)'),
    )
    .requiredOption('--name <display>', rt.t('姓名', 'display name'))
    .requiredOption(
      '--role <role@unit...>',
      rt.t(
        `角色@单位，可多个；角色：${ROLES.join('、')}`,
        `role@unit, repeatable; roles: ${ROLES.join(', ')}`,
      ),
    )
    .option('--must-change-password', rt.t('首次登录须修改密码', 'must change the password at first sign-in'))
    .action(
      async (options: { username: string; name: string; role: string[]; mustChangePassword?: boolean }) => {
        const roles = options.role.map(parseAssignment);
        const password = await readPassword(rt);
        const id = await rt.withDatabase(async (database) => {
          const created = await createUser(
            database.db,
            {
              username: options.username,
              displayName: options.name,
              password,
              roles,
              mustChangePassword: options.mustChangePassword,
            },
            actor(),
          );
          await appendAudit(database.db, {
            actor: actor(),
            action: 'user.create',
            resource: `user:${options.username}`,
            outcome: 'ok',
          });
          return created;
        });
        rt.out(
          rt.t(`已建立用户 ${options.username}（编号 ${id}）`, `Created user ${options.username} (id ${id})`),
        );
      },
    );

  users
    .command('list')
    .description(rt.t('列出用户及其角色', 'List users and their roles'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { json?: boolean }) => {
      const list = await rt.withDatabase((database) => listUsers(database.db));
      if (options.json) return rt.out(JSON.stringify(list, null, 2));
      for (const u of list) {
        const roles = u.roles.map((r) => `${ROLE_NAMES[r.role][rt.lang]}@${r.unit}`).join(', ');
        const locked =
          u.locked_until && new Date(u.locked_until) > new Date() ? rt.t(' [已锁定]', ' [locked]') : '';
        rt.out(`${u.username}\t${u.display_name}\t${u.status}${locked}\t${roles}`);
      }
    });

  users
    .command('grant')
    .description(rt.t('授予角色', 'Grant a role'))
    .argument('<username>')
    .argument('<role@unit>')
    .action(async (username: string, assignment: string) => {
      await rt.withDatabase(async (database) => {
        const user = await getUserByName(database.db, username);
        await grantRole(database.db, Number(user.id), parseAssignment(assignment), actor());
        await appendAudit(database.db, {
          actor: actor(),
          action: 'user.grant',
          resource: `user:${username}`,
          outcome: 'ok',
          details: { assignment },
        });
      });
      rt.out(rt.t('已授予', 'Granted'));
    });

  users
    .command('revoke')
    .description(rt.t('收回角色', 'Revoke a role'))
    .argument('<username>')
    .argument('<role@unit>')
    .action(async (username: string, assignment: string) => {
      await rt.withDatabase(async (database) => {
        const user = await getUserByName(database.db, username);
        await revokeRole(database.db, Number(user.id), parseAssignment(assignment));
        await appendAudit(database.db, {
          actor: actor(),
          action: 'user.revoke',
          resource: `user:${username}`,
          outcome: 'ok',
          details: { assignment },
        });
      });
      rt.out(rt.t('已收回', 'Revoked'));
    });

  users
    .command('reset-password')
    .description(
      rt.t('重设密码（用户下次登录须修改）', 'Reset a password (the user must change it at next sign-in)'),
    )
    .argument('<username>')
    .action(async (username: string) => {
      const password = await readPassword(rt);
      await rt.withDatabase(async (database) => {
        await resetPassword(database.db, username, password);
        await appendAudit(database.db, {
          actor: actor(),
          action: 'password.reset',
          resource: `user:${username}`,
          outcome: 'ok',
        });
      });
      rt.out(rt.t('已重设，该用户的所有会话已结束', 'Reset; all of the user’s sessions have ended'));
    });

  users
    .command('unlock')
    .description(rt.t('解除因密码错误造成的锁定', 'Unlock an account locked after wrong passwords'))
    .argument('<username>')
    .action(async (username: string) => {
      await rt.withDatabase(async (database) => {
        await unlockUser(database.db, username);
        await appendAudit(database.db, {
          actor: actor(),
          action: 'user.unlock',
          resource: `user:${username}`,
          outcome: 'ok',
        });
      });
      rt.out(rt.t('已解锁', 'Unlocked'));
    });

  users
    .command('roles')
    .description(rt.t('列出角色及其权限', 'List the roles and their rights'))
    .action(() => {
      for (const role of ROLES)
        rt.out(`${role}\t${ROLE_NAMES[role][rt.lang]}\t${ROLE_RIGHTS[role].join(' ')}`);
    });

  const tokens = program
    .command('tokens')
    .description(rt.t('部门系统的接口令牌', 'API tokens for department systems'));
  tokens
    .command('create')
    .description(rt.t('签发令牌（只显示这一次）', 'Issue a token (shown this once only)'))
    .requiredOption('--name <name>', rt.t('系统名称，如 县人民医院', 'system name, e.g. county hospital'))
    .requiredOption(
      '--scope <scope...>',
      rt.t('权限范围：feeds.ingest、aggregates.read', 'scopes: feeds.ingest, aggregates.read'),
    )
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .option('--expires <iso>', rt.t('到期时间', 'expiry time (ISO 8601)'))
    .action(async (options: { name: string; scope: string[]; unit: string; expires?: string }) => {
      const created = await rt.withDatabase(async (database) => {
        const token = await createApiToken(
          database.db,
          { name: options.name, scopes: options.scope, unit: options.unit, expiresAt: options.expires },
          actor(),
        );
        await appendAudit(database.db, {
          actor: actor(),
          action: 'token.create',
          resource: `token:${token.id}`,
          outcome: 'ok',
        });
        return token;
      });
      rt.out(rt.t(`令牌 ${created.id}：${created.token}`, `Token ${created.id}: ${created.token}`));
      process.stderr.write(
        `${rt.t('请妥善保存：令牌不会再次显示。', 'Keep it safe: the token is not shown again.')}\n`,
      );
    });
  tokens
    .command('revoke')
    .description(rt.t('吊销令牌', 'Revoke a token'))
    .argument('<id>')
    .action(async (id: string) => {
      const tokenId = wholeNumber(id, 'id');
      await rt.withDatabase(async (database) => {
        await revokeApiToken(database.db, tokenId);
        await appendAudit(database.db, {
          actor: actor(),
          action: 'token.revoke',
          resource: `token:${id}`,
          outcome: 'ok',
        });
      });
      rt.out(rt.t('已吊销', 'Revoked'));
    });

  const log = program
    .command('access-log')
    .description(
      rt.t('审计日志（谁在何时查看或修改了什么）', 'The audit log (who read or changed what, when)'),
    );
  log
    .command('verify')
    .description(
      rt.t('校验哈希链：发现被修改或删除的记录', 'Verify the hash chain: finds edited or removed entries'),
    )
    .action(async () => {
      const check = await rt.withDatabase((database) => verifyAuditChain(database.db));
      if (check.ok)
        rt.out(
          rt.t(`审计日志完整：${check.entries} 条`, `The audit log is intact: ${check.entries} entries`),
        );
      else {
        rt.out(
          rt.t(
            `审计日志在第 ${check.brokenAt} 条处断裂（${check.reason}）：此后的记录不可信`,
            `The audit log breaks at entry ${check.brokenAt} (${check.reason}): entries from there on cannot be trusted`,
          ),
        );
        process.exitCode = 3;
      }
    });
  log
    .command('search')
    .description(rt.t('查询审计日志（最新的在前）', 'Search the audit log (newest first)'))
    .option('--actor <actor>', 'user:wang.li, token:3, cli:root')
    .option('--action <action>', 'person.read, person.write, export, login …')
    .option('--resource <prefix>', rt.t('资源前缀', 'resource prefix'))
    .option('--limit <n>', rt.t('条数', 'entries'), wholeNumberOption('--limit'), 50)
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (options: {
        actor?: string;
        action?: string;
        resource?: string;
        limit: number;
        json?: boolean;
      }) => {
        const entries = await rt.withDatabase(async (database) => {
          const found = await searchAudit(database.db, options);
          await appendAudit(database.db, {
            actor: actor(),
            action: 'audit.read',
            resource: 'audit_log',
            outcome: 'ok',
          });
          return found;
        });
        if (options.json) return rt.out(JSON.stringify(entries, null, 2));
        for (const e of entries)
          rt.out(`${e.seq}\t${e.at}\t${e.actor}\t${e.action}\t${e.resource}\t${e.outcome}`);
      },
    );
}
