/**
 * A page's camera at a low resolution, whatever the app asks: many encoders on two
 * cores (the SFU browser test's six people, the SFU benchmark's five) fit only at
 * 320x240 or so. getUserMedia is wrapped in the page; audio-only requests pass as
 * they are. Shared by test/sfu/sfuCall.browser.test.ts and test/bench/sfu.ts.
 */

export interface CameraLimit {
  width: number;
  height: number;
  /** The most frames a second asked for. */
  fps: number;
}

/** Runs in the page (it uses nothing from outside): from now on every camera request asks for exactly `limit`'s size and at most its rate. */
function limitCamera(limit: CameraLimit): void {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
    const video = constraints?.video;
    if (!video) return original(constraints);
    const base = typeof video === 'object' ? video : {};
    return original({ ...constraints, video: { ...base, width: { exact: limit.width }, height: { exact: limit.height }, frameRate: { max: limit.fps } } });
  };
}

/**
 * limitCamera as a page script (for page.evaluate or addInitScript's content). tsx
 * compiles with esbuild's keepNames, which wraps functions in calls to a `__name`
 * helper that exists only in this process; the page gets a stand-in.
 */
export function lowResolutionCamera(limit: CameraLimit): string {
  return `(() => { const __name = (target) => target; (${limitCamera.toString()})(${JSON.stringify(limit)}); })();`;
}
