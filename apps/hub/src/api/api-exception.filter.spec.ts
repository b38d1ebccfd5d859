import type { ArgumentsHost } from '@nestjs/common';
import { Writable } from 'node:stream';
import { AppLogger } from '../common/app-logger';
import { Redactor } from '../config/redactor';
import { ApiExceptionFilter } from './api-exception.filter';

const SECRET = 'sn-password-5521';

describe('ApiExceptionFilter', () => {
  it("logs an unexpected failure with pino's err object, without the configured secret", () => {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        out.push(chunk.toString());
        done();
      },
    });
    const redactor = new Redactor([SECRET]);
    const filter = new ApiExceptionFilter(redactor, new AppLogger(redactor, undefined, sink));
    const answer = { status: 0, body: '', headers: {} as Record<string, string> };
    const res = {
      headersSent: false,
      set statusCode(s: number) {
        answer.status = s;
      },
      setHeader: (k: string, v: string) => (answer.headers[k] = v),
      end: (body: string) => (answer.body = body),
    };
    const req = { method: 'GET', originalUrl: '/api/v1/releases?service=payments-api' };
    const host = {
      switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
    } as unknown as ArgumentsHost;

    filter.catch(new Error(`connect to postgres://audit:${SECRET}@db failed`), host);

    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error: the server could not answer; the cause is in its log',
    });
    const line = JSON.parse(out.join(''));
    expect(line).toMatchObject({
      level: 50,
      msg: 'API request failed',
      method: 'GET',
      path: '/api/v1/releases',
      err: {
        type: 'Error',
        message: 'connect to postgres://audit:[REDACTED]@db failed',
        stack: expect.stringContaining('api-exception.filter.spec.ts'),
      },
    });
    expect(line.error).toBeUndefined();
    expect(out.join('')).not.toContain(SECRET);
  });
});
