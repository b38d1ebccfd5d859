/**
 * The OpenAPI description at /api/docs (UI) and /api/docs-json, generated from the controllers and
 * the response classes in dto/. Every /api/v1 operation needs the bearer scheme below; the probes
 * declare none. `redocly lint` (the recommended rules, redocly.yaml) passes on it:
 * test/openapi.e2e-spec.ts lints the served document and checks answers against it.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_DOCS_PATH } from './api-routes';

export const BEARER_SCHEME = 'bearer';

const DESCRIPTION = [
  'Findings, exceptions, runs, controls, connectors, releases, reports and evidence of audit-hub ' +
    '(docs/api.md).',
  '',
  'Every `/api/v1` call needs `Authorization: Bearer <token>`: an API token from `audit-hub tokens ' +
    'create` (opaque: `ahk_` and 43 base64url characters), or, when `api.oidc` is configured, an ' +
    'OIDC token (a JWT) from the identity provider. The auditor role reads only; team-scoped tokens see only their team.',
  '',
  'Errors are `{ statusCode, error, message }`, the message naming what is wrong. Lists are ' +
    "keyset-paginated (`limit`, `cursor` = the previous page's `nextCursor`). Unknown query " +
    'parameters and body fields are refused with 400. Finding keys and release refs must be ' +
    'URL-encoded in paths. Every answer carries `X-Request-Id`, the id its access-log line has.',
].join('\n');

/** Operation ids for routes that do not set one: `<method><Controller>`, e.g. `listFindings`. */
function operationId(controllerKey: string, methodKey: string): string {
  return `${methodKey}${controllerKey.replace(/Controller$/, '')}`;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('audit-hub API')
    .setDescription(DESCRIPTION)
    .setVersion('v1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'This server (paths start with /api/v1)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // Not "JWT" (Nest's default): API tokens are opaque; only OIDC tokens are JWTs.
        bearerFormat: undefined,
        description:
          'An audit-hub API token (opaque, `ahk_…`; `audit-hub tokens create`) or, when `api.oidc` is ' +
          'configured, an OIDC JWT from the identity provider',
      },
      BEARER_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: operationId });
}

export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(API_DOCS_PATH, app, document, { jsonDocumentUrl: `${API_DOCS_PATH}-json` });
}
