/**
 * Live call statistics and switching devices mid-call, in real Chromium through the
 * real server. Chromium's fake devices (--use-fake-device-for-media-stream) list a
 * default and two further audio inputs and one camera ("fake_device_0"); a second
 * camera would need the device-count=2 option, which the shared harness does not
 * pass, so the camera switch here goes from the system default to that camera by
 * its id — a new track all the same.
 */
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { connectCall, tileOf } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil } from '../e2e/harness';
import { expectVideoFrom, rtpTotals } from '../e2e/media';
import { controls, sentDeviceIds, watchNegotiation } from './pages';

const chromium = useChromium();

/** "1.53 Mbit/s" or "88 kbit/s" → kbit/s; "—" → 0. */
function kbps(text: string | null): number {
  const match = /([\d.]+)\s*(k|M)bit\/s/.exec(text ?? '');
  if (!match) return 0;
  return Number(match[1]) * (match[2] === 'M' ? 1000 : 1);
}

async function statValue(tile: Locator, label: string): Promise<string | null> {
  return tile.getByTestId('stats-overlay').locator(`dd[data-stat="${label}"]`).textContent();
}

describe('live statistics and devices', { timeout: SCENARIO_MS * 2 }, () => {
  it('shows bitrates both ways and a quality mark; switching microphone and camera keeps media flowing with no renegotiation', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'video');
    await expectVideoFrom(bob, alice);

    // Statistics: toggled from the controls, over each participant's tile.
    const bobTile = tileOf(alice, bob);
    await controls(alice).getByRole('button', { name: 'Call statistics' }).click();
    await visible(bobTile.getByTestId('stats-overlay'));
    await waitUntil('Alice’s overlay shows media coming in', () => statValue(bobTile, 'Bitrate in'), (t) => kbps(t) > 0);
    await waitUntil('Alice’s overlay shows media going out', () => statValue(bobTile, 'Bitrate out'), (t) => kbps(t) > 0);
    expect(await statValue(bobTile, 'Route')).toMatch(/^Direct \(host ↔ host\)$/);
    expect(await statValue(bobTile, 'Codecs')).toMatch(/opus/);
    expect(await statValue(bobTile, 'Video in')).toMatch(/^\d+×\d+/);
    await waitUntil('the tile’s quality mark is known', () => bobTile.getByTestId('quality').getAttribute('data-quality'), (q) => q !== 'unknown');
    await controls(alice).getByRole('button', { name: 'Call statistics' }).click();
    expect(await bobTile.getByTestId('stats-overlay').count()).toBe(0);

    // Devices: the quick menu in the call controls.
    const negotiation = await watchNegotiation(alice.page);
    const bobNegotiation = await watchNegotiation(bob.page);
    const micBefore = await sentDeviceIds(alice.page, 'audio');
    const camBefore = await sentDeviceIds(alice.page, 'video');
    await controls(alice).getByRole('button', { name: 'Devices' }).click();
    const menu = alice.main.getByRole('dialog', { name: 'Devices' });
    await menu.getByLabel('Microphone').selectOption({ label: 'Fake Audio Input 2' });
    await waitUntil('Alice sends the other microphone', () => sentDeviceIds(alice.page, 'audio'), (ids) => ids.length === 1 && ids[0] !== micBefore[0]);
    await menu.getByLabel('Camera').selectOption({ label: 'fake_device_0' });
    await waitUntil('Alice sends a new camera track', () => sentDeviceIds(alice.page, 'video'), (ids) => ids.length === 1 && ids[0] !== camBefore[0]);
    await alice.page.keyboard.press('Escape');

    // Media keeps arriving at Bob after the switch…
    const after = await rtpTotals(bob.page);
    await waitUntil(
      `Bob's inbound audio keeps rising after the switch (from ${after.inboundAudioPackets})`,
      () => rtpTotals(bob.page),
      (t) => t.inboundAudioPackets >= after.inboundAudioPackets + 25,
    );
    await expectVideoFrom(bob, alice);
    // …and no offer or answer was needed: replaceTrack only.
    expect(await negotiation()).toEqual({ changes: 0, states: ['stable'] });
    expect(await bobNegotiation()).toEqual({ changes: 0, states: ['stable'] });

    // The choice is remembered for the next call.
    await alice.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = alice.page.getByRole('dialog', { name: 'Settings' });
    await visible(settings);
    expect(await settings.getByLabel('Microphone').locator('option:checked').textContent()).toBe('Fake Audio Input 2');
  });
});
