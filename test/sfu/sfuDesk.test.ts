/**
 * The server's SFU desk (signaling-server/sfu/desk.ts) against a scripted Janus,
 * for orderings that a real Janus produces only now and then: here the reply to a
 * subscriber's answer and an offer Janus had postponed arrive together, the way
 * two WebSocket frames of one read are handled (the `ws` client emits them in the
 * same tick, before the reply's awaiting code runs). The real Janus is in
 * sfuServer.test.ts and the browser tests.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Party } from '../../signaling-server/callRecord';
import { SfuDesk, type SfuCalls } from '../../signaling-server/sfu/desk';
import type { HandleListener, JanusConnection, JanusMessage, PluginAnswer } from '../../signaling-server/sfu/janusClient';
import type { JanusInstance, JanusPool, RoomRef } from '../../signaling-server/sfu/janusPool';

const CALL = 'call-desk-1';
const party = (name: string): Party => ({ userId: `user-${name}`, deviceId: `device-${name}`, displayName: name });

interface Request {
  handle: number;
  body: Record<string, unknown>;
  jsep?: { type: string; sdp: string };
}

/**
 * A VideoRoom with publishers and one subscriber handle per device. `afterReply`
 * runs once, synchronously, right after the reply to the next matching request
 * is made (so before the desk's code awaiting that reply goes on).
 */
function scriptedJanus() {
  const listeners = new Map<number, HandleListener>();
  const requests: Request[] = [];
  let nextHandle = 1;
  let offerCount = 0;
  const after: { request: string; then: () => void }[] = [];
  const subscribed = new Map<number, number[]>();
  const offer = (handle: number): { jsep: { type: 'offer'; sdp: string }; data: Record<string, unknown> } => {
    offerCount += 1;
    const feeds = subscribed.get(handle) ?? [];
    return {
      jsep: { type: 'offer', sdp: `offer-${offerCount}` },
      data: { streams: feeds.map((feed, i) => ({ mid: String(i), feed_id: feed, type: 'video', active: true })) },
    };
  };
  const connection = {
    isOpen: true,
    async message(handle: number, body: Record<string, unknown>, options: { jsep?: { type: string; sdp: string } } = {}): Promise<PluginAnswer> {
      requests.push({ handle, body, ...(options.jsep ? { jsep: options.jsep } : {}) });
      let reply: PluginAnswer;
      if (body.request === 'joinandconfigure') reply = { data: {}, jsep: { type: 'answer', sdp: 'publisher-answer' } };
      else if (body.request === 'join' || body.request === 'update') {
        const streams = (body.streams ?? body.subscribe) as { feed: number }[];
        subscribed.set(handle, [...(subscribed.get(handle) ?? []), ...streams.map((s) => s.feed)]);
        reply = offer(handle);
      } else reply = { data: {} };
      const i = after.findIndex((a) => a.request === body.request);
      if (i >= 0) after.splice(i, 1)[0]?.then();
      return reply;
    },
    async trickle(): Promise<void> {},
    async detach(handle: number): Promise<void> {
      listeners.delete(handle);
    },
  };
  const instance = { url: 'ws://janus.test', participants: 0 } as unknown as JanusInstance;
  const ref: RoomRef = { instance, connection: connection as unknown as JanusConnection, roomId: 42, pin: 'pin', secret: 'secret', callId: CALL };
  const pool = {
    available: true,
    onInstanceDown() {},
    pick: () => instance,
    createRoom: async () => ref,
    destroyRoom: async () => {},
    async attach(_ref: RoomRef, listener: HandleListener): Promise<number> {
      const handle = nextHandle++;
      listeners.set(handle, listener);
      return handle;
    },
  } as unknown as JanusPool;
  return {
    pool,
    requests,
    /** Janus tells a handle something (webrtcup, an offer of its own). */
    tell: (handle: number, message: Record<string, unknown>) => listeners.get(handle)?.(message as JanusMessage),
    /** A feed added to a subscriber by Janus itself; its offer waits for the next answer (as Janus's pending_offer). */
    pend: (handle: number, feed: number) => subscribed.set(handle, [...(subscribed.get(handle) ?? []), feed]),
    offer,
    afterReply: (request: string, then: () => void) => after.push({ request, then }),
    handleOf: (request: string): number => {
      const found = requests.find((r) => r.body.request === request);
      if (!found) throw new Error(`no "${request}" request was made`);
      return found.handle;
    },
  };
}

function makeDesk() {
  const janus = scriptedJanus();
  const members = [party('ann'), party('bob'), party('cat')];
  const calls: SfuCalls = { sfuAccess: () => 'member', membersOf: () => members.map((m) => m.deviceId) };
  const sent: { deviceId: string; event: string; payload: Record<string, unknown> }[] = [];
  const log = pino({ level: 'silent' });
  const desk = new SfuDesk(janus.pool, calls, (deviceId, event, payload) => sent.push({ deviceId, event, payload: payload as Record<string, unknown> }), log);
  desk.callMovedToSfu(CALL);
  return { desk, janus, sent, members };
}

const description = (sdp: string, type: 'offer' | 'answer') => ({ type, sdp }) as { type: 'offer'; sdp: string } & { type: 'answer'; sdp: string };

describe('the SFU desk', () => {
  it('keeps the offer Janus sends right after taking an answer outstanding, and takes its answer', async () => {
    const { desk, janus, sent, members } = makeDesk();
    const [ann, bob] = members as [Party, Party, Party];
    // Bob publishes his camera; its media comes up.
    expect(await desk.publish(bob, { callId: CALL, feed: 'camera', description: description('bob-offer', 'offer') })).toMatchObject({ ok: true });
    const bobHandle = janus.handleOf('joinandconfigure');
    janus.tell(bobHandle, { janus: 'webrtcup' });
    // Ann subscribes: Janus offers Bob's feed.
    expect(await desk.subscribe(ann, { callId: CALL })).toEqual({ ok: true });
    await expect.poll(() => sent.filter((s) => s.event === 'sfu:offer')).toHaveLength(1);
    const annHandle = janus.handleOf('join');
    // While Ann's answer is on its way, Janus adds a stream by itself (pending_offer):
    // its offer follows the reply to her answer, in the same read.
    janus.pend(annHandle, 777);
    janus.afterReply('start', () => janus.tell(annHandle, { janus: 'event', jsep: janus.offer(annHandle).jsep, plugindata: { plugin: 'janus.plugin.videoroom', data: {} } }));
    expect(await desk.answer(ann, { callId: CALL, description: description('ann-answer-1', 'answer') })).toEqual({ ok: true });
    const offers = sent.filter((s) => s.event === 'sfu:offer' && s.deviceId === ann.deviceId);
    expect(offers.map((o) => (o.payload.description as { sdp: string }).sdp)).toEqual(['offer-1', 'offer-2']);
    // Her answer to that second offer reaches Janus.
    expect(await desk.answer(ann, { callId: CALL, description: description('ann-answer-2', 'answer') })).toEqual({ ok: true });
    expect(janus.requests.filter((r) => r.body.request === 'start').map((r) => r.jsep?.sdp)).toEqual(['ann-answer-1', 'ann-answer-2']);
    // And nothing is outstanding after it: a third answer has no offer.
    expect(await desk.answer(ann, { callId: CALL, description: description('ann-answer-3', 'answer') })).toMatchObject({
      ok: false,
      error: { code: 'sfu_unavailable' },
    });
  });

  it('adds a feed that came up while an offer was outstanding once that offer is answered', async () => {
    const { desk, janus, sent, members } = makeDesk();
    const [ann, bob, cat] = members as [Party, Party, Party];
    await desk.publish(bob, { callId: CALL, feed: 'camera', description: description('bob-offer', 'offer') });
    janus.tell(janus.handleOf('joinandconfigure'), { janus: 'webrtcup' });
    await desk.subscribe(ann, { callId: CALL });
    await expect.poll(() => sent.filter((s) => s.event === 'sfu:offer')).toHaveLength(1);
    // Cat publishes while Ann's first offer is unanswered.
    await desk.publish(cat, { callId: CALL, feed: 'camera', description: description('cat-offer', 'offer') });
    const catHandle = janus.requests.filter((r) => r.body.request === 'joinandconfigure')[1]?.handle ?? -1;
    janus.tell(catHandle, { janus: 'webrtcup' });
    expect(janus.requests.filter((r) => r.body.request === 'update')).toHaveLength(0);
    await desk.answer(ann, { callId: CALL, description: description('ann-answer-1', 'answer') });
    await expect.poll(() => janus.requests.filter((r) => r.body.request === 'update').map((r) => r.body.subscribe)).toEqual([[{ feed: expect.any(Number) }]]);
    await expect.poll(() => sent.filter((s) => s.event === 'sfu:offer' && s.deviceId === ann.deviceId)).toHaveLength(2);
  });
});
