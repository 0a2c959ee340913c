/**
 * Errors the call code works around used to vanish; each now reaches the renderer
 * log with what was being done, at a level that says how much it matters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../preload/contract';
import { parseChatWire } from '../../../renderer/call/chatLog';
import { quietly } from '../../../renderer/call/engineErrors';
import { parseFileMessage } from '../../../renderer/call/fileTransferProtocol';
import { createRtcConfigSource } from '../../../renderer/call/rtcConfig';
import { RequestError } from '../../../renderer/signaling/client';
import { setLogSink } from '../../../renderer/log';

let logged: LogEntry[] = [];
let restore = (): void => {};
beforeEach(() => {
  logged = [];
  restore = setLogSink((entry) => logged.push(entry));
});
afterEach(() => restore());

describe('swallowed errors reach the log', () => {
  it('a best-effort request that fails is logged at debug with what it was, and does not reject', async () => {
    await expect(
      quietly(Promise.reject(new RequestError('offline', 'Not connected to the server.')), 'leaving call call-1'),
    ).resolves.toBeUndefined();

    expect(logged).toEqual([
      {
        level: 'debug',
        scope: 'call.engine',
        message: 'leaving call call-1 failed; nothing to do, the call has moved on',
        detail: expect.stringContaining('Not connected to the server.'),
      },
    ]);
  });

  it('ICE servers that cannot be fetched are a warning that says what the call does instead', async () => {
    const source = createRtcConfigSource({
      fetch: () => Promise.reject(new RequestError('timeout', 'The server did not answer "ice:servers" in time.')),
      now: () => 0,
      relayOnly: () => false,
      takesOffered: true,
    });

    await expect(source.get()).resolves.toEqual({ iceServers: [] });
    expect(logged).toEqual([
      {
        level: 'warn',
        scope: 'call.ice',
        message: 'could not fetch ICE servers; going on without STUN or TURN (host candidates only)',
        detail: expect.stringContaining('did not answer "ice:servers"'),
      },
    ]);
  });

  it('a peer message that is not JSON is dropped with a debug line naming the channel', () => {
    expect(parseChatWire('{not json')).toBeNull();
    expect(parseFileMessage('also not json')).toBeNull();

    expect(logged.map(({ level, scope, message }) => ({ level, scope, message }))).toEqual([
      { level: 'debug', scope: 'call.chat', message: 'dropped a chat-channel message that is not JSON (9 characters)' },
      { level: 'debug', scope: 'call.files', message: 'dropped a file-channel message that is not JSON (13 characters)' },
    ]);
    expect(logged[0]?.detail).toContain('SyntaxError');
  });
});
