/** Entry: find the host, mount the app. */
// First: zod's settings must be in place before any imported module builds a schema.
import './zodSetup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getHost } from './host/bridge';
import { applyLanguageChoice } from './i18n';
import { bridgeSink, log, setLogSink } from './log';
import { App } from './ui/App';
import './ui/styles/theme.css';
import './ui/styles/controls.css';
import './ui/styles/layout.css';
import './ui/styles/header.css';
import './ui/styles/contacts.css';
import './ui/styles/call-screens.css';
import './ui/styles/in-call.css';
import './ui/styles/dialogs.css';

/** Set by the build (VITE_PARLEY_VERSION); "dev" when built without it. */
const version = typeof import.meta.env.VITE_PARLEY_VERSION === 'string' ? import.meta.env.VITE_PARLEY_VERSION : 'dev';

const host = getHost(version);
// From here on every logger writes to the host: main's pino log on the desktop,
// the console in the browser (renderer/log.ts).
setLogSink(bridgeSink(host.bridge));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const render = (): void =>
  createRoot(root).render(
    <StrictMode>
      <App host={host} />
    </StrictMode>,
  );
// Only English is in the bundle (renderer/i18n): the system language's strings load
// before the first render, so a Russian speaker never sees a frame in English. App
// applies the language chosen in Settings before the app itself shows.
applyLanguageChoice('system').then(render, (error: unknown) => {
  log.child('i18n').error('the system language could not be applied at start; starting in English', error);
  render();
});
