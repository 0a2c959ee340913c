import type { NotificationConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, muteShortcutProblem, settingsPatchSchema, type IncomingCallNotice } from '../../preload/contract';
import { mainText } from '../../main/i18n';
import { IncomingCallService, incomingCallNotification, type NotificationHandlers } from '../../main/notifications/incomingCall';
import { CallPowerBlocker, type PowerSaveBlockerLike } from '../../main/power/callPowerBlocker';
import { MuteShortcutService, type GlobalShortcutLike } from '../../main/shortcuts/muteShortcut';
import { callStateReport } from '../support/callStateReport';
import { RecordingEvents, RecordingWindow, silentLogger } from './fakes';

describe('incoming call notification', () => {
  const notice: IncomingCallNotice = { callId: 'call-abcdefgh', callerName: 'Ada <Lovelace> & co', media: 'video' };

  it('has Accept/Decline buttons on macOS and Windows, and escapes markup on Linux', () => {
    expect(incomingCallNotification(notice, 'darwin').actions).toEqual([
      { type: 'button', text: 'Accept' },
      { type: 'button', text: 'Decline' },
    ]);
    expect(incomingCallNotification(notice, 'win32').actions).toHaveLength(2);
    const linux = incomingCallNotification(notice, 'linux');
    expect(linux.actions).toBeUndefined();
    expect(linux.body).toBe('Ada &lt;Lovelace&gt; &amp; co is calling you');
    expect(linux.title).toBe('Incoming video call');
    expect(incomingCallNotification(notice, 'darwin').body).toBe('Ada <Lovelace> & co is calling you');
  });

  const setup = (supported = true) => {
    const events = new RecordingEvents();
    const window = new RecordingWindow();
    const shown: Array<{ options: NotificationConstructorOptions; handlers: NotificationHandlers; closed: boolean }> = [];
    const service = new IncomingCallService({
      isSupported: () => supported,
      createNotification: (options, handlers) => {
        const entry = { options, handlers, closed: false };
        shown.push(entry);
        return {
          show: () => undefined,
          close: () => {
            entry.closed = true;
          },
        };
      },
      window,
      events,
      platform: 'darwin',
      logger: silentLogger,
    });
    return { events, window, shown, service };
  };

  it('Accept answers with video for a video call, Decline declines, a click shows the call', () => {
    const { events, window, shown, service } = setup();
    service.show(notice);
    expect(window.calls).toEqual(['attention:on']);
    const handlers = shown[0]?.handlers;
    handlers?.onAction(0);
    handlers?.onAction(1);
    handlers?.onClick();
    expect(events.sent).toEqual([
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'accept', video: true } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'decline' } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'show-call' } },
    ]);
    expect(window.calls).toEqual(['attention:on', 'show', 'show']);
  });

  it('dismiss closes the notification and stops the flashing; other call ids are ignored', () => {
    const { window, shown, service } = setup();
    service.show(notice);
    service.dismiss('call-otherxxx');
    expect(shown[0]?.closed).toBe(false);
    service.dismiss(notice.callId);
    expect(shown[0]?.closed).toBe(true);
    expect(window.calls).toEqual(['attention:on', 'attention:off']);
  });

  it('a report that is no longer ringing takes the notification away', () => {
    const { shown, service } = setup();
    service.show(notice);
    service.followReport(callStateReport({ phase: 'ringing', caller: 'Ada' }));
    expect(shown[0]?.closed).toBe(false);
    service.followReport(callStateReport({ phase: 'in_call' }));
    expect(shown[0]?.closed).toBe(true);
  });

  it('without notification support the window still asks for attention', () => {
    const { window, shown, service } = setup(false);
    service.show(notice);
    expect(shown).toEqual([]);
    expect(window.calls).toEqual(['attention:on']);
  });
});

describe('mute shortcut', () => {
  class FakeGlobalShortcut implements GlobalShortcutLike {
    readonly owned = new Map<string, () => void>();
    takenByOthers = new Set<string>();
    register(accelerator: string, callback: () => void): boolean {
      if (accelerator.includes('Bogus')) throw new Error(`conversion failure for ${accelerator}`);
      if (this.takenByOthers.has(accelerator)) return false;
      this.owned.set(accelerator, callback);
      return true;
    }
    unregister(accelerator: string): void {
      this.owned.delete(accelerator);
    }
  }
  const setup = () => {
    const shortcuts = new FakeGlobalShortcut();
    const events = new RecordingEvents();
    const notices: string[] = [];
    const service = new MuteShortcutService({
      globalShortcut: shortcuts,
      events,
      notify: (_l, m) => notices.push(m),
      logger: silentLogger,
    });
    return { shortcuts, events, notices, service };
  };

  it('pressing the shortcut toggles mute', () => {
    const { shortcuts, events, service } = setup();
    expect(service.apply('CommandOrControl+Shift+M')).toEqual({ kind: 'registered', accelerator: 'CommandOrControl+Shift+M' });
    shortcuts.owned.get('CommandOrControl+Shift+M')?.();
    expect(events.sent).toEqual([{ channel: EVENT_CHANNELS.callAction, payload: { type: 'toggle-mute' } }]);
  });

  it('a shortcut taken by another app is reported with what to do', () => {
    const { shortcuts, notices, service } = setup();
    shortcuts.takenByOthers.add('Alt+M');
    expect(service.apply('Alt+M').kind).toBe('taken');
    expect(notices).toEqual(['The shortcut Alt+M is taken by another app; choose another in Settings.']);
  });

  it('an accelerator Electron does not understand is reported too', () => {
    const { notices, service } = setup();
    expect(service.apply('Bogus+Key').kind).toBe('invalid');
    expect(notices[0]).toContain('“Bogus+Key” is not a key combination');
  });

  it('says its refusals in the UI language: Russian with main’s locale (issue 16.1)', () => {
    const shortcuts = new FakeGlobalShortcut();
    const notices: string[] = [];
    const service = new MuteShortcutService({
      globalShortcut: shortcuts,
      events: new RecordingEvents(),
      notify: (_l, m) => notices.push(m),
      logger: silentLogger,
      text: mainText('ru'),
    });
    service.apply('Alt+M');
    shortcuts.takenByOthers.add('Alt+N');
    service.apply('Alt+N');
    service.apply('M');
    expect(notices).toEqual([
      'Сочетание Alt+N занято другим приложением; выберите другое в настройках. Parley оставляет Alt+M.',
      expect.stringMatching(/^Сочетанию для выключения микрофона «M» нужен модификатор.* Parley оставляет Alt\+M\.$/),
    ]);
  });

  it('refuses a bare key or Shift with a typing key, says why, and keeps the shortcut in force', () => {
    const { shortcuts, notices, service } = setup();
    service.apply('Alt+M');
    for (const bare of ['M', 'Shift+M', 'F9', 'Shift+Space']) {
      expect(service.apply(bare).kind).toBe('invalid');
    }
    expect(notices).toHaveLength(4);
    expect(notices[0]).toContain('needs a modifier such as Ctrl, Alt, Cmd or Super');
    expect(notices[0]).toContain('Parley keeps Alt+M');
    expect([...shortcuts.owned.keys()]).toEqual(['Alt+M']);
    expect(service.current()).toEqual({ kind: 'registered', accelerator: 'Alt+M' });
  });

  it('keeps the previous shortcut when the new one is taken by another app', () => {
    const { shortcuts, service } = setup();
    service.apply('Alt+M');
    shortcuts.takenByOthers.add('Alt+N');
    expect(service.apply('Alt+N').kind).toBe('taken');
    expect([...shortcuts.owned.keys()]).toEqual(['Alt+M']);
  });

  it('accepts real modifiers, and Shift with a key that types nothing', () => {
    for (const ok of ['CommandOrControl+Shift+M', 'Super+M', 'Ctrl+Alt+Plus', 'Shift+F9', 'CmdOrCtrl+F5', '']) {
      expect(muteShortcutProblem(ok), ok).toBeNull();
    }
    for (const bad of ['M', 'Shift+M', 'Shift+1', 'F9', 'VolumeMute', 'Ctrl+', 'Ctrl+Ctrl+M', 'Hyper+M', 'Alt+Shift']) {
      expect(muteShortcutProblem(bad), bad).not.toBeNull();
    }
  });

  it('the settings schema refuses a shortcut without a modifier, with the reason', () => {
    const refused = settingsPatchSchema.safeParse({ muteShortcut: 'Shift+M' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('needs a modifier');
    expect(settingsPatchSchema.safeParse({ muteShortcut: 'Alt+M' }).success).toBe(true);
  });

  it('changing or clearing the shortcut releases the old one', () => {
    const { shortcuts, service } = setup();
    service.apply('Alt+M');
    service.apply('Alt+N');
    expect([...shortcuts.owned.keys()]).toEqual(['Alt+N']);
    service.apply('');
    expect(shortcuts.owned.size).toBe(0);
    expect(service.current()).toEqual({ kind: 'none' });
  });
});

describe('power save blocker', () => {
  class FakeBlocker implements PowerSaveBlockerLike {
    private next = 1;
    readonly started = new Map<number, string>();
    start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number {
      this.started.set(this.next, type);
      return this.next++;
    }
    stop(id: number): void {
      this.started.delete(id);
    }
    isStarted(id: number): boolean {
      return this.started.has(id);
    }
  }

  it('keeps the display awake during a call, once, and lets go after', () => {
    const blocker = new FakeBlocker();
    const power = new CallPowerBlocker(blocker);
    power.follow(callStateReport({ phase: 'ringing' }));
    expect(blocker.started.size).toBe(0);
    power.follow(callStateReport({ phase: 'in_call' }));
    power.follow(callStateReport({ phase: 'in_call', muted: true }));
    expect([...blocker.started.values()]).toEqual(['prevent-display-sleep']);
    power.follow(callStateReport({ phase: 'idle' }));
    expect(blocker.started.size).toBe(0);
    expect(power.active).toBe(false);
  });
});
