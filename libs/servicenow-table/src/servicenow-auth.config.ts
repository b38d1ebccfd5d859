/**
 * The `auth` block of a connector that reads ServiceNow (shared/spec/interfaces.md "Config file"):
 * the servicenow and cmdb plugins take the same one, so it is validated and its secrets marked in
 * one place.
 */
import { Secret } from '@audit-hub/plugin-sdk';
import {
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateIf,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

/**
 * Basic auth (`username` + `password`) or an OAuth 2.0 access token (`token`, sent as
 * `Authorization: Bearer`). ServiceNow accepts both on every REST API, the Table API included;
 * exactly one must be given.
 */
export class ServiceNowAuth {
  /** The integration user's `user_name` (basic auth). */
  @ValidateIf((auth: ServiceNowAuth) => auth.token === undefined || auth.username !== undefined)
  @IsString()
  @IsNotEmpty()
  username?: string;

  @Secret()
  @ValidateIf((auth: ServiceNowAuth) => auth.token === undefined || auth.password !== undefined)
  @IsString()
  @IsNotEmpty()
  password?: string;

  /** An OAuth 2.0 access token, instead of `username` and `password`. */
  @Secret()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @OneAuthMethod()
  token?: string;
}

function OneAuthMethod(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'oneAuthMethod',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const auth = args.object as ServiceNowAuth;
          return auth.username === undefined && auth.password === undefined;
        },
        defaultMessage: () => 'give either username and password (basic auth) or token (OAuth), not both',
      },
    });
}
