/**
 * What the SFU meeting tests (meetingButton, sfuFiles, rawSubscriber) do in Parley's
 * window and read from its pages: the meeting button, low-resolution cameras, the
 * page's peer connections with their decode counts, and every console line.
 */
import type { Locator } from 'playwright-core';
import { acceptButton, callSection, tileOf, tiles } from '../e2e/calls';
import { visible, waitUntil, type Person } from '../e2e/harness';
import en from '../../renderer/i18n/locales/en.json';
import { lowResolutionCamera } from '../support/lowResolutionCamera';

/** Meetings on two loaded cores: every wait is much longer than the harness's default. */
export const LONG_WAIT_MS = 180_000;

/** The contact row's "Start a meeting with …" button (only there when the server has a media server). */
export function meetingButton(viewer: Person, other: Person): Locator {
  return viewer.page.getByRole('button', { name: en.contact.meeting.replace('{{name}}', other.name), exact: true });
}

/** Makes this page's camera 320x240 at 10 fps from now on (the call asks for media when it rings or dials). */
export async function lowResolution(person: Person): Promise<void> {
  await person.page.evaluate(lowResolutionCamera({ width: 320, height: 240, fps: 10 }));
}

/** People on a stage, each with a low-resolution camera, long waits, and their full console kept in `logs` for a failure. */
export async function openPeople(openPerson: (name: string) => Promise<Person>, names: readonly string[], logs: Map<string, string[]>): Promise<Person[]> {
  const people: Person[] = [];
  for (const name of names) {
    const person = await openPerson(name);
    logs.set(name, recordAllLogs(person));
    // Every click and fill may wait as long as any condition here (Playwright's own default is 30 s).
    person.page.setDefaultTimeout(LONG_WAIT_MS);
    await lowResolution(person);
    people.push(person);
  }
  return people;
}

/** Everything the page logs (the app's info lines too), for a failure's story. */
export function recordAllLogs(person: Person): string[] {
  const lines: string[] = [];
  const started = Date.now();
  person.page.on('console', (message) => {
    lines.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${message.type()}: ${message.text()}`);
    if (lines.length > 400) lines.shift();
  });
  return lines;
}

export interface Connection {
  state: string;
  /** Inbound video streams with at least one decoded frame, and all inbound video streams. */
  videoDecoding: number;
  videoInbound: number;
  /**
   * Inbound video streams that play: at least PLAYING_DELTAS delta frames decoded, and
   * twice as many delta frames as key frames. A decoder fed frames it cannot read (still
   * sealed, or cut from their references) takes the odd key frame and asks for the next,
   * so its count is nearly all key frames (a receiver's transform left unapplied did
   * that: 43 decoded, 39 of them key frames, of 767 received).
   */
  videoPlaying: number;
  /** Summed over the inbound video streams. */
  framesReceived: number;
  framesDecoded: number;
  keyFramesDecoded: number;
  bytesReceived: number;
  /** Senders with a track, and how many run an encoded transform (frame encryption). */
  senders: number;
  protectedSenders: number;
  /** Receivers of live media, and how many run an encoded transform (frame decryption). */
  receivers: number;
  protectedReceivers: number;
}

/** Delta frames a stream must have decoded to count as playing (Connection.videoPlaying). */
export const PLAYING_DELTAS = 10;

/** The page's open peer connections (the harness's recorder) with what each receives. */
export function connections(person: Person): Promise<Connection[]> {
  return person.page.evaluate(async (playingDeltas) => {
    const pcs = window.__parleyE2E?.peerConnections() ?? [];
    const inserted = (pc: RTCPeerConnection): boolean =>
      (pc.getConfiguration() as { encodedInsertableStreams?: boolean }).encodedInsertableStreams === true;
    const transformed = (end: RTCRtpSender | RTCRtpReceiver): boolean => {
      const transform = (end as { transform?: unknown }).transform;
      return transform !== null && transform !== undefined;
    };
    return Promise.all(
      pcs.map(async (pc) => {
        const stats = await pc.getStats();
        const c = { videoDecoding: 0, videoInbound: 0, videoPlaying: 0, framesReceived: 0, framesDecoded: 0, keyFramesDecoded: 0, bytesReceived: 0 };
        stats.forEach((s: { type?: string; kind?: string; framesDecoded?: number; framesReceived?: number; keyFramesDecoded?: number; bytesReceived?: number }) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
          c.videoInbound += 1;
          if ((s.framesDecoded ?? 0) > 0) c.videoDecoding += 1;
          const deltas = (s.framesDecoded ?? 0) - (s.keyFramesDecoded ?? 0);
          if (deltas >= playingDeltas && deltas >= 2 * (s.keyFramesDecoded ?? 0)) c.videoPlaying += 1;
          c.framesReceived += s.framesReceived ?? 0;
          c.framesDecoded += s.framesDecoded ?? 0;
          c.keyFramesDecoded += s.keyFramesDecoded ?? 0;
          c.bytesReceived += s.bytesReceived ?? 0;
        });
        const senders = pc.getSenders().filter((s) => s.track !== null);
        const receivers = pc
          .getTransceivers()
          .filter((t) => t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv')
          .map((t) => t.receiver);
        return {
          state: pc.connectionState,
          ...c,
          senders: senders.length,
          protectedSenders: senders.filter((s) => inserted(pc) || transformed(s)).length,
          receivers: receivers.length,
          protectedReceivers: receivers.filter((r) => inserted(pc) || transformed(r)).length,
        };
      }),
    );
  }, PLAYING_DELTAS);
}

/** The person answers the ringing call (forced: the ringing card re-renders while it rings on a loaded machine). */
export async function acceptRinging(guest: Person): Promise<void> {
  await visible(acceptButton(guest), LONG_WAIT_MS);
  await acceptButton(guest).click({ force: true, timeout: LONG_WAIT_MS });
  await visible(callSection(guest), LONG_WAIT_MS);
}

/** `host` adds `guest` through "Add participant" (optionally ticking "As a meeting"); the guest answers. */
export async function addToCall(host: Person, guest: Person, options: { asMeeting?: boolean } = {}): Promise<void> {
  await callSection(host).getByRole('button', { name: en.call.add }).click();
  const dialog = host.page.getByRole('dialog', { name: en.call.add });
  const asMeeting = dialog.getByRole('checkbox', { name: en.addParticipant.asMeeting });
  if (options.asMeeting === true) await asMeeting.check();
  await dialog.getByRole('button', { name: en.addParticipant.invite.replace('{{name}}', guest.name) }).click();
  await acceptRinging(guest);
}

/** `me` shows a tile for each of the others, and no more. */
export async function seesEveryone(me: Person, people: readonly Person[]): Promise<void> {
  const others = people.filter((p) => p !== me);
  for (const other of others) await visible(tileOf(me, other), LONG_WAIT_MS);
  await waitUntil(`${me.name} sees ${others.length} tiles`, () => tiles(me).count(), (n) => n === others.length, LONG_WAIT_MS);
}

/**
 * The call goes through the SFU, end-to-end encrypted: the header's lock says so with
 * the SFU's reason (a mesh call says the mesh's), and the page has just its publisher
 * and subscriber, every sender encrypting.
 */
export async function expectEncryptedSfu(me: Person): Promise<Connection[]> {
  const badge = callSection(me).locator('[data-e2ee="encrypted"]');
  await visible(badge, LONG_WAIT_MS);
  const label = await badge.getAttribute('aria-label');
  if (!label?.includes(en.e2ee.sfuTip)) throw new Error(`${me.name}'s lock does not say the call is encrypted through the SFU: ${label}`);
  return waitUntil(`${me.name} has a publisher and a subscriber, every sender encrypting`, () => connections(me), (pcs) =>
    pcs.length === 2 && pcs.every((pc) => pc.state === 'connected' && pc.protectedSenders === pc.senders) && pcs.some((pc) => pc.senders > 0), LONG_WAIT_MS);
}

/** Waits until at least `count` remote videos play on `me`'s page (delta frames decoded, not just the odd key frame). */
export function decodesVideos(me: Person, count: number): Promise<Connection[]> {
  return waitUntil(`${me.name} plays ${count} remote video(s)`, () => connections(me), (pcs) =>
    pcs.reduce((n, pc) => n + pc.videoPlaying, 0) >= count, LONG_WAIT_MS);
}
