/**
 * The keyboard shortcut table (renderer/ui/shortcuts) is the one source of the key
 * bindings, the buttons' tooltips and aria-keyshortcuts, and the shortcuts sheet: each
 * id once, no two actions on one key, no key a browser or desktop keeps for itself,
 * words for every row in both languages, and the sheet and the call bar rendering
 * exactly what the table says.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import ru from '../../../renderer/i18n/locales/ru.json';
import { CallControls } from '../../../renderer/ui/call/CallControls';
import { ariaKeys, displayKeys, isApplePlatform, shortcut, SHORTCUT_IDS, SHORTCUTS, tinykeysBinding } from '../../../renderer/ui/shortcuts/shortcuts';
import { ShortcutsSheet } from '../../../renderer/ui/shortcuts/ShortcutsSheet';
import { shouldFire } from '../../../renderer/ui/shortcuts/useShortcut';

/** Ctrl/⌘+Shift+key combinations that Chromium, Firefox, GTK or the DevTools keep, or that edit text. */
const TAKEN_WITH_MOD_SHIFT = ['N', 'T', 'W', 'Q', 'R', 'I', 'J', 'C', 'U', 'V', 'Z', 'P', 'B', 'Delete', 'Tab'];

describe('the shortcut table', () => {
  it('has one row per id, and no two rows on the same keys', () => {
    expect(SHORTCUTS.map((s) => s.id)).toEqual([...SHORTCUT_IDS]);
    const keys = SHORTCUTS.map((s) => ariaKeys(s, false));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps off the keys browsers, desktops and text fields use', () => {
    for (const s of SHORTCUTS) {
      if (s.mods.includes('mod') && s.mods.includes('Shift')) expect(TAKEN_WITH_MOD_SHIFT, s.id).not.toContain(s.key);
      // A key that types a character, with no modifier, must never fire in a text field.
      if (s.mods.length === 0) expect(s.inTextFields, s.id).toBe(false);
    }
  });

  it('says the keys as tinykeys, aria-keyshortcuts and people spell them, with ⌘ on macOS', () => {
    const mute = shortcut('toggleMute');
    expect(tinykeysBinding(mute)).toBe('$mod+Shift+M');
    expect(ariaKeys(mute, false)).toBe('Control+Shift+M');
    expect(ariaKeys(mute, true)).toBe('Meta+Shift+M');
    expect(displayKeys(mute, false)).toBe('Ctrl+Shift+M');
    expect(displayKeys(mute, true)).toBe('⌘⇧M');
    expect(displayKeys(shortcut('showShortcuts'), false)).toBe('?');
    expect(isApplePlatform('MacIntel')).toBe(true);
    expect(isApplePlatform('Linux x86_64')).toBe(false);
    expect(() => shortcut('nope' as never)).toThrow(/No keyboard shortcut "nope"/);
  });

  it('has the words for every row, scope and column in English and Russian', () => {
    for (const locale of [en, ru] as const) {
      const words = (locale as { shortcuts?: Record<string, unknown> }).shortcuts;
      expect(words).toBeDefined();
      const actions = words?.actions as Record<string, string>;
      const scopes = words?.scopes as Record<string, string>;
      for (const s of SHORTCUTS) {
        expect(actions[s.id], s.id).toMatch(/\S/);
        expect(scopes[s.scope], s.scope).toMatch(/\S/);
      }
    }
  });

  it('ignores a held key (one toggle per press)', () => {
    const mute = shortcut('toggleMute');
    expect(shouldFire(mute, { repeat: false, target: null } as unknown as KeyboardEvent)).toBe(true);
    expect(shouldFire(mute, { repeat: true, target: null } as unknown as KeyboardEvent)).toBe(false);
  });
});

describe('what the table drives', () => {
  it('the shortcuts sheet lists every row of the table with its keys, in order', () => {
    const html = renderToStaticMarkup(<ShortcutsSheet onClose={() => undefined} />);
    const rows = [...html.matchAll(/data-shortcut-id="([^"]+)".*?<kbd>([^<]+)<\/kbd>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(SHORTCUTS.map((s) => [s.id, displayKeys(s)]));
  });

  it('the call bar names each control’s keys in aria-keyshortcuts and its tooltip', () => {
    const noop = () => undefined;
    const html = renderToStaticMarkup(
      <CallControls
        muted={false}
        cameraOn
        canAdd
        sharing={false}
        chatOpen={false}
        unread={0}
        statsShown={false}
        devicesOpen={false}
        deviceMenu={null}
        onToggleMute={noop}
        onToggleCamera={noop}
        onToggleShare={noop}
        onToggleChat={noop}
        onToggleDevices={noop}
        onToggleStats={noop}
        onAdd={noop}
        onHangUp={noop}
      />,
    );
    for (const id of ['toggleMute', 'toggleCamera', 'toggleShare', 'toggleChat', 'hangUp'] as const) {
      const s = shortcut(id);
      expect(html, id).toContain(`aria-keyshortcuts="${ariaKeys(s)}"`);
      expect(html, id).toContain(`(${displayKeys(s)})"`);
    }
  });
});
