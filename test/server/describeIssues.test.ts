/**
 * The message a refused payload gets (`invalid_payload`): the first problem, named by
 * the field it is in, so a client's developer can find it — also an unknown field
 * inside a nested object, which used to be named without the object it was found in.
 */
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../signaling-server/eventGuard';
import { callInvitePayload } from '../../signaling-server/protocol';

function refusal(payload: unknown): string {
  const parsed = callInvitePayload.safeParse(payload);
  if (parsed.success) throw new Error(`the invite was taken: ${JSON.stringify(payload)}`);
  return describeIssues(parsed.error);
}

const bob = 'bob-0123456789abcdef';
const offer = { sdp: 'v=0', proof: { userKey: { alg: 'Ed25519', spki: 'AA' }, deviceKey: { alg: 'Ed25519', spki: 'AA' }, deviceCert: 'AA', signature: 'AA' } };

describe('a refused payload is described', () => {
  it('by its unknown field at the top', () => {
    expect(refusal({ to: bob, media: 'video', colour: 'red' })).toBe('unknown field(s) "colour"');
  });

  it('by its unknown field inside a nested object, with the object named', () => {
    expect(refusal({ to: bob, media: 'video', offer: { ...offer, type: 'offer' } })).toBe('offer: unknown field(s) "type"');
  });

  it('by the path of a wrong value', () => {
    expect(refusal({ to: bob, media: 'video', offer: { ...offer, sdp: '' } })).toMatch(/^offer\.sdp: /);
    expect(refusal({ to: bob, media: 'hologram' })).toMatch(/^media: /);
  });
});
