/**
 * Parley's in-app keyboard shortcuts: one table, read by the key handlers
 * (useShortcut), the buttons' tooltips and aria-keyshortcuts, and the shortcuts sheet.
 *
 * Keys. Call actions are Ctrl+Shift+letter (⌘+Shift+letter on macOS), as in other
 * softphones (Teams answers with Ctrl+Shift+S/A, declines with D, hangs up with H,
 * mutes with M, shares with E). Such a combination never types a character, and it
 * avoids what browsers and desktops keep for themselves (Ctrl+Shift+N/T/W/Q/R, the
 * DevTools' I/J/C, GTK's Unicode entry U, paste-as-text V, redo Z). The sheet opens
 * with `?`, as in most web apps.
 *
 * Text fields. A shortcut fires while focus is in a text field (the chat box, search,
 * an invite code) only when `inTextFields` says so: the call-urgent ones — answer,
 * decline, hang up, mute, camera — which, like Escape, act on something other than the
 * text and type nothing. A ringing call therefore never takes focus from someone who is
 * typing (see IncomingCall): they answer with the shortcut instead. Chat, screen and the
 * sheet (`?` is a character) wait until focus leaves the field.
 */

export const SHORTCUT_IDS = [
  'answerVideo',
  'answerAudio',
  'decline',
  'hangUp',
  'toggleMute',
  'toggleCamera',
  'toggleChat',
  'toggleShare',
  'showShortcuts',
] as const;
export type ShortcutId = (typeof SHORTCUT_IDS)[number];

/** Where a shortcut works. */
export type ShortcutScope = 'ringing' | 'call' | 'anywhere';

export interface Shortcut {
  id: ShortcutId;
  /** The modifiers, besides the key: 'mod' is Ctrl, or ⌘ on macOS. */
  mods: readonly ('mod' | 'Shift')[];
  /** KeyboardEvent.key (case-insensitive) — or, for letters, also matched by KeyboardEvent.code, so other layouts work. */
  key: string;
  scope: ShortcutScope;
  /** Fires while focus is in a text field too (see above). */
  inTextFields: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'answerVideo', mods: ['mod', 'Shift'], key: 'S', scope: 'ringing', inTextFields: true },
  { id: 'answerAudio', mods: ['mod', 'Shift'], key: 'A', scope: 'ringing', inTextFields: true },
  { id: 'decline', mods: ['mod', 'Shift'], key: 'D', scope: 'ringing', inTextFields: true },
  { id: 'hangUp', mods: ['mod', 'Shift'], key: 'H', scope: 'call', inTextFields: true },
  { id: 'toggleMute', mods: ['mod', 'Shift'], key: 'M', scope: 'call', inTextFields: true },
  { id: 'toggleCamera', mods: ['mod', 'Shift'], key: 'O', scope: 'call', inTextFields: true },
  { id: 'toggleChat', mods: ['mod', 'Shift'], key: 'L', scope: 'call', inTextFields: false },
  { id: 'toggleShare', mods: ['mod', 'Shift'], key: 'E', scope: 'call', inTextFields: false },
  { id: 'showShortcuts', mods: [], key: '?', scope: 'anywhere', inTextFields: false },
];

export function shortcut(id: ShortcutId): Shortcut {
  const found = SHORTCUTS.find((s) => s.id === id);
  if (!found) throw new Error(`No keyboard shortcut "${id}" in the table`);
  return found;
}

/** macOS puts ⌘ where others put Ctrl (the same test tinykeys makes for `$mod`). */
export function isApplePlatform(platform: string = typeof navigator === 'undefined' ? '' : navigator.platform): boolean {
  return /Mac|iPod|iPhone|iPad/.test(platform);
}

/** The binding in tinykeys' grammar ("$mod+Shift+M"); `?` is matched by hand (its Shift depends on the layout). */
export function tinykeysBinding(s: Shortcut): string {
  return [...s.mods.map((m) => (m === 'mod' ? '$mod' : m)), s.key].join('+');
}

/** For aria-keyshortcuts: "Control+Shift+M" ("Meta+Shift+M" on macOS), "?" . */
export function ariaKeys(s: Shortcut, apple = isApplePlatform()): string {
  return [...s.mods.map((m) => (m === 'mod' ? (apple ? 'Meta' : 'Control') : m)), s.key].join('+');
}

/** As people read it: "Ctrl+Shift+M", "⌘⇧M" on macOS, "?". */
export function displayKeys(s: Shortcut, apple = isApplePlatform()): string {
  if (apple) return [...s.mods.map((m) => (m === 'mod' ? '⌘' : '⇧')), s.key].join('');
  return [...s.mods.map((m) => (m === 'mod' ? 'Ctrl' : m)), s.key].join('+');
}

/** Whether focus is somewhere that takes typed text. */
export function isTextField(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(target.type);
}
