import type { Command } from 'commander';
import { createLogger } from '../../logger.ts';
import { startServer } from '../../server/start.ts';
import { createProgress, type Progress } from '../progress.ts';
import type { CliRuntime } from '../runtime.ts';

/** renkou start: the HTTP server, until SIGINT/SIGTERM. */
export function registerStart(program: Command, rt: CliRuntime) {
  program
    .command('start')
    .description(
      rt.t('启动服务（首次启动时载入默认县）', 'Start the server (loads the default county on first start)'),
    )
    .action(async () => {
      const config = rt.config();
      const logger = createLogger(config.logLevel);
      let progress: Progress | undefined;
      let phase = '';
      const server = await startServer(config, logger, {
        onDemoProgress: (demo) => {
          if (demo.state !== phase) {
            progress?.finish();
            progress = undefined;
            phase = demo.state;
          }
          if (demo.state === 'generating' || demo.state === 'loading' || demo.state === 'preparing') {
            progress ??= createProgress(
              demo.state === 'generating'
                ? rt.t('首次启动：生成示例县', 'First start: generating the demo county')
                : demo.state === 'loading'
                  ? rt.t('首次启动：写入数据库', 'First start: loading the demo county')
                  : rt.t(
                      '首次启动：目标、信息比对、数据核查、查重',
                      'First start: targets, feed linkage, data checks, duplicates',
                    ),
              demo.total,
            );
            progress.tick(demo.done);
          } else if (demo.state === 'ready') {
            process.stderr.write(rt.t('示例县已生成。\n', 'Demo county ready.\n'));
          } else if (demo.state === 'failed') {
            process.stderr.write(
              rt.t(`示例县生成失败：${demo.error}\n`, `Demo county failed: ${demo.error}\n`),
            );
          }
        },
      });
      process.stderr.write(
        rt.t(
          `renkou 已启动：${server.url}（存储：${server.database.kind} ${server.database.location}；接口文档 ${server.url}/docs）\n`,
          `renkou is running at ${server.url} (storage: ${server.database.kind} ${server.database.location}; API docs ${server.url}/docs)\n`,
        ),
      );
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        server.stop().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
