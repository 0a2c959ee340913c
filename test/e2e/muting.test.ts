/**
 * Muting and turning the camera off show on the other side's tile, as marks the
 * person (and a screen reader) can see.
 */
import { describe, expect, it } from 'vitest';
import { callSection, connectCall, tileOf } from './calls';
import { gone, SCENARIO_MS, useChromium, visible } from './harness';
import { expectVideoFrom } from './media';

const chromium = useChromium();

describe('muting', { timeout: SCENARIO_MS }, () => {
  it('shows Alice’s mute mark and then her camera-off mark on Bob’s tile for her', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'video');
    await expectVideoFrom(bob, alice);
    const aliceOnBob = tileOf(bob, alice);
    const muteMark = aliceOnBob.getByRole('img', { name: 'Alice: microphone muted' });
    const cameraMark = aliceOnBob.getByRole('img', { name: 'Alice: camera off' });
    expect(await muteMark.count()).toBe(0);
    expect(await cameraMark.count()).toBe(0);

    const controls = callSection(alice);
    await controls.getByRole('button', { name: 'Mute microphone' }).click();
    await visible(muteMark);
    expect(await cameraMark.count()).toBe(0);

    await controls.getByRole('button', { name: 'Turn camera off' }).click();
    await visible(cameraMark);
    await visible(muteMark);

    await controls.getByRole('button', { name: 'Unmute microphone' }).click();
    await gone(muteMark);
    await visible(cameraMark);
  });
});
