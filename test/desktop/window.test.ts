import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS } from '../../preload/contract';
import { RendererEventQueue, type EventTarget } from '../../main/window/rendererEvents';
import {
  initialWindowState,
  shouldHideOnClose,
  shouldReloadAfterCrash,
  windowControl,
  type WindowLike,
} from '../../main/window/windowControl';
import { ManualClock, recordingLogger, silentLogger } from './fakes';

class FakeTarget implements EventTarget {
  readonly sent: Array<[string, unknown]> = [];
  destroyed = false;
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

describe('renderer event queue', () => {
  const setup = () => {
    const clock = new ManualClock();
    const { logger, lines } = recordingLogger();
    const queue = new RendererEventQueue({ logger, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
    const target = new FakeTarget();
    return { clock, queue, target, lines };
  };

  it('holds events until the renderer reports, then delivers them in order', () => {
    const { queue, target } = setup();
    queue.attach(target);
    queue.send(EVENT_CHANNELS.callRequested, { userId: 'user_ABC-123', media: 'audio' });
    queue.notify('warning', 'settings were reset');
    expect(target.sent).toEqual([]);
    queue.rendererReported();
    expect(target.sent).toEqual([
      [EVENT_CHANNELS.callRequested, { userId: 'user_ABC-123', media: 'audio' }],
      [EVENT_CHANNELS.notice, { level: 'warning', message: 'settings were reset' }],
    ]);
    queue.send(EVENT_CHANNELS.callAction, { type: 'hangup' });
    expect(target.sent).toHaveLength(3);
  });

  it('falls back to delivering a while after the page loaded, if no report comes', () => {
    const { clock, queue, target } = setup();
    queue.attach(target);
    queue.notify('info', 'hello');
    queue.pageLoaded();
    clock.advance(2_999);
    expect(target.sent).toEqual([]);
    clock.advance(1);
    expect(target.sent).toHaveLength(1);
  });

  it('a reload holds events again until the new page reports', () => {
    const { queue, target } = setup();
    queue.attach(target);
    queue.rendererReported();
    queue.pageLoading();
    queue.notify('info', 'after reload');
    expect(target.sent).toEqual([]);
    queue.rendererReported();
    expect(target.sent).toHaveLength(1);
  });

  it('never sends an event that breaks the contract', () => {
    const { queue, target, lines } = setup();
    queue.attach(target);
    queue.rendererReported();
    queue.send(EVENT_CHANNELS.callRequested, { userId: 'bad', media: 'audio' });
    expect(target.sent).toEqual([]);
    expect(lines().some((l) => l.msg === 'refusing to send an invalid event')).toBe(true);
  });

  it('keeps only the latest events when nobody listens for long', () => {
    const clock = new ManualClock();
    const queue = new RendererEventQueue({ logger: silentLogger, maxQueued: 3, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
    const target = new FakeTarget();
    queue.attach(target);
    for (let i = 0; i < 5; i++) queue.notify('info', `n${i}`);
    queue.rendererReported();
    expect(target.sent.map(([, p]) => (p as { message: string }).message)).toEqual(['n2', 'n3', 'n4']);
  });
});

describe('window rules', () => {
  it('start minimised goes to the tray, or to the taskbar without one; a deep link shows the window', () => {
    expect(initialWindowState({ startMinimised: false, trayAvailable: true, launchedWithDeepLink: false })).toBe('shown');
    expect(initialWindowState({ startMinimised: true, trayAvailable: true, launchedWithDeepLink: false })).toBe('hidden');
    expect(initialWindowState({ startMinimised: true, trayAvailable: false, launchedWithDeepLink: false })).toBe('minimised');
    expect(initialWindowState({ startMinimised: true, trayAvailable: true, launchedWithDeepLink: true })).toBe('shown');
  });

  it('close hides to the tray only when there is one, the option is on, and we are not quitting', () => {
    expect(shouldHideOnClose({ quitting: false, closeToTray: true, trayAvailable: true })).toBe(true);
    expect(shouldHideOnClose({ quitting: true, closeToTray: true, trayAvailable: true })).toBe(false);
    expect(shouldHideOnClose({ quitting: false, closeToTray: false, trayAvailable: true })).toBe(false);
    expect(shouldHideOnClose({ quitting: false, closeToTray: true, trayAvailable: false })).toBe(false);
  });

  it('reloads after a renderer crash, but not in a loop, and not after a clean exit', () => {
    expect(shouldReloadAfterCrash('crashed', null, 1_000)).toBe(true);
    expect(shouldReloadAfterCrash('oom', 1_000, 10_000)).toBe(false);
    expect(shouldReloadAfterCrash('crashed', 1_000, 31_000)).toBe(true);
    expect(shouldReloadAfterCrash('clean-exit', null, 1_000)).toBe(false);
    expect(shouldReloadAfterCrash('killed', null, 1_000)).toBe(false);
  });

  it('show restores a minimised window; attention flashes and brings back a hidden one without focus', () => {
    const calls: string[] = [];
    let visible = false;
    const win: WindowLike = {
      isDestroyed: () => false,
      isMinimized: () => true,
      isVisible: () => visible,
      restore: () => calls.push('restore'),
      show: () => {
        visible = true;
        calls.push('show');
      },
      focus: () => calls.push('focus'),
      showInactive: () => {
        visible = true;
        calls.push('showInactive');
      },
      flashFrame: (on: boolean) => calls.push(`flash:${on}`),
    };
    const control = windowControl(() => win);
    control.attention(true);
    control.attention(false);
    control.show();
    expect(calls).toEqual(['showInactive', 'flash:true', 'flash:false', 'restore', 'show', 'focus']);
    // No window yet (or gone): nothing happens, nothing throws.
    windowControl(() => null).show();
  });
});
