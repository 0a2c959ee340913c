/**
 * The engine-facing E2EE of SFU calls (renderer/call/e2ee/sfuE2ee.ts) where the
 * engine has no encoded-transform API: nothing is published in the clear, and the
 * badge's status says "not end-to-end encrypted" with the reason. (With an API, the
 * Chromium test test/e2ee/ runs the frames; e2eeSession.test.ts the keys.)
 */
import { describe, expect, it } from 'vitest';
import { E2eeUnavailableError } from '../../../renderer/call/e2ee/callE2ee';
import { callE2eeStatus } from '../../../renderer/call/e2ee/e2eeStatusStore';
import { createSfuE2ee } from '../../../renderer/call/e2ee/sfuE2ee';
import { newDeviceIdentity } from '../../support/rendererIdentity';

describe('SFU end-to-end encryption without a transform API', () => {
  it('refuses every sender, says why, and follows the call', async () => {
    const { identity } = await newDeviceIdentity();
    const sent: unknown[] = [];
    const e2ee = createSfuE2ee({ identity, send: (...args) => sent.push(args), mode: null });
    expect(e2ee.peerConnectionConfig()).toEqual({});
    // Before any SFU call: a sender is refused too.
    expect(() => e2ee.hooks.sender({} as RTCRtpSender, 'camera', 'video')).toThrow(E2eeUnavailableError);
    e2ee.follow({ callId: 'call-1', members: [{ userId: 'u2', deviceId: 'd2' }] });
    expect(() => e2ee.hooks.sender({} as RTCRtpSender, 'camera', 'video')).toThrow(E2eeUnavailableError);
    expect(e2ee.current()?.status()).toMatchObject({ state: 'not_encrypted', reason: 'unavailable', mode: null });
    expect(callE2eeStatus()).toMatchObject({ callId: 'call-1', state: 'not_encrypted', reason: 'unavailable' });
    // No keys go out where none can be used.
    e2ee.handleSignal('call-1', 'd2', { type: 'key', keyId: 0, iv: 'AAAAAAAAAAAAAAAA', wrapped: 'AAAA' });
    expect(sent).toEqual([]);
    e2ee.follow(null);
    expect(e2ee.current()).toBeNull();
    expect(callE2eeStatus()).toBeNull();
    e2ee.dispose();
  });

  it('the peer connection flag is asked only for Chromium’s encoded streams', async () => {
    const { identity } = await newDeviceIdentity();
    expect(createSfuE2ee({ identity, send: () => undefined, mode: 'encoded-streams' }).peerConnectionConfig()).toEqual({ encodedInsertableStreams: true });
    expect(createSfuE2ee({ identity, send: () => undefined, mode: 'script-transform' }).peerConnectionConfig()).toEqual({});
  });
});
