/** The mute shortcut recorder's key reading (issue 16.4), without a browser. */
import { describe, expect, it } from 'vitest';
import { muteShortcutProblem } from '../../../preload/contract';
import { hostErrorText, recordKey, shortcutLabel, type KeyPress } from '../../../renderer/ui/settings/shortcutKeys';

const press = (code: string, key: string, mods: Partial<Pick<KeyPress, 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>> = {}): KeyPress => ({
  code,
  key,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('recording a shortcut', () => {
  it('reads where the key is, so a Russian layout records Ctrl+Shift+M', () => {
    expect(recordKey(press('KeyM', 'Ь', { ctrlKey: true, shiftKey: true }), 'linux')).toEqual({ kind: 'combination', accelerator: 'CommandOrControl+Shift+M' });
  });

  it('macOS: ⌘ is CommandOrControl and Ctrl is Control; elsewhere the Windows key is Super', () => {
    expect(recordKey(press('KeyK', 'k', { metaKey: true, altKey: true }), 'darwin')).toEqual({ kind: 'combination', accelerator: 'CommandOrControl+Alt+K' });
    expect(recordKey(press('KeyK', 'k', { ctrlKey: true }), 'darwin')).toEqual({ kind: 'combination', accelerator: 'Control+K' });
    expect(recordKey(press('Digit5', '5', { metaKey: true }), 'win32')).toEqual({ kind: 'combination', accelerator: 'Super+5' });
  });

  it('modifiers alone keep listening, Esc alone cancels, an unknown key says so', () => {
    expect(recordKey(press('ShiftLeft', 'Shift', { shiftKey: true }), 'linux')).toEqual({ kind: 'waiting' });
    expect(recordKey(press('Escape', 'Escape'), 'linux')).toEqual({ kind: 'cancel' });
    expect(recordKey(press('IntlRo', 'ろ', { ctrlKey: true }), 'linux')).toEqual({ kind: 'unknown-key' });
  });

  it('a key without a modifier is recorded, and the contract refuses it; F-keys and media keys with Shift pass', () => {
    const bare = recordKey(press('KeyM', 'm'), 'linux');
    expect(bare).toEqual({ kind: 'combination', accelerator: 'M' });
    expect(muteShortcutProblem('M')).toContain('needs a modifier');
    const f9 = recordKey(press('F9', 'F9', { shiftKey: true }), 'linux');
    expect(f9.kind === 'combination' && muteShortcutProblem(f9.accelerator)).toBeNull();
    const media = recordKey(press('', 'MediaPlayPause', { shiftKey: true }), 'linux');
    expect(media).toEqual({ kind: 'combination', accelerator: 'Shift+MediaPlayPause' });
    for (const code of ['Space', 'ArrowUp', 'Minus', 'Numpad7', 'BracketLeft']) {
      const recorded = recordKey(press(code, '?', { ctrlKey: true, altKey: true }), 'linux');
      expect(recorded.kind === 'combination' ? muteShortcutProblem(recorded.accelerator) : 'not recorded').toBeNull();
    }
  });

  it('labels and host errors read as people expect', () => {
    expect(shortcutLabel('CommandOrControl+Shift+M', 'linux')).toBe('Ctrl+Shift+M');
    expect(shortcutLabel('CommandOrControl+Alt+M', 'darwin')).toBe('⌘+⌥+M');
    expect(hostErrorText(new Error("Error invoking remote method 'parley:settings:update': Error: The shortcut X is taken"))).toBe('The shortcut X is taken');
    expect(hostErrorText(new Error('plain'))).toBe('plain');
  });
});
