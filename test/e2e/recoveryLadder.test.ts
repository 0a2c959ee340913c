/**
 * The recovery ladder (issue 14) in real Chromium, through the real server: media
 * that stops on a connection that still says `connected` is noticed by the media
 * watchdog and healed by rebuilding the link, without ending the call.
 *
 * The failure is forced honestly, in the browser and not in a relay (rewriting SDP
 * there fails the DTLS check by design): every encoding of one page's senders is
 * switched off behind the app's back (setParameters, `active: false`, on its
 * RTCPeerConnection), so its RTP stops while ICE and DTLS stay up and the call
 * snapshot still says its camera and microphone are on — what Chromium→Firefox
 * media did after an ICE restart. (replaceTrack(null) would not do: the app puts
 * its tracks back on the next plan sync.) An ICE restart cannot bring that back;
 * only the rebuild (a fresh RTCPeerConnection, the tracks put back with
 * replaceTrack, the data channels opened again) does. The
 * cross-engine cases (Chromium↔Firefox ICE restarts) are in test/crossEngine/.
 */
import { describe, expect, it } from 'vitest';
import { connectCall } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';
import { expectAudioArriving, expectVideoFrom } from './media';
import { controls } from '../features/pages';

const chromium = useChromium();

/** The DTLS fingerprint of each open connection's local description: a new one is a new connection. */
function fingerprints(person: Person): Promise<string[]> {
  return person.page.evaluate(() =>
    (window.__parleyE2E?.peerConnections() ?? []).map(
      (pc) => /a=fingerprint:\S+ (\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1] ?? '',
    ),
  );
}

describe('the recovery ladder in real Chromium', { timeout: SCENARIO_MS }, () => {
  it('media stopped under a "connected" link is noticed and the link rebuilt: video, audio and chat flow again, the call never ended', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'video');
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    const [aliceBefore, bobBefore] = [await fingerprints(alice), await fingerprints(bob)];
    expect(aliceBefore).toHaveLength(1);

    // Alice's RTP stops; both connections stay connected.
    await alice.page.evaluate(async () => {
      for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
        for (const sender of pc.getSenders()) {
          const parameters = sender.getParameters();
          for (const encoding of parameters.encodings) encoding.active = false;
          await sender.setParameters(parameters);
        }
      }
    });

    // The watchdog on Bob's side sees it; whichever side is impolite restarts ICE, which
    // cannot help, then rebuilds: both sides end up on fresh connections.
    await waitUntil(
      'both sides are on fresh peer connections',
      async () => [await fingerprints(alice), await fingerprints(bob)] as const,
      ([a, b]) => a.length === 1 && b.length === 1 && a[0] !== aliceBefore[0] && b[0] !== bobBefore[0],
      60_000,
    );
    await Promise.all([expectVideoFrom(bob, alice), expectVideoFrom(alice, bob)]);
    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);

    // The data channels came back with the connection: chat goes through.
    await controls(alice).getByRole('button', { name: 'Chat' }).click();
    const aliceChat = alice.main.getByRole('complementary', { name: 'Chat' });
    await aliceChat.getByRole('textbox', { name: 'Message' }).fill('Still there after the rebuild?');
    await aliceChat.getByRole('button', { name: 'Send message' }).click();
    await visible(controls(bob).getByRole('button', { name: 'Chat, 1 unread' }));

    // The call went on throughout.
    for (const person of [alice, bob]) {
      expect(await person.main.getByRole('button', { name: 'Hang up' }).count()).toBe(1);
    }
  });
});
