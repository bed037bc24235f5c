import type { Command } from 'commander';
import { createLogger } from '../../logger.ts';
import { startServer } from '../../server/start.ts';
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
      const server = await startServer(config, logger);
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
