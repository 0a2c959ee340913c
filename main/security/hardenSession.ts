/**
 * Installs the permission policy on a session (Electron security checklist §5).
 * The decisions live in permissionPolicy.ts; this only adapts Electron's arguments.
 */
import type { Session } from 'electron';
import type { Logger } from 'pino';
import { decidePermissionCheck, decidePermissionRequest } from './permissionPolicy';

export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

export interface PermissionHandlerOptions {
  logger: Logger;
  /** process.versions.electron's major; see permissionPolicy.ts for why it matters. */
  electronMajor: number;
}

export function installPermissionHandlers(session: PermissionSession, options: PermissionHandlerOptions): void {
  const { logger, electronMajor } = options;

  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const verdict = decidePermissionRequest({
      permission,
      isMainFrame: details.isMainFrame,
      requestingUrl: details.requestingUrl,
      securityOrigin: 'securityOrigin' in details ? details.securityOrigin : undefined,
      mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
      electronMajor,
    });
    if (verdict.allow) {
      logger.debug({ permission }, 'permission granted');
    } else {
      logger.warn({ permission, url: details.requestingUrl, reason: verdict.reason }, 'permission denied');
    }
    callback(verdict.allow);
  });

  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    decidePermissionCheck({
      permission,
      requestingOrigin,
      isMainFrame: details.isMainFrame,
      securityOrigin: details.securityOrigin,
      mediaType: details.mediaType,
    }),
  );
}
