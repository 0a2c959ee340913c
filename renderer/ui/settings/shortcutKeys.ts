/**
 * The mute shortcut recorder's keyboard part (issue 16.4): a key press becomes an
 * Electron accelerator (https://www.electronjs.org/docs/latest/api/accelerator).
 * The key is read from `code` (where the key is), not `key` (what it types), so a
 * Russian layout records Ctrl+Shift+M, not Ctrl+Shift+Ь. Whether the combination
 * may be used is preload/contract.ts muteShortcutProblem's call.
 */

export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'AltGraph', 'Meta', 'OS', 'Super', 'Hyper', 'CapsLock', 'Fn']);

const NAMED_CODES: Readonly<Record<string, string>> = {
  Space: 'Space',
  Enter: 'Enter',
  NumpadEnter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Escape: 'Escape',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  NumpadDecimal: 'numdec',
  PrintScreen: 'PrintScreen',
};

const MEDIA_KEYS: Readonly<Record<string, string>> = {
  AudioVolumeUp: 'VolumeUp',
  AudioVolumeDown: 'VolumeDown',
  AudioVolumeMute: 'VolumeMute',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
  MediaStop: 'MediaStop',
  MediaPlayPause: 'MediaPlayPause',
};

/** The accelerator's key part, or null for a key Parley does not record. */
function keyName(press: KeyPress): string | null {
  const media = MEDIA_KEYS[press.key] ?? MEDIA_KEYS[press.code];
  if (media !== undefined) return media;
  const letter = /^Key([A-Z])$/.exec(press.code);
  if (letter) return letter[1] ?? null;
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(press.code);
  if (digit) return press.code.startsWith('Numpad') ? `num${digit[1]}` : (digit[1] ?? null);
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(press.code)) return press.code;
  return NAMED_CODES[press.code] ?? null;
}

export type Recorded =
  /** Only modifiers so far: keep listening. */
  | { kind: 'waiting' }
  | { kind: 'cancel' }
  | { kind: 'unknown-key' }
  | { kind: 'combination'; accelerator: string };

/**
 * One keydown while recording. macOS: ⌘ is CommandOrControl and Ctrl is Control;
 * elsewhere Ctrl is CommandOrControl and the Windows/Super key is Super. Escape
 * alone cancels.
 */
export function recordKey(press: KeyPress, platform: string): Recorded {
  if (MODIFIER_KEYS.has(press.key)) return { kind: 'waiting' };
  const anyModifier = press.ctrlKey || press.altKey || press.shiftKey || press.metaKey;
  if (press.code === 'Escape' && !anyModifier) return { kind: 'cancel' };
  const key = keyName(press);
  if (key === null) return { kind: 'unknown-key' };
  const mac = platform === 'darwin';
  const modifiers: string[] = [];
  if (mac ? press.metaKey : press.ctrlKey) modifiers.push('CommandOrControl');
  if (mac && press.ctrlKey) modifiers.push('Control');
  if (!mac && press.metaKey) modifiers.push('Super');
  if (press.altKey) modifiers.push('Alt');
  if (press.shiftKey) modifiers.push('Shift');
  return { kind: 'combination', accelerator: [...modifiers, key].join('+') };
}

/** An accelerator as people read it: Ctrl+Shift+M, or ⌘+Shift+M on a Mac. */
export function shortcutLabel(accelerator: string, platform: string): string {
  const mac = platform === 'darwin';
  return accelerator
    .split('+')
    .map((part) => {
      const lower = part.toLowerCase();
      if (lower === 'commandorcontrol' || lower === 'cmdorctrl') return mac ? '⌘' : 'Ctrl';
      if (lower === 'command' || lower === 'cmd') return '⌘';
      if (lower === 'control') return 'Ctrl';
      if (lower === 'alt' || lower === 'option') return mac ? '⌥' : 'Alt';
      if (lower === 'super' || lower === 'meta') return mac ? '⌘' : 'Super';
      return part;
    })
    .join('+');
}

/** An error from the desktop host without Electron's "Error invoking remote method '…': Error: " prefix. */
export function hostErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}
