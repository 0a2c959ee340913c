// electron-builder afterPack hook: flips Electron's fuses in the packaged binary
// (Electron security checklist §19). Runs after the app is copied and before it is
// signed, so the signature covers the flipped binary.
//
//   RunAsNode off                            ELECTRON_RUN_AS_NODE cannot turn the app into a plain node
//   EnableNodeOptionsEnvironmentVariable off NODE_OPTIONS cannot inject --require into main
//   EnableNodeCliInspectArguments off        --inspect cannot attach a debugger to main
//   EnableCookieEncryption on                cookies on disk are encrypted with the OS keychain key
//   EnableEmbeddedAsarIntegrityValidation on app.asar is checked against the hash in the binary (macOS, Windows)
//   OnlyLoadAppFromAsar on                   no loose app/ folder next to the asar is loaded instead
//   GrantFileProtocolExtraPrivileges off     file:// pages get no extra powers; Parley never loads file://
//                                            (its page is app://parley, checklist §18)
//
// resetAdHocDarwinSignature: flipping fuses invalidates an ad-hoc signature, which
// Apple Silicon refuses to run; re-sign ad hoc there (a real signature replaces it later).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder require()s this hook */
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** electron-builder's Arch enum value for arm64. */
const ARCH_ARM64 = 3;

function fuseConfig(context) {
  return {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === ARCH_ARM64,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** The Electron binary inside the packaged app (what @electron/fuses edits). */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, fuseConfig(context));
  console.log(`  • fuses flipped  binary=${binary}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinaryPath = electronBinaryPath;
