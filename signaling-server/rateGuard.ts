/**
 * Applies the per-socket rate limit to every incoming event, known or not, before
 * any handler runs (socket.io's per-socket middleware sees every event packet).
 */
import type { Logger } from 'pino';
import { safeReply, splitArgs } from './eventGuard';
import type { RateLimitOptions } from './options';
import type { ServerToClientEvents } from './protocol';
import { RateLimiter } from './rateLimit';

interface LimitedSocket {
  use(fn: (event: unknown[], next: (err?: Error) => void) => void): unknown;
  emit<E extends 'session:kicked'>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean;
  disconnect(close?: boolean): unknown;
  readonly data: { deviceId: string };
}

export function installRateLimit(socket: LimitedSocket, options: RateLimitOptions, log: Logger): void {
  const limiter = new RateLimiter(options, Date.now());
  let kicked = false;
  socket.use((event, next) => {
    const decision = limiter.check(Date.now());
    if (decision === 'allow') {
      next();
      return;
    }
    const { reply } = splitArgs(event.slice(1));
    safeReply(
      reply,
      {
        ok: false,
        error: {
          code: 'rate_limited',
          message: `Too many requests: at most ${options.refillPerSecond} per second (bursts of ${options.capacity}). This one was dropped; slow down.`,
        },
      },
      log,
    );
    if (decision === 'kick' && !kicked) {
      kicked = true;
      log.warn({ deviceId: socket.data.deviceId }, 'socket kicked for flooding');
      socket.emit('session:kicked', {
        code: 'rate_limited',
        message: `Disconnected for sending too many requests (${options.maxViolations} refused within ${options.windowMs / 1000} s).`,
      });
      socket.disconnect(true);
    }
  });
}
