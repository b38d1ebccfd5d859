import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { IsCursor, IsLimit } from './validators';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 100;

/** Keyset pagination: `limit` items, then `cursor` = the previous page's `nextCursor`. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: `Items per page, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT})` })
  @IsOptional()
  @Type(() => Number)
  @IsLimit(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsCursor()
  cursor?: string;
}
