/** The OpenAPI description at /api/docs (UI) and /api/docs-json, generated from the controllers. */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_DOCS_PATH } from './api-routes';

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('audit-hub API')
    .setDescription(
      'Findings, exceptions, runs, controls, connectors, releases, reports and evidence of audit-hub. ' +
        'Every call needs `Authorization: Bearer <token>` (`audit-hub tokens create`, or an OIDC token when ' +
        'configured). The auditor role reads only; team-scoped tokens see only their team. Errors are ' +
        '`{ statusCode, error, message }`.',
    )
    .setVersion('v1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(API_DOCS_PATH, app, document, { jsonDocumentUrl: `${API_DOCS_PATH}-json` });
}
