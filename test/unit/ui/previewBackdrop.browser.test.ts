/**
 * The ringing preview in real Chromium (issue 15: what the ringing screens cost the
 * compositor): the backdrop draws a copy of the camera slowed to PREVIEW_FRAME_RATE
 * while the camera itself keeps its rate for the call, and no copy outlives what it
 * copies — not the backdrop, not a camera switched away from, not a camera stopped by
 * an audio-only answer while the backdrop stays a moment, hidden. A copy left running
 * would keep the camera (and its light) on. Where slowing a copy would slow the camera
 * itself (simulated), the backdrop shows the camera as it is.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_FRAME_RATE } from '../../../renderer/ui/call/PreviewBackdrop';
import { openBuiltPage, type BuiltPage } from './builtPage';
import type { PreviewStep } from './previewPage/previewPage';

let built: BuiltPage;
let steps: PreviewStep[];

beforeAll(async () => {
  built = await openBuiltPage(fileURLToPath(new URL('./previewPage', import.meta.url)), 'runPreviewProbe', 'fps=30');
  steps = await built.page.evaluate(() => window.runPreviewProbe());
  console.log(`preview probe: ${JSON.stringify(steps)}`);
}, 180_000);

afterAll(async () => {
  await built?.close();
});

const step = (name: string): PreviewStep => {
  const found = steps.find((s) => s.step === name);
  if (!found) throw new Error(`the probe has no step "${name}"`);
  return found;
};

describe('the ringing preview in Chromium', () => {
  it('shows a copy of the camera, slowed, while the camera keeps its rate', () => {
    expect(built.pageErrors).toEqual([]);
    for (const name of ['ringing', 'another camera', 'ringing again']) {
      const s = step(name);
      expect(s.copy, name).toBe(true);
      expect(s.copyRate, name).toBe(PREVIEW_FRAME_RATE);
      expect(s.cameraRate, name).toBe(30);
      expect(s.cameraLive, name).toBe(true);
      // The fake camera (fps=30) gives 30 a second; the element shows about half of them.
      expect(s.framesInASecond, `${name}: frames shown in a second`).toBeGreaterThan(0);
      expect(s.framesInASecond, `${name}: frames shown in a second`).toBeLessThanOrEqual(PREVIEW_FRAME_RATE + 5);
    }
  });

  it('stops each copy with what it copied: a camera switched away from, a camera stopped, the backdrop gone', () => {
    // One copy at a time: switching cameras stopped the first copy.
    expect(step('ringing').liveCopies).toBe(1);
    expect(step('another camera').liveCopies).toBe(1);
    // The audio-only answer stopped the camera; its copy stopped with it, though the backdrop stays.
    expect(step('the camera stopped, the backdrop leaving')).toMatchObject({ cameraLive: false, liveCopies: 0 });
    expect(step('ringing again').liveCopies).toBe(1);
    // Answered with video: the backdrop went, its copy with it; the camera runs on for the call.
    expect(step('gone')).toMatchObject({ copy: null, cameraLive: true, liveCopies: 0 });
  });

  it('shows the camera as it is where slowing a copy would slow the camera itself', () => {
    expect(step('an engine that slows the camera itself')).toMatchObject({ copy: false, cameraLive: true, liveCopies: 0 });
  });
});
