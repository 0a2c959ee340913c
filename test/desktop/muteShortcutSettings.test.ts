/**
 * Settings → mute shortcut (issue 16.4): a recorded shortcut is registered before it
 * is saved; one another app holds is refused with the reason (the field shows it),
 * no notice is pushed on top, and the shortcut in force stays.
 */
import { describe, expect, it } from 'vitest';
import { MuteShortcutService, checkShortcutPatch, type GlobalShortcutLike } from '../../main/shortcuts/muteShortcut';
import { RecordingEvents, silentLogger } from './fakes';

class FakeGlobalShortcut implements GlobalShortcutLike {
  readonly owned = new Set<string>();
  readonly takenByOthers = new Set<string>();
  register(accelerator: string): boolean {
    if (this.takenByOthers.has(accelerator)) return false;
    this.owned.add(accelerator);
    return true;
  }
  unregister(accelerator: string): void {
    this.owned.delete(accelerator);
  }
}

function setup() {
  const shortcuts = new FakeGlobalShortcut();
  const notices: string[] = [];
  const service = new MuteShortcutService({ globalShortcut: shortcuts, events: new RecordingEvents(), notify: (_l, m) => void notices.push(m), logger: silentLogger });
  service.apply('CommandOrControl+Shift+M');
  return { shortcuts, notices, service };
}

describe('mute shortcut from Settings', () => {
  it('a free combination is registered at once and the patch goes on to be saved', () => {
    const { shortcuts, service } = setup();
    expect(checkShortcutPatch(service, { muteShortcut: 'Alt+Shift+K' })).toEqual({ muteShortcut: 'Alt+Shift+K' });
    expect([...shortcuts.owned]).toEqual(['Alt+Shift+K']);
    expect(service.current()).toEqual({ kind: 'registered', accelerator: 'Alt+Shift+K' });
  });

  it('a combination another app holds is refused with the reason; the old one stays, no notice on top', () => {
    const { shortcuts, notices, service } = setup();
    shortcuts.takenByOthers.add('Control+Alt+M');
    expect(() => checkShortcutPatch(service, { muteShortcut: 'Control+Alt+M' })).toThrow(
      'The shortcut Control+Alt+M is taken by another app; choose another in Settings. Parley keeps CommandOrControl+Shift+M.',
    );
    expect([...shortcuts.owned]).toEqual(['CommandOrControl+Shift+M']);
    expect(notices).toEqual([]);
  });

  it('empty turns the shortcut off; a patch without the shortcut is passed through untouched', () => {
    const { shortcuts, service } = setup();
    const other: { muteShortcut?: string; closeToTray?: boolean } = { closeToTray: false };
    expect(checkShortcutPatch(service, other)).toEqual({ closeToTray: false });
    expect([...shortcuts.owned]).toEqual(['CommandOrControl+Shift+M']);
    checkShortcutPatch(service, { muteShortcut: '' });
    expect([...shortcuts.owned]).toEqual([]);
  });
});
