import { afterEach, describe, expect, it, vi } from 'vitest';
import { logEntrySchema, type LogEntry } from '../../preload/contract';
import { createWebHost } from '../../renderer/host/web';
import { createMemoryStorage } from '../../renderer/host/webStorage';
import { createToastStore } from '../../renderer/state/toasts';
import {
  LOG_LIMITS,
  bridgeSink,
  consoleSink,
  createLogger,
  describeError,
  log,
  setLogSink,
  type ConsoleLike,
} from '../../renderer/log';

function recorder() {
  const entries: LogEntry[] = [];
  return { entries, sink: (entry: LogEntry) => void entries.push(entry) };
}

function fakeConsole() {
  const lines: { level: string; args: unknown[] }[] = [];
  const out: ConsoleLike = {
    debug: (...args: unknown[]) => void lines.push({ level: 'debug', args }),
    info: (...args: unknown[]) => void lines.push({ level: 'info', args }),
    warn: (...args: unknown[]) => void lines.push({ level: 'warn', args }),
    error: (...args: unknown[]) => void lines.push({ level: 'error', args }),
  };
  return { out, lines };
}

const restore: (() => void)[] = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
  vi.restoreAllMocks();
});

describe('renderer logger', () => {
  it('writes each level with its scope, and children append to the scope', () => {
    const { entries, sink } = recorder();
    const root = createLogger(sink);
    const peer = root.child('call').child('peer');
    root.debug('d');
    peer.info('i');
    peer.warn('w', 'a detail');
    root.child('files').error('e');
    expect(entries).toEqual([
      { level: 'debug', scope: 'renderer', message: 'd' },
      { level: 'info', scope: 'call.peer', message: 'i' },
      { level: 'warn', scope: 'call.peer', message: 'w', detail: 'a detail' },
      { level: 'error', scope: 'files', message: 'e' },
    ]);
  });

  it('describes an error by name, message, the first lines of its stack and its cause', () => {
    const cause = new TypeError('socket closed');
    const error = new Error('could not send', { cause });
    error.stack = ['Error: could not send', ...Array.from({ length: 20 }, (_, n) => `    at frame${n} (file.ts:${n}:1)`)].join(
      '\n',
    );
    const text = describeError(error);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Error: could not send');
    expect(lines.filter((line) => line.includes('at frame'))).toHaveLength(LOG_LIMITS.stackLines);
    expect(text).not.toContain(`frame${LOG_LIMITS.stackLines}`);
    expect(text).toContain('caused by TypeError: socket closed');
    expect(describeError({ code: 'busy' })).toBe('{"code":"busy"}');
  });

  it('cuts long messages and details to the contract limits, so the bridge never refuses a line', () => {
    const { entries, sink } = recorder();
    const logger = createLogger(sink).child('Bad scope with spaces and more than sixty-four characters in it, surely');
    logger.error('m'.repeat(5000), 'd'.repeat(50_000));
    const [entry] = entries;
    expect(entry?.message).toHaveLength(LOG_LIMITS.message);
    expect(entry?.message.endsWith('…')).toBe(true);
    expect(entry?.detail).toHaveLength(LOG_LIMITS.detail);
    expect(logEntrySchema.safeParse(entry).success).toBe(true);
  });

  it('never throws: not for a failing sink, nor for an error that cannot be described', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logger = createLogger(() => {
      throw new Error('bridge gone');
    });
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(() => logger.warn('still fine', hostile)).not.toThrow();
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(String(consoleError.mock.calls[0]?.[0])).toContain('could not write a warn line from renderer');
    expect(describeError(hostile)).toBe('(an error that could not be described)');

    consoleError.mockImplementation(() => {
      throw new Error('console gone too');
    });
    expect(() => logger.error('nowhere to go')).not.toThrow();
  });

  it('forwards entries to the host bridge as logEntrySchema accepts them', () => {
    const sent: unknown[] = [];
    const bridge = {
      log(entry: unknown) {
        // As the preload does: an entry that fails the schema is refused.
        sent.push(logEntrySchema.parse(entry));
      },
    };
    const logger = createLogger(bridgeSink(bridge)).child('call.peer');
    logger.warn('negotiation failed with device dev-2 in call c-1', new DOMException('bad sdp', 'OperationError'));
    expect(sent).toEqual([
      {
        level: 'warn',
        scope: 'call.peer',
        message: 'negotiation failed with device dev-2 in call c-1',
        detail: expect.stringContaining('OperationError: bad sdp'),
      },
    ]);
  });

  it('writes to the console with the scope in front, at the matching console level', () => {
    const { out, lines } = fakeConsole();
    const logger = createLogger(consoleSink(out)).child('media');
    logger.debug('camera released');
    logger.error('no microphone', 'NotAllowedError');
    expect(lines).toEqual([
      { level: 'debug', args: ['[media] camera released'] },
      { level: 'error', args: ['[media] no microphone', 'NotAllowedError'] },
    ]);
  });

  it('in the browser host, lines reach the page console through the bridge', () => {
    const { out, lines } = fakeConsole();
    const host = createWebHost({
      storage: createMemoryStorage(),
      tabStorage: createMemoryStorage(),
      origin: 'http://127.0.0.1:7300',
      version: '1.0.0',
      platform: 'test',
      notifications: null,
      page: null,
      console: out,
    });
    createLogger(bridgeSink(host.bridge)).child('call.features').info('screen share started');
    expect(lines).toEqual([{ level: 'info', args: ['[call.features] screen share started'] }]);
  });

  it('the module logger follows the sink installed after its children were made, until the disposer restores it', () => {
    const child = log.child('later');
    const first = recorder();
    const second = recorder();
    const undoFirst = setLogSink(first.sink);
    restore.push(undoFirst);
    child.info('one');
    const undoSecond = setLogSink(second.sink);
    child.info('two');
    undoSecond();
    child.info('three');
    expect(first.entries.map((e) => e.message)).toEqual(['one', 'three']);
    expect(second.entries.map((e) => e.message)).toEqual(['two']);
  });

  it('a warning or error shown to the person is logged once, however often it is pushed', () => {
    const { entries, sink } = recorder();
    restore.push(setLogSink(sink));
    const toasts = createToastStore();
    restore.push(() => toasts.dispose());
    toasts.push({ level: 'error', message: 'Could not save favourites: disk full' });
    toasts.push({ level: 'error', message: 'Could not save favourites: disk full' });
    toasts.push({ level: 'warning', message: 'Parley is not connected yet.' });
    toasts.push({ level: 'info', message: 'Saved.' });
    expect(entries).toEqual([
      { level: 'error', scope: 'ui.toast', message: 'Could not save favourites: disk full' },
      { level: 'warn', scope: 'ui.toast', message: 'Parley is not connected yet.' },
    ]);
  });
});
