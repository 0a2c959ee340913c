/**
 * Resume and unlock make the renderer check its call connections: main's power
 * service with a fake powerMonitor, and the real renderer-event queue (so the
 * action is checked against the bridge contract on its way out).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { callActionSchema, EVENT_CHANNELS } from '../../preload/contract';
import { checkNetworkOnWake } from '../../main/power/networkCheckOnWake';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { recordingLogger, silentLogger } from './fakes';

function readyQueue() {
  const sent: Array<[string, unknown]> = [];
  const queue = new RendererEventQueue({ logger: silentLogger });
  queue.attach({ send: (channel, payload) => sent.push([channel, payload]), isDestroyed: () => false });
  queue.rendererReported();
  return { queue, sent };
}

describe('network check on wake', () => {
  it('asks the renderer to check its call connections when the machine resumes or the screen is unlocked', () => {
    const powerMonitor = new EventEmitter();
    const { queue, sent } = readyQueue();
    const { logger, lines } = recordingLogger();
    checkNetworkOnWake({ powerMonitor, events: queue, logger });

    powerMonitor.emit('resume');
    powerMonitor.emit('unlock-screen');

    expect(sent).toEqual([
      [EVENT_CHANNELS.callAction, { type: 'network-check' }],
      [EVENT_CHANNELS.callAction, { type: 'network-check' }],
    ]);
    expect(sent.every(([, action]) => callActionSchema.safeParse(action).success)).toBe(true);
    expect(lines().map((l) => l.event)).toEqual(['resume', 'unlock-screen']);
  });

  it('ignores other power events', () => {
    const powerMonitor = new EventEmitter();
    const { queue, sent } = readyQueue();
    checkNetworkOnWake({ powerMonitor, events: queue, logger: silentLogger });
    powerMonitor.emit('suspend');
    powerMonitor.emit('lock-screen');
    powerMonitor.emit('on-battery');
    expect(sent).toEqual([]);
  });

  it('stops listening when stopped, leaving no listener behind', () => {
    const powerMonitor = new EventEmitter();
    const { queue, sent } = readyQueue();
    const stop = checkNetworkOnWake({ powerMonitor, events: queue, logger: silentLogger });
    expect(powerMonitor.listenerCount('resume') + powerMonitor.listenerCount('unlock-screen')).toBe(2);
    stop();
    expect(powerMonitor.eventNames()).toEqual([]);
    powerMonitor.emit('resume');
    expect(sent).toEqual([]);
  });

  it('a wake before the page listens is delivered once it does', () => {
    const powerMonitor = new EventEmitter();
    const sent: Array<[string, unknown]> = [];
    const queue = new RendererEventQueue({ logger: silentLogger });
    queue.attach({ send: (channel, payload) => sent.push([channel, payload]), isDestroyed: () => false });
    checkNetworkOnWake({ powerMonitor, events: queue, logger: silentLogger });
    powerMonitor.emit('resume');
    expect(sent).toEqual([]);
    queue.rendererReported();
    expect(sent).toEqual([[EVENT_CHANNELS.callAction, { type: 'network-check' }]]);
  });
});
