/**
 * Screen share between Chromium and Firefox ESR, from each side. Headless Firefox has
 * no getDisplayMedia, so this file runs Firefox headed on an Xvfb display (installed
 * by scripts/install-test-deps.sh), where it captures "Primary Monitor" without a
 * picker (media.navigator.permission.disabled). Headless Chromium captures its
 * synthetic screen (see test/features/screenShare.test.ts).
 */
import { describe, it } from 'vitest';
import { SCENARIO_MS, waitUntil } from '../e2e/harness';
import { click, gone, inMain, useBothEngines, visible, type Engine, type Target, type XPerson } from './people';
import { connectCall, decodedFrom, expectVideoFrom } from './steps';

const engines = useBothEngines({ headedFirefox: true });

const controls: Target = { role: 'toolbar', name: 'Call controls' };

async function expectScreenFrom(viewer: XPerson, sharer: XPerson): Promise<void> {
  const what = `${viewer.label} decodes ${sharer.label}'s screen`;
  const first = await waitUntil(what, () => decodedFrom(viewer, sharer.userId, 'screen-video'), (v) => v.width > 0 && v.framesDecoded > 0);
  await waitUntil(
    `${what} advancing (from frame ${first.framesDecoded})`,
    () => decodedFrom(viewer, sharer.userId, 'screen-video'),
    (v) => v.framesDecoded > first.framesDecoded,
  );
}

describe.each<[Engine, Engine]>([
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
])('%s shares the screen with %s', { timeout: SCENARIO_MS }, (sharerEngine, viewerEngine) => {
  it('shows the screen as a tile of its own beside the camera, and takes it away when sharing stops', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', sharerEngine);
    const bob = await stage.open('Bob', viewerEngine);
    await connectCall(alice, bob, 'video');
    await expectVideoFrom(bob, alice);

    await click(alice, { role: 'button', name: 'Share screen', within: controls });
    const screenTile: Target = inMain('group', 'Alice’s screen');
    await visible(bob, screenTile);
    await expectScreenFrom(bob, alice);
    await expectVideoFrom(bob, alice);

    await click(alice, { role: 'button', name: 'Stop sharing', within: controls });
    await gone(bob, screenTile);
    await visible(alice, { role: 'button', name: 'Share screen', within: controls });
  });
});
