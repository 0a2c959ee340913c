/**
 * Main's structured logger (pino). In a packaged app there is no terminal, so logs
 * go to <userData>/logs/main.log; in development they go to stderr.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export function createMainLogger(options: { packaged: boolean; userDataDir: string; level?: string }): Logger {
  const level = options.level ?? (options.packaged ? 'info' : 'debug');
  const destination = options.packaged
    ? pino.destination({ dest: join(options.userDataDir, 'logs', 'main.log'), mkdir: true, sync: false })
    : pino.destination({ dest: 2, sync: true });
  return pino({ name: 'parley-main', level }, destination);
}
