/**
 * Which picker a screen share goes through (issue 16.7). On Linux under Wayland,
 * Chromium captures through PipeWire and the xdg-desktop-portal: any
 * desktopCapturer.getSources call opens the portal's own picker, and what comes
 * back is what the person chose there. Showing Parley's picker on top would make
 * them pick twice (and its thumbnails would each have asked the portal), so there
 * Parley makes one desktopCapturer request and grants its result as the choice.
 * Everywhere else (X11, Windows, macOS, XWayland) Parley's own picker is shown.
 */

export type CaptureRoute = 'portal' | 'picker';

export interface CaptureEnvironment {
  platform: NodeJS.Platform;
  /** process.env (only the session variables are read). */
  env: Readonly<Record<string, string | undefined>>;
  /** app.commandLine.getSwitchValue('ozone-platform'): '' when not given. */
  ozonePlatform: string;
  /** app.commandLine.getSwitchValue('enable-features'): '' when not given. */
  enableFeatures: string;
}

/** Wayland session: XDG_SESSION_TYPE=wayland, or a WAYLAND_DISPLAY to connect to. */
export function isWaylandSession(env: CaptureEnvironment['env']): boolean {
  return env.XDG_SESSION_TYPE?.trim().toLowerCase() === 'wayland' || (env.WAYLAND_DISPLAY ?? '').trim() !== '';
}

export function captureRoute(environment: CaptureEnvironment): CaptureRoute {
  if (environment.platform !== 'linux') return 'picker';
  const ozone = environment.ozonePlatform.trim().toLowerCase();
  // PipeWire capture switched on by hand works through the portal even under X11.
  const pipeWire = environment.enableFeatures
    .split(',')
    .map((feature) => feature.trim())
    .includes('WebRTCPipeWireCapturer');
  if (pipeWire) return 'portal';
  // Forced onto X11 (XWayland), Chromium captures with X11 and the portal is not used.
  if (ozone === 'x11') return 'picker';
  // ozone 'wayland', or the default ('auto' since Electron 38): Wayland when the session is.
  if (ozone === 'wayland') return 'portal';
  return isWaylandSession(environment.env) ? 'portal' : 'picker';
}
