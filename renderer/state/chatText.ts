import { currentLanguage } from '../i18n';

/** 14:05: a message's time on this device's clock, in the UI's language (or `locale` when given). */
export function formatClock(at: number, locale: string = currentLanguage()): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}
