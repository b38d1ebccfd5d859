/** The `cyberark` connector: who holds which safe (PVWA REST, `/PasswordVault/API/…`). */
import { definePlugin, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { createCyberArkAuth, takeLogoffError } from './cyberark.auth';
import { CyberArkClient } from './cyberark.client';
import { CyberArkAuth, CyberArkOptions, resolveOptions } from './cyberark.config';
import { checkConnection } from './cyberark-connection.check';
import { createEntitlementsStream } from './cyberark-entitlements.stream';

export const plugin = definePlugin<CyberArkAuth, CyberArkOptions>({
  manifest: {
    id: 'cyberark',
    name: 'CyberArk',
    version: '0.1.0',
    sdkVersion: `^${SDK_VERSION}`,
    capabilities: ['entitlements'],
    description:
      'Safe memberships (each member and safe, with permissions and membership expiry; predefined members marked) from a CyberArk PVWA.',
  },
  configSchema: { auth: CyberArkAuth, options: CyberArkOptions },
  /** A PVWA session: log on with the vault user, `Authorization: <token>`, log off on close. */
  createAuth: (auth, options) => createCyberArkAuth(auth, options),
  defaultHeaders: { Accept: 'application/json' },
  connect(ctx) {
    const options = resolveOptions(ctx.options);
    const client = new CyberArkClient(ctx.http, options.pageSize);
    const redact = (text: string) => ctx.http.redact(text);
    return {
      check: () => checkConnection({ client, auth: ctx.auth, options, redact }),
      streams: [createEntitlementsStream({ client, options, logger: ctx.logger, redact })],
      async close() {
        await ctx.http.close();
        const failed = takeLogoffError(ctx.http);
        if (failed) {
          ctx.logger.warn('cyberark: log-off failed; PVWA ends the session when it times out', {
            error: redact(failed instanceof Error ? failed.message : String(failed)),
          });
        }
      },
    };
  },
});
