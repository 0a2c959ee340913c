import { describe, expect, it } from 'vitest';
import { historyEntrySchema } from '../../../preload/contract';
import { historyEntry, historyOutcome } from '../../../renderer/call/callHistory';
import type { EndedState } from '../../../renderer/call/callState';
import { randomId } from '../../../renderer/call/ids';
import type { EndReason } from '../../../renderer/call/types';
import { ALICE, CALL_ID } from './fixtures';

function ended(patch: Partial<EndedState>): EndedState {
  return {
    phase: 'ended',
    callId: CALL_ID,
    media: 'audio',
    direction: 'outgoing',
    reason: 'local_hangup',
    peers: [ALICE],
    startedAt: 1_000,
    connectedAt: null,
    endedAt: 5_000,
    answered: false,
    endedCalls: [],
    ...patch,
  };
}

describe('call history', () => {
  it.each<[EndReason, string]>([
    ['declined', 'declined'],
    ['no_answer', 'no_answer'],
    ['user_offline', 'no_answer'],
    ['busy', 'busy'],
    ['do_not_disturb', 'busy'],
    ['cancelled', 'cancelled'],
    ['failed', 'failed'],
    ['unverified', 'failed'],
  ])('an unanswered outgoing call ending as %s is %s', (reason, outcome) => {
    expect(historyOutcome(ended({ reason }))).toBe(outcome);
  });

  it.each<[EndReason, string]>([
    ['missed', 'missed'],
    ['declined', 'declined'],
    ['local_decline', 'declined'],
    ['declined_elsewhere', 'declined'],
    ['answered_elsewhere', 'answered'],
    ['failed', 'failed'],
    ['unverified', 'failed'],
  ])('an unanswered incoming call ending as %s is %s', (reason, outcome) => {
    expect(historyOutcome(ended({ direction: 'incoming', reason }))).toBe(outcome);
  });

  it('an answered call is answered, however it ended, unless it never connected and failed', () => {
    expect(historyOutcome(ended({ answered: true, connectedAt: 2_000, reason: 'hangup' }))).toBe('answered');
    expect(historyOutcome(ended({ answered: true, connectedAt: 2_000, reason: 'disconnected' }))).toBe('answered');
    expect(historyOutcome(ended({ answered: true, connectedAt: null, reason: 'failed' }))).toBe('failed');
  });

  it('a call that could not be verified failed, even after it had connected (a renegotiation was refused)', () => {
    expect(historyOutcome(ended({ answered: true, connectedAt: 2_000, reason: 'unverified' }))).toBe('failed');
  });

  it('an entry measures the duration from the first connection and matches the contract schema', () => {
    const entry = historyEntry(ended({ answered: true, connectedAt: 2_000, endedAt: 62_000 }), { id: randomId(), fallbackCallId: randomId() });
    expect(entry).toMatchObject({ callId: CALL_ID, direction: 'outgoing', outcome: 'answered', durationMs: 60_000, startedAt: 1_000, peers: [ALICE] });
    expect(historyEntrySchema.safeParse(entry).success).toBe(true);
  });

  it('a call the server never created gets a stand-in callId that matches the schema', () => {
    const entry = historyEntry(ended({ callId: null, reason: 'busy' }), { id: randomId(), fallbackCallId: 'local-call-id-1' });
    expect(entry?.callId).toBe('local-call-id-1');
    expect(historyEntrySchema.safeParse(entry).success).toBe(true);
  });

  it('generated ids match the contract’s id pattern and differ', () => {
    const ids = new Set(Array.from({ length: 50 }, randomId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});
