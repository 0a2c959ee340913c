/**
 * "A participant without the key cannot decode" (issue 17.6), through a real Janus:
 * Alice and Bob are in an end-to-end encrypted meeting (real Chromium, real Parley
 * server). A third, raw client — a plain page with an RTCPeerConnection and no Parley
 * code or keys — is let into the Janus room directly, with the room's pin as the
 * Parley server set it when it created the room (read here from the server's own
 * request to Janus: the test runs the server in this process), and subscribes to
 * both publishers' camera feeds.
 *
 * It receives their RTP (bytes and frames grow), and every video frame it gets is one
 * of Parley's sealed frames (frameCrypto.ts: a clear VP8 header, AES-GCM ciphertext,
 * then IV, key id and header length), looked at on its way to the decoder and passed
 * on unchanged; its decoder shows no moving picture (only the odd frame passes it, as
 * noise: libvpx takes the odd key frame, and now and then a delta frame, of garbage;
 * test/e2ee/frameTransforms.browser.test.ts). Meanwhile Alice and Bob, who hold the
 * keys, decode each other's video.
 *
 * This test found that SFU media went out unsealed: the publisher set its frame
 * transform after awaiting replaceTrack, and Chromium left it unapplied (every frame
 * reached the raw client in the clear and decoded, 41 of 41, while the lock said
 * "end-to-end encrypted"). sfuSession.ts now sets it as the sender is created.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JanusConnection, type Jsep } from '../../signaling-server/sfu/janusClient';
import { VIDEOROOM } from '../../signaling-server/sfu/janusPool';
import { startJanus, type JanusInstance } from '../support/janus';
import { SCENARIO_MS, useChromium, waitUntil, type Person } from '../e2e/harness';
import { acceptRinging, connections, decodesVideos, expectEncryptedSfu, LONG_WAIT_MS, meetingButton, openPeople, seesEveryone } from './meetingPages';

const chromium = useChromium();
/** Frames the raw subscriber must have received before its decoder is judged. */
const FRAMES = 40;

let janus: JanusInstance | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await janus?.stop();
  janus = null;
});

interface RawStats {
  bytesReceived: number;
  packetsReceived: number;
  framesReceived: number;
  framesDecoded: number;
  keyFramesDecoded: number;
}

declare global {
  interface Window {
    rawPc?: RTCPeerConnection;
    /** The raw subscriber's video frames: shaped as Parley's sealed frames, or not. */
    rawFrames?: { sealed: number; other: number; samples: string[] };
  }
}

/** What the raw page's subscriber received and decoded, summed over its video streams. */
function rawStats(page: Person['page']): Promise<RawStats> {
  return page.evaluate(async () => {
    const totals = { bytesReceived: 0, packetsReceived: 0, framesReceived: 0, framesDecoded: 0, keyFramesDecoded: 0 };
    const stats = await (window.rawPc as RTCPeerConnection).getStats();
    stats.forEach((s: { type?: string; kind?: string } & Partial<RawStats>) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      totals.bytesReceived += s.bytesReceived ?? 0;
      totals.packetsReceived += s.packetsReceived ?? 0;
      totals.framesReceived += s.framesReceived ?? 0;
      totals.framesDecoded += s.framesDecoded ?? 0;
      totals.keyFramesDecoded += s.keyFramesDecoded ?? 0;
    });
    return totals;
  });
}

describe('a raw subscriber through Janus', { timeout: SCENARIO_MS * 5 }, () => {
  it('receives the encrypted meeting’s RTP as sealed frames only and shows no picture, while the keyed members decode', async ({ onTestFailed }) => {
    janus = await startJanus();
    // The server's own requests to Janus, as it sends them: the room's create carries its id and pin.
    const created: { room: number; pin: string }[] = [];
    const send = JanusConnection.prototype.message;
    vi.spyOn(JanusConnection.prototype, 'message').mockImplementation(function (this: JanusConnection, handleId, body, options) {
      if (body.request === 'create' && typeof body.room === 'number' && typeof body.pin === 'string') created.push({ room: body.room, pin: body.pin });
      return send.call(this, handleId, body, options);
    });
    const stage = await chromium.stage({ janusUrls: [janus.url] });
    const logs = new Map<string, string[]>();
    onTestFailed(() => {
      for (const [name, lines] of logs) console.error(`[${name}] page console (all levels, last ${lines.length}):\n  ${lines.join('\n  ')}`);
    });
    const people = await openPeople((name) => stage.openPerson(name), ['Alice', 'Bob'], logs);
    const [alice, bob] = people as [Person, Person];
    await meetingButton(alice, bob).click();
    await acceptRinging(bob);
    for (const me of people) await seesEveryone(me, people);
    for (const me of people) await expectEncryptedSfu(me);
    for (const me of people) await decodesVideos(me, 1);
    expect(created).toHaveLength(1);
    const { room, pin } = created[0] as { room: number; pin: string };

    // The raw client: straight to Janus with the pin, subscribing to every camera feed in the room.
    const connection = await JanusConnection.open(janus.url);
    try {
      const handle = await connection.attach(VIDEOROOM, () => {});
      const listed = await connection.message(handle, { request: 'listparticipants', room });
      const participants = (listed.data.participants ?? []) as { id: number; display?: string; publisher?: boolean }[];
      const feeds = participants.filter((p) => p.publisher === true && (p.display ?? '').endsWith(':camera')).map((p) => p.id);
      expect(feeds, JSON.stringify(participants)).toHaveLength(2);
      const joined = await connection.message(
        handle,
        { request: 'join', ptype: 'subscriber', room, pin, streams: feeds.map((feed) => ({ feed })) },
        { awaitEvent: true },
      );
      const offer = joined.jsep;
      if (offer?.type !== 'offer') throw new Error(`Janus let the raw subscriber in without an offer: ${JSON.stringify(joined.data)}`);

      const page = await alice.context.browser()?.newPage();
      if (!page) throw new Error('no browser for the raw page');
      try {
        // A page on http://127.0.0.1 (a secure context), outside the app.
        await page.goto(`${stage.server.url}/healthz`);
        // A plain RTCPeerConnection: no encoded transform, no keys, no Parley code.
        const answer = await page.evaluate(async (o: Jsep) => {
          // Chromium's encoded streams let the page see each frame on its way to the decoder; it passes them on unchanged.
          const pc = new RTCPeerConnection({ encodedInsertableStreams: true } as RTCConfiguration);
          window.rawPc = pc;
          window.rawFrames = { sealed: 0, other: 0, samples: [] };
          await pc.setRemoteDescription(o);
          for (const receiver of pc.getReceivers()) {
            if (receiver.track.kind !== 'video') continue;
            type Frame = { data: ArrayBuffer; type?: string };
            const streams = (receiver as unknown as { createEncodedStreams(): { readable: ReadableStream<Frame>; writable: WritableStream<Frame> } }).createEncodedStreams();
            const look = new TransformStream<Frame, Frame>({
              transform(frame, controller) {
                // Parley's sealed frame (frameCrypto.ts): [clear VP8 header h][ciphertext + 16-byte tag][IV 12][key id][h],
                // h = 10 for a key frame, 3 for a delta frame. Clear VP8 ends like that by chance one frame in 256.
                const bytes = new Uint8Array(frame.data);
                const h = bytes[bytes.length - 1];
                const sealed = bytes.length > 40 && h === (frame.type === 'key' ? 10 : 3);
                const counts = window.rawFrames as { sealed: number; other: number; samples: string[] };
                if (sealed) counts.sealed += 1;
                else counts.other += 1;
                if (counts.samples.length < 6) counts.samples.push(`${frame.type ?? '?'} ${bytes.length} B, head ${[...bytes.subarray(0, 3)].join(',')}, tail ${[...bytes.subarray(-4)].join(',')}`);
                controller.enqueue(frame);
              },
            });
            void streams.readable.pipeThrough(look).pipeTo(streams.writable);
          }
          await pc.setLocalDescription(await pc.createAnswer());
          if (pc.iceGatheringState !== 'complete') {
            await new Promise<void>((resolve) => {
              pc.addEventListener('icegatheringstatechange', () => {
                if (pc.iceGatheringState === 'complete') resolve();
              });
              setTimeout(resolve, 5_000);
            });
          }
          const d = pc.localDescription as RTCSessionDescription;
          return { type: 'answer' as const, sdp: d.sdp };
        }, offer);
        await connection.message(handle, { request: 'start' }, { jsep: answer, awaitEvent: true });
        const first = await waitUntil('the raw subscriber receives RTP', () => rawStats(page), (s) => s.packetsReceived > 0 && s.bytesReceived > 0, LONG_WAIT_MS);
        const decodedBy = async (me: Person): Promise<number> => (await connections(me)).reduce((n, pc) => n + pc.framesDecoded, 0);
        const keyedBefore = await Promise.all(people.map(decodedBy));
        // Dozens of frames arrive at the raw subscriber while the members go on decoding with their keys.
        const last = await waitUntil('dozens of frames reach the raw subscriber', () => rawStats(page), (s) => s.framesReceived >= first.framesReceived + FRAMES, LONG_WAIT_MS);
        const keyedAfter = await waitUntil('the members decode each other meanwhile', () => Promise.all(people.map(decodedBy)), (after) =>
          after.every((n, i) => n - (keyedBefore[i] ?? 0) >= FRAMES / 2), LONG_WAIT_MS);
        console.log(`raw subscriber: first ${JSON.stringify(first)}, then ${JSON.stringify(last)}; keyed frames decoded meanwhile: Alice ${(keyedAfter[0] ?? 0) - (keyedBefore[0] ?? 0)}, Bob ${(keyedAfter[1] ?? 0) - (keyedBefore[1] ?? 0)}`);

        // The media keeps arriving…
        expect(last.bytesReceived).toBeGreaterThan(first.bytesReceived);
        expect(last.packetsReceived).toBeGreaterThan(first.packetsReceived);
        // …and every frame of it is sealed: what reaches the raw client's decoder is ciphertext behind a clear VP8 header.
        const frames = await page.evaluate(() => window.rawFrames as { sealed: number; other: number; samples: string[] });
        console.log(`raw subscriber's frames: ${JSON.stringify(frames)}; its decoder reported ${last.framesDecoded} of ${last.framesReceived} frames decoded (${last.keyFramesDecoded} key frames)`);
        expect(frames.other, `frames reaching the raw subscriber that are not sealed: ${frames.samples.join(' | ')}`).toBe(0);
        expect(frames.sealed).toBeGreaterThanOrEqual(FRAMES);
        // And its decoder shows no moving picture: only the odd frame of noise passes it.
        expect(last.framesDecoded).toBeLessThan(last.framesReceived / 4);
      } finally {
        await page.close();
      }
    } finally {
      connection.close();
    }
  });
});
