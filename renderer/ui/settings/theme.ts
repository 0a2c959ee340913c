/**
 * Settings → Appearance (issue 16.4): 'system' leaves <html> without data-theme, so
 * theme.css follows prefers-color-scheme live (no listener needed); 'light' or 'dark'
 * pins the CSS variables of that theme. Applied at once, no reload.
 */
import type { ThemeChoice } from '../../../preload/contract';

export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}
