import { describe, expect, it } from 'vitest';
import { RendererLog } from '../../main/ipc/rendererLog';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import { SEND_CHANNELS } from '../../preload/contract';
import type { SenderFrameLike } from '../../main/ipc/validateSender';
import { CallableIpcMain, recordingLogger } from './fakes';

function setup(capacity = 3, perSecond = 1) {
  const { logger, lines } = recordingLogger();
  let now = 0;
  const pending: Array<() => void> = [];
  const log = new RendererLog({
    logger,
    capacity,
    perSecond,
    now: () => now,
    schedule: (task) => void pending.push(task),
  });
  return {
    log,
    lines,
    advance: (ms: number) => void (now += ms),
    runTimers: () => pending.splice(0).forEach((task) => task()),
  };
}

const line = (message: string) => ({ level: 'info', scope: 'peer', message }) as const;

describe('renderer log on the desktop', () => {
  it("writes a renderer's entry to main's log as a renderer child, at its level, with scope and detail", () => {
    const { log, lines } = setup();
    log.write({}, { level: 'error', scope: 'call.features', message: 'mute failed', detail: 'Error: track ended' });
    log.write({}, { level: 'debug', scope: 'peer', message: 'offer sent' });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 50, source: 'renderer', scope: 'call.features', msg: 'mute failed', detail: 'Error: track ended' }),
      expect.objectContaining({ level: 20, source: 'renderer', scope: 'peer', msg: 'offer sent' }),
    ]);
  });

  it('drops lines over the burst, per window, and sums the drops up in one line', () => {
    const { log, lines, runTimers } = setup(3);
    const flooding = {};
    const quiet = {};
    for (let i = 0; i < 10; i++) log.write(flooding, line(`flood ${i}`));
    log.write(quiet, line('still heard'));
    expect(lines().map((l) => l.msg)).toEqual(['flood 0', 'flood 1', 'flood 2', 'still heard']);
    runTimers();
    const summary = lines().at(-1);
    expect(summary).toMatchObject({ level: 40, source: 'renderer', dropped: 7 });
    expect(summary?.msg).toMatch(/dropped 7 renderer log line/);
    runTimers();
    expect(lines()).toHaveLength(5);
  });

  it('refills the bucket over time', () => {
    const { log, lines, advance } = setup(2, 1);
    const window = {};
    for (let i = 0; i < 3; i++) log.write(window, line(`a${i}`));
    advance(1000);
    log.write(window, line('after a second'));
    log.write(window, line('one too many'));
    expect(lines().map((l) => l.msg)).toEqual(['a0', 'a1', 'after a second']);
  });

  it('reaches the log only through the validating registry: a bad entry or a foreign frame is refused', () => {
    const { logger, lines } = recordingLogger();
    const mainFrame: SenderFrameLike = { url: 'app://parley/index.html', parent: null };
    const contents = { mainFrame };
    const ipc = new CallableIpcMain();
    const registry = new IpcRegistry({ ipcMain: ipc, logger, isTrustedSender: (s) => s === contents });
    const rendererLog = new RendererLog({ logger });
    registry.on(SEND_CHANNELS.log, (entry, origin) => rendererLog.write(origin.sender, entry));
    const from = { senderFrame: mainFrame, sender: contents };
    ipc.send(SEND_CHANNELS.log, from, line('hello from the page'));
    ipc.send(SEND_CHANNELS.log, from, { level: 'fatal', scope: 'peer', message: 'not a level' });
    ipc.send(SEND_CHANNELS.log, { senderFrame: { url: 'app://parley/', parent: mainFrame }, sender: contents }, line('from an iframe'));
    const written = lines();
    expect(written.filter((l) => l.source === 'renderer').map((l) => l.msg)).toEqual(['hello from the page']);
    expect(written.filter((l) => l.msg === 'IPC message rejected')).toHaveLength(2);
  });
});
