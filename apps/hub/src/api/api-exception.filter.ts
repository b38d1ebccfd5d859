/**
 * One error shape for every API answer: `{ statusCode, error, message }`, the message a sentence
 * naming what is wrong, redacted of every known secret. Errors of the hub's boundaries map to
 * HTTP by their code; anything unexpected is a 500 whose detail goes to the log, not the client.
 * Only those 500s log at error level (with the stack); a refused request body — a client's
 * mistake or probe, anonymous or not — logs one warning line without a stack.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { EntityNotFoundError } from 'typeorm';
import { AppLogger } from '../common/app-logger';
import { HubError } from '../common/errors';
import { ConfigError } from '../config/config.error';
import { Redactor } from '../config/redactor';
import { ExceptionError } from '../exceptions/exception.store';
import { bodyRefusal } from './body-parsing';
import type { ApiRequest, ApiResponse } from './http.types';

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const EXCEPTION_STATUS: Record<ExceptionError['code'], number> = {
  invalid: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
};

function hubStatus(err: HubError): number {
  if (err.code === 'usage') return 400;
  if (err.code === 'not_found') return 404;
  if (err.code === 'storage_unavailable') return 503;
  return 500;
}

function messageOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('; ');
  return String(value);
}

@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly redactor: Redactor,
    private readonly logger: AppLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<ApiResponse>();
    const req = http.getRequest<ApiRequest>();
    if (res.headersSent) return;
    let status = 500;
    let body: unknown;
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const refused = bodyRefusal(exception);
    if (refused) {
      status = refused.getStatus();
      body = this.body(status, refused.message);
      this.logger.warn('API request body refused', {
        method: req.method,
        path,
        status,
        reason: refused.reason,
        message: refused.message,
      });
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && !('message' in response)) {
        // Structured bodies of their own (terminus' health report) are passed through.
        body = this.redactor.redactDeep(response);
      } else {
        const message = typeof response === 'string' ? response : (response as { message: unknown }).message;
        body = this.body(status, messageOf(message));
      }
    } else if (exception instanceof ExceptionError) {
      status = EXCEPTION_STATUS[exception.code];
      body = this.body(status, exception.message);
    } else if (exception instanceof HubError) {
      status = hubStatus(exception);
      body = this.body(status, exception.message);
    } else if (exception instanceof EntityNotFoundError) {
      status = 404;
      body = this.body(status, 'not found');
    } else if (exception instanceof ConfigError) {
      body = this.body(500, `the server's configuration is invalid: ${exception.message}`);
    } else {
      this.logger.error('API request failed', { method: req.method, path, err: exception });
      body = this.body(500, 'internal error: the server could not answer; the cause is in its log');
    }
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  private body(status: number, message: string): ApiErrorBody {
    return {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message: this.redactor.redact(message),
    };
  }
}
