/**
 * A person's name as the roster should show it: with a short id suffix when
 * someone else's name reads the same, and a "mixed scripts" badge when its letters
 * mix scripts (nameMarks.ts). The marks come from the whole roster, computed once
 * in Shell and handed down by context, so every place a name shows agrees.
 */
import { createContext, useContext } from 'react';
import { describeMark, type NameMark } from '../state/nameMarks';
import { useT } from '../i18n';

export const NameMarksContext = createContext<ReadonlyMap<string, NameMark>>(new Map());

/** The name with its suffix, as text (for labels that must tell two "Alice"s apart). */
export function useDistinctName(userId: string, name: string): string {
  const suffix = useContext(NameMarksContext).get(userId)?.suffix ?? null;
  return suffix === null ? name : `${name} · ${suffix}`;
}

interface PersonNameProps {
  userId: string;
  name: string;
  /** Text around the name inside the same span ("Ringing …"). */
  before?: string;
  after?: string;
  /** False where the row is too narrow: the place shows <ScriptsBadge> on another line instead. */
  badge?: boolean;
}

/** The "mixed scripts" badge alone, for a second line (contact rows). */
export function ScriptsBadge({ userId, name }: { userId: string; name: string }) {
  const { t } = useT();
  const mark = useContext(NameMarksContext).get(userId);
  if (!mark?.mixedScripts) return null;
  const label = describeMark(name, mark).scriptsLabel ?? '';
  return (
    <span className="person-name__badge" role="img" aria-label={label} title={label}>
      {t('personName.mixedScripts')}
    </span>
  );
}

export function PersonName({ userId, name, before = '', after = '', badge = true }: PersonNameProps) {
  const mark = useContext(NameMarksContext).get(userId);
  if (!mark) return <>{`${before}${name}${after}`}</>;
  const text = describeMark(name, mark);
  // The badge sits outside the text so a long name is cut short (ellipsis) before the badge is.
  return (
    <span className="person-name">
      <span className={text.suffix ? 'person-name__text person-name__text--duplicate' : 'person-name__text'} title={text.duplicateHint ?? undefined}>
        {before}
        {name}
        {text.suffix && <span className="person-name__suffix"> {text.suffix}</span>}
        {after}
      </span>
      {badge && <ScriptsBadge userId={userId} name={name} />}
    </span>
  );
}
