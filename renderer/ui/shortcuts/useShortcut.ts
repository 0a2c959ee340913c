/** Binds one shortcut of the table (shortcuts.ts) to a handler while a component is on screen. */
import { useEffect, useRef } from 'react';
import { tinykeys } from 'tinykeys';
import { t } from '../../i18n';
import { ariaKeys, displayKeys, isTextField, shortcut, tinykeysBinding, type Shortcut, type ShortcutId } from './shortcuts';

/** Whether `event` is `s`'s key press, and may act where it happened. */
export function shouldFire(s: Shortcut, event: KeyboardEvent): boolean {
  if (event.repeat) return false; // a held key toggles once
  return s.inTextFields || !isTextField(event.target);
}

/** The `?` key: Shift or not, as the layout has it, but no Ctrl, Alt or ⌘. */
function questionMarkHandler(handler: (event: KeyboardEvent) => void) {
  return (event: KeyboardEvent): void => {
    if (event.key === '?' && !event.ctrlKey && !event.metaKey && !event.altKey) handler(event);
  };
}

/**
 * Calls `onKey` when the shortcut `id` is pressed anywhere in the window, while
 * `enabled`. The latest `onKey` is used; the binding is made once.
 */
export function useShortcut(id: ShortcutId, onKey: () => void, enabled = true): void {
  const latest = useRef(onKey);
  latest.current = onKey;
  useEffect(() => {
    if (!enabled) return;
    const s = shortcut(id);
    const fire = (event: KeyboardEvent): void => {
      if (!shouldFire(s, event)) return;
      event.preventDefault();
      latest.current();
    };
    if (s.key === '?') {
      const listener = questionMarkHandler(fire);
      window.addEventListener('keydown', listener);
      return () => window.removeEventListener('keydown', listener);
    }
    return tinykeys(window, { [tinykeysBinding(s)]: fire });
  }, [id, enabled]);
}

/** The props a button gets for its shortcut: aria-keyshortcuts, and its tooltip with the keys. */
export function shortcutProps(id: ShortcutId, label: string): { 'aria-keyshortcuts': string; title: string } {
  const s = shortcut(id);
  return { 'aria-keyshortcuts': ariaKeys(s), title: t('shortcuts.tooltip', { label, keys: displayKeys(s) }) };
}
