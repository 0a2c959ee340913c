/**
 * What a host notice says, in the UI's language. The host (preload/main) words its
 * notices in English for the log; one that carries `about` is said here from the
 * locale files instead, so a Russian UI does not show the host's English.
 */
import type { HostNotice } from '../../preload/contract';
import { currentLanguage, t } from '../i18n';
import { listFormat } from '../i18n/intlCache';

export function hostNoticeText(notice: HostNotice): string {
  const about = notice.about;
  if (!about) return notice.message;
  switch (about.kind) {
    case 'legacyContacts': {
      const moved = [
        about.favourites > 0 ? t('hostNotices.legacyFavourites', { count: about.favourites }) : null,
        about.blocked > 0 ? t('hostNotices.legacyBlocked', { count: about.blocked }) : null,
      ].filter((part): part is string => part !== null);
      // A list of counted things in the language's own way ("1 favourite and 2 blocked
      // people"); Parley's English is British, with no serial comma.
      const listLocale = currentLanguage() === 'en' ? 'en-GB' : currentLanguage();
      return [
        t('hostNotices.legacyProof'),
        moved.length > 0 ? t('hostNotices.legacyKept', { what: listFormat(listLocale, { type: 'conjunction' }).format(moved) }) : null,
        about.history ? t('hostNotices.legacyHistory') : null,
      ]
        .filter((part): part is string => part !== null)
        .join(' ');
    }
  }
}
