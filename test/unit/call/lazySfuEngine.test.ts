/**
 * The engine when the SFU client (loaded only for calls on the media server,
 * renderer/call/lazySfu.ts) cannot be loaded: the call does not hang. It ends as
 * failed with a sentence that says what happened and what to do, in the UI's
 * language, and the device leaves the call on the server.
 *
 * The server here is the real Switchboard (fakeCallServer.ts) whose snapshots say
 * 'sfu' (as a server with Janus does for meetings); the SFU module's chunk fails.
 */
import { describe, expect, it, vi } from 'vitest';
import { t } from '../../../renderer/i18n';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { enginePerson, newSelf } from './enginePerson';

const { CHUNK_ERROR } = vi.hoisted(() => ({ CHUNK_ERROR: 'Failed to fetch dynamically imported module: app://parley/assets/sfuStack-1234.js' }));
vi.mock('../../../renderer/call/sfuStack', () => {
  throw new Error(CHUNK_ERROR);
});

const ALICE = await newSelf('Alice');
const BOB = await newSelf('Bob');

/** Every call snapshot on its way out says 'sfu'. */
function toSfu(packet: unknown): unknown {
  if (Array.isArray(packet)) return packet.map(toSfu);
  if (packet === null || typeof packet !== 'object') return packet;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(packet)) out[key] = key === 'topology' && value === 'mesh' ? 'sfu' : toSfu(value);
  return out;
}

describe('an SFU call whose SFU client does not load', () => {
  it('ends as failed with what to do, and leaves the call on the server', async () => {
    const server = new FakeCallServer();
    const plain = server.rewrite.bind(server);
    server.rewrite = (packet) => toSfu(plain(packet));
    const alice = enginePerson(server.connect(ALICE), ALICE);
    const bob = enginePerson(server.connect(BOB), BOB);

    await alice.engine.call({ userId: BOB.userId, displayName: BOB.displayName }, 'audio');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await bob.engine.accept({ video: false });

    for (const person of [alice, bob]) {
      await waitFor(() => person.phase() === 'ended', `${person.self.displayName}'s call ends`);
      const view = person.view();
      expect(view).toMatchObject({ phase: 'ended', reason: 'failed' });
      const detail = view.phase === 'ended' ? view.detail : null;
      // (vitest wraps the factory's error in its own; the reason is whatever the import rejected with.)
      expect(detail).toContain('error when mocking a module');
      // The sentence of ended.sfuNotLoaded around the reason.
      const [before = '', after = ''] = t('ended.sfuNotLoaded', { reason: '\u0000' }).split('\u0000');
      expect(detail?.startsWith(before) && detail.endsWith(after), String(detail)).toBe(true);
    }
    await waitFor(() => server.activeCalls === 0, 'the server ends the call: both left');
    alice.engine.dispose();
    bob.engine.dispose();
    server.dispose();
  });
});
