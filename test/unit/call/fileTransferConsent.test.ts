/**
 * Files are offered, not pushed: the receiver sees name, size and sender and
 * accepts or declines; nothing but the offer crosses before Accept; an unanswered
 * offer expires on both sides. Two real FileLinks over a fake channel pair.
 */
import { describe, expect, it } from 'vitest';
import { OFFER_SENDER_GRACE_MS, OFFER_TTL_MS } from '../../../renderer/call/fileTransferProtocol';
import { waitFor } from '../fakes/waitFor';
import { linkedPair, outgoing, receivedBytes } from './fileTransferHarness';
import { ManualTimers } from './manualTimers';

describe('asking the receiver first', () => {
  it('puts the offer to the receiver with name and size, and sends no byte of the file until Accept', async () => {
    const { alice, bob, aliceChannel, seen } = linkedPair({ autoAccept: false });
    const file = await outgoing('transfer-ask-00001', 300_000);
    alice.send(file);
    await waitFor(() => seen.bob.get(file.id)?.status === 'offered', 'Bob is asked');
    expect(seen.bob.get(file.id)).toMatchObject({ direction: 'in', name: 'report.pdf', size: 300_000, bytes: 0 });
    expect(seen.alice.get(file.id)?.status).toBe('waiting');
    // Let the channel settle: still nothing but the offer went over.
    await new Promise((done) => setTimeout(done, 20));
    expect(aliceChannel.chunksSent).toBe(0);

    await bob.accept(file.id);
    await waitFor(() => seen.alice.get(file.id)?.status === 'done', 'delivered once accepted');
    expect((await receivedBytes(seen.bob.get(file.id)))?.byteLength).toBe(300_000);
  });

  it('a declined offer tells the sender, sends nothing, and the next file in the queue is offered', async () => {
    const { alice, bob, aliceChannel, seen } = linkedPair({ autoAccept: false });
    const first = await outgoing('transfer-no-000001', 50_000);
    const second = await outgoing('transfer-no-000002', 10_000, 'notes.txt');
    alice.send(first);
    alice.send(second);
    await waitFor(() => seen.bob.get(first.id)?.status === 'offered', 'Bob is asked');
    bob.decline(first.id);
    expect(seen.bob.get(first.id)).toMatchObject({ status: 'rejected', problem: { kind: 'declined', by: 'me' } });
    await waitFor(() => seen.alice.get(first.id)?.status === 'rejected', 'Alice hears no');
    expect(seen.alice.get(first.id)?.problem).toEqual({ kind: 'declined', by: 'peer' });
    await waitFor(() => seen.bob.get(second.id)?.status === 'offered', 'the next file is offered');
    expect(aliceChannel.chunksSent).toBe(0);
  });

  it('drops chunks that arrive for an offer nobody accepted', async () => {
    const { alice, bob, seen } = linkedPair({ autoAccept: false });
    const file = await outgoing('transfer-push-0001', 40_000);
    alice.send(file);
    await waitFor(() => seen.bob.get(file.id)?.status === 'offered', 'Bob is asked');
    bob.receive(new ArrayBuffer(16 * 1024)); // a sender that does not wait
    expect(seen.bob.get(file.id)).toMatchObject({ status: 'offered', bytes: 0 });
    await bob.accept(file.id);
    await waitFor(() => seen.bob.get(file.id)?.status === 'done', 'the real file still arrives intact');
  });

  it('an offer nobody answers expires on both sides after two minutes, and says so', async () => {
    const timers = new ManualTimers();
    const { alice, seen } = linkedPair({ autoAccept: false, timers });
    const file = await outgoing('transfer-late-0001', 20_000);
    alice.send(file);
    await waitFor(() => seen.bob.get(file.id)?.status === 'offered', 'Bob is asked');
    timers.advance(OFFER_TTL_MS - 1);
    expect(seen.bob.get(file.id)?.status).toBe('offered');
    timers.advance(1);
    expect(seen.bob.get(file.id)).toMatchObject({ status: 'rejected', problem: { kind: 'expired' } });
    await waitFor(() => seen.alice.get(file.id)?.status === 'rejected', 'Alice hears it expired');
    expect(seen.alice.get(file.id)?.problem).toEqual({ kind: 'expired' });
  });

  it('the sender withdraws an offer whose answer never comes back', async () => {
    const timers = new ManualTimers();
    const { alice, bobChannel, seen } = linkedPair({ autoAccept: false, timers });
    bobChannel.intercept = (data) => (typeof data === 'string' ? '{"lost":true}' : data); // Bob's answers are lost
    const file = await outgoing('transfer-lost-a001', 20_000);
    alice.send(file);
    await waitFor(() => seen.bob.get(file.id)?.status === 'offered', 'Bob is asked');
    timers.advance(OFFER_TTL_MS);
    await new Promise((done) => setTimeout(done, 10));
    expect(seen.alice.get(file.id)?.status).toBe('waiting');
    timers.advance(OFFER_SENDER_GRACE_MS);
    expect(seen.alice.get(file.id)).toMatchObject({ status: 'rejected', problem: { kind: 'expired' } });
  });

  it('the sender can withdraw an offer while it waits; the receiver’s question goes away', async () => {
    const { alice, seen } = linkedPair({ autoAccept: false });
    const file = await outgoing('transfer-back-0001', 20_000);
    alice.send(file);
    await waitFor(() => seen.bob.get(file.id)?.status === 'offered', 'Bob is asked');
    alice.cancel(file.id);
    await waitFor(() => seen.bob.get(file.id)?.status === 'cancelled', 'Bob’s offer is withdrawn');
    expect(seen.bob.get(file.id)?.problem).toEqual({ kind: 'cancelled', by: 'peer' });
  });
});
