/**
 * After the machine resumes from sleep or is unlocked, the network under a call may
 * have changed (a new Wi-Fi, a new address, a NAT binding that expired while
 * asleep). ICE would notice by itself, but only after its consent checks lapse
 * (RFC 7675: up to 30 s). So main tells the renderer at once, with the call action
 * `network-check`; the call engine restarts ICE on every connection that is not up
 * (renderer/call/iceRecovery.ts).
 *
 * Takes Electron's powerMonitor as an option, so tests inject a fake.
 */
import type { Logger } from 'pino';
import { EVENT_CHANNELS } from '../../preload/contract';
import type { RendererEvents } from '../window/rendererEvents';

/** powerMonitor events after which the network may not be what it was. */
export const WAKE_EVENTS = ['resume', 'unlock-screen'] as const;
export type WakeEvent = (typeof WAKE_EVENTS)[number];

/** The part of Electron's powerMonitor this uses. */
export interface PowerMonitorLike {
  on(event: WakeEvent, listener: () => void): unknown;
  removeListener(event: WakeEvent, listener: () => void): unknown;
}

export interface NetworkCheckOptions {
  powerMonitor: PowerMonitorLike;
  events: RendererEvents;
  logger: Pick<Logger, 'info'>;
}

/** Starts listening; returns the function that stops. */
export function checkNetworkOnWake(options: NetworkCheckOptions): () => void {
  const { powerMonitor, events, logger } = options;
  const listeners = WAKE_EVENTS.map((event) => {
    const listener = (): void => {
      logger.info({ event }, 'asking the renderer to check its call connections');
      events.send(EVENT_CHANNELS.callAction, { type: 'network-check' });
    };
    powerMonitor.on(event, listener);
    return { event, listener };
  });
  return () => {
    for (const { event, listener } of listeners) powerMonitor.removeListener(event, listener);
  };
}
