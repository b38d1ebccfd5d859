/**
 * Turns an `Authorization: Bearer …` value into a principal: an audit-hub API token (`ahk_…`)
 * first, else, when `api.oidc` is configured, an OIDC JWT checked against the issuer's keys.
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Clock } from '../common/clock';
import { ApiTokenService, isApiTokenShape } from './api-token.service';
import { OidcError, OidcVerifier } from './oidc.verifier';
import type { Principal } from './principal';

export type AuthResult = { principal: Principal } | { status: 401 | 403; message: string };

@Injectable()
export class ApiAuthService {
  private readonly oidc?: OidcVerifier;

  constructor(
    private readonly tokens: ApiTokenService,
    @Inject(APP_CONFIG) config: AppConfig,
    clock: Clock,
  ) {
    const settings = config.api?.oidc;
    if (settings) this.oidc = new OidcVerifier(settings, () => clock.now());
  }

  async authenticate(bearer: string): Promise<AuthResult> {
    if (isApiTokenShape(bearer)) {
      const principal = await this.tokens.authenticate(bearer);
      return principal
        ? { principal }
        : { status: 401, message: 'the API token is not known or has been revoked' };
    }
    if (this.oidc && OidcVerifier.looksLikeJwt(bearer)) {
      try {
        return { principal: await this.oidc.verify(bearer) };
      } catch (err) {
        if (err instanceof OidcError) return { status: err.status, message: err.message };
        throw err;
      }
    }
    return {
      status: 401,
      message: this.oidc
        ? 'the bearer token is neither an audit-hub API token (ahk_…) nor a JWT'
        : 'the bearer token is not an audit-hub API token (ahk_…); create one with `audit-hub tokens create`',
    };
  }
}
