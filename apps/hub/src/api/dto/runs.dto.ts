import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from './page-query.dto';
import { IsCommaListOf } from './validators';

export const RUN_STATUSES = ['running', 'complete', 'incomplete', 'failed'] as const;

export class RunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: `${RUN_STATUSES.join(', ')} (several: comma-separated)` })
  @IsOptional()
  @IsCommaListOf(RUN_STATUSES)
  status?: string;
}

export class StartRunDto {
  @ApiPropertyOptional({ description: 'Resynchronize every stream from scratch instead of incrementally' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  full?: boolean;
}
