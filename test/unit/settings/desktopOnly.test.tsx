/** Issue 16.4: the desktop-only settings are hidden in the browser build. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../preload/contract';
import { createStore } from '../../../renderer/state/store';
import { DesktopAppSettings } from '../../../renderer/ui/settings/DesktopAppSettings';
import { ServicesContext, type Services } from '../../../renderer/ui/services';

function render(host: 'web' | 'desktop', node: () => ReturnType<typeof createElement>): string {
  const settings = createStore({ ...DEFAULT_SETTINGS, theme: 'dark' as const });
  const services = {
    appInfo: { host, version: '1', platform: 'linux' },
    settings: { ...settings, update: async () => settings.getSnapshot() },
  } as unknown as Services;
  return renderToStaticMarkup(createElement(ServicesContext.Provider, { value: services }, node()));
}

describe('settings by host', () => {
  // The desktop side is rendered and used in real Chromium: test/desktop/appSettingsOnDesktop.test.ts.
  it('This computer (tray, login, global shortcut) is not rendered in the browser build', () => {
    expect(render('web', () => createElement(DesktopAppSettings))).toBe('');
  });
});
