/**
 * The meeting choices in the UI (issue 17): a contact row shows "Start a meeting"
 * only when it is given the action (the server has a media server), disabled with
 * the reason when calling is not possible; both languages have the words.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import ru from '../../../renderer/i18n/locales/ru.json';
import type { Contact } from '../../../renderer/state/contacts';
import { ContactRow } from '../../../renderer/ui/ContactRow';

const BOB: Contact = { userId: 'user-bob-00001', displayName: 'Bob', status: 'available', favourite: false, inBook: true, verified: false, keyChanged: false };
const nothing = (): void => {};

function row(props: { contact?: Contact; callBlocked?: string | null; meeting?: boolean }): string {
  return renderToStaticMarkup(
    <ul>
      <ContactRow
        contact={props.contact ?? BOB}
        callBlocked={props.callBlocked ?? null}
        onCall={nothing}
        onToggleFavourite={nothing}
        isBlocked={false}
        onToggleBlock={nothing}
        {...(props.meeting === true ? { onMeeting: nothing } : {})}
      />
    </ul>,
  );
}

/** The <button> whose aria-label is `label`, or null. */
function button(html: string, label: string): string | null {
  const at = html.indexOf(`aria-label="${label}"`);
  if (at < 0) return null;
  const start = html.lastIndexOf('<button', at);
  return html.slice(start, html.indexOf('>', at) + 1);
}

describe('the meeting button', () => {
  const label = en.contact.meeting.replace('{{name}}', 'Bob');

  it('is there only when the server has a media server', () => {
    expect(button(row({ meeting: false }), label)).toBeNull();
    const shown = button(row({ meeting: true }), label);
    expect(shown).not.toBeNull();
    expect(shown).not.toContain('disabled');
    expect(shown).toContain(`title="${en.contact.meetingHint}"`);
  });

  it('is disabled with the reason when calling is not possible', () => {
    expect(button(row({ meeting: true, callBlocked: 'Finish the current call first' }), label)).toMatch(/disabled=""[^>]*title="Finish the current call first"|title="Finish the current call first"[^>]*disabled=""/);
    expect(button(row({ meeting: true, contact: { ...BOB, status: 'offline' } }), label)).toContain('disabled');
  });

  it('has its words, and the refusals’, in English and Russian', () => {
    for (const words of [en, ru]) {
      expect(words.contact.meeting).toContain('{{name}}');
      expect(words.contact.meetingHint.length).toBeGreaterThan(10);
      expect(words.addParticipant.asMeeting.length).toBeGreaterThan(5);
      expect(words.engineErrors.noMeeting.length).toBeGreaterThan(10);
      expect(words.engineErrors.noMeetingAdd).toContain('{{name}}');
    }
    expect(ru.contact.meeting).not.toBe(en.contact.meeting);
  });
});
