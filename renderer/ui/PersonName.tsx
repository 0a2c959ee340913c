/**
 * A person's name as the roster should show it: with a short id suffix when
 * someone else's name reads the same, and a "mixed scripts" badge when its letters
 * mix scripts (nameMarks.ts). The marks come from the whole roster, computed once
 * in Shell and handed down by context, so every place a name shows agrees.
 */
import { createContext, useContext } from 'react';
import { describeMark, type NameMark } from '../state/nameMarks';

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
}

export function PersonName({ userId, name, before = '', after = '' }: PersonNameProps) {
  const mark = useContext(NameMarksContext).get(userId);
  if (!mark) return <>{`${before}${name}${after}`}</>;
  const text = describeMark(name, mark);
  return (
    <>
      <span className={text.suffix ? 'person-name person-name--duplicate' : 'person-name'} title={text.duplicateHint ?? undefined}>
        {before}
        {name}
        {text.suffix && <span className="person-name__suffix"> {text.suffix}</span>}
        {after}
      </span>
      {text.scriptsLabel && (
        <span className="person-name__badge" role="img" aria-label={text.scriptsLabel} title={text.scriptsLabel}>
          mixed scripts
        </span>
      )}
    </>
  );
}
