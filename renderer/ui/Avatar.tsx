/** Initials on a colour picked from the user id, with an optional presence dot. */
import { useT } from '../i18n';
import { statusLabel, type ContactStatus } from '../state/contacts';

const HUES = 8;

export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] ?? '?'];
  return letters
    .map((w) => [...(w ?? '')][0] ?? '')
    .join('')
    .toLocaleUpperCase();
}

/** A stable palette slot per person, so Bob is always the same colour. */
export function hueIndex(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % HUES;
}

interface AvatarProps {
  userId: string;
  name: string;
  size?: 'sm' | 'md' | 'lg' | 'xl';
  status?: ContactStatus;
}

export function Avatar({ userId, name, size = 'md', status }: AvatarProps) {
  // Re-renders on a language change, so the dot's title follows it.
  useT();
  return (
    <span className={`avatar avatar--${size} avatar--hue-${hueIndex(userId)}`} aria-hidden="true">
      {/* Drawn by CSS from data-initials: decoration, so it is not text of the button or row it sits in
          (a chip reading "A Alice" would not match its accessible name — axe label-content-name-mismatch). */}
      <span className="avatar__initials" data-initials={initials(name)} />
      {status && <span className={`presence-dot presence-dot--${status}`} title={statusLabel(status)} />}
    </span>
  );
}
