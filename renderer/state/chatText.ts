/** 14:05: a message's time on this device's clock, in the person's locale. */
export function formatClock(at: number, locale?: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}
