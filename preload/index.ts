/**
 * The preload: runs sandboxed, before the page, in an isolated world. It exposes
 * `window.parley` (a ParleyBridge) and nothing else. Bundled into one file by
 * scripts/build.mjs because a sandboxed preload can require only 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './bridge';

exposeBridge(contextBridge, ipcRenderer);
