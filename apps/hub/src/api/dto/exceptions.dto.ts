import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { EXCEPTION_STATUSES } from '../../exceptions/exception.entity';
import { IsCalendarDate, IsCommaListOf, IsControlId, IsNonEmptyText } from './validators';

export class ExceptionsQueryDto {
  @ApiPropertyOptional({ description: `${EXCEPTION_STATUSES.join(', ')} (several: comma-separated)` })
  @IsOptional()
  @IsCommaListOf(EXCEPTION_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'A control id, e.g. RM-ACC-003' })
  @IsOptional()
  @IsControlId()
  control?: string;
}

export class RequestExceptionDto {
  @ApiProperty({ description: 'The control the exception is for, e.g. RM-ACC-003' })
  @IsControlId()
  control!: string;

  @ApiProperty({ description: 'Glob over subject refs: * matches any characters, / and : included' })
  @IsNonEmptyText(660)
  subject!: string;

  @ApiProperty({ description: 'Why the risk is accepted' })
  @IsNonEmptyText(2000)
  reason!: string;

  @ApiProperty({ description: 'Last day covered, YYYY-MM-DD (through 23:59:59 UTC)' })
  @IsCalendarDate()
  expires!: string;
}

/** Actions that take no body: any field sent is refused. */
export class EmptyBodyDto {}
