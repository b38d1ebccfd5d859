import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Transform } from 'class-transformer';
import { REPORT_FORMATS } from '../../reports/report.model';
import { IsCalendarDate, IsDateOrInstant } from './validators';

export class ReportsQueryDto {
  @ApiProperty({ description: 'First day of the period, YYYY-MM-DD' })
  @IsCalendarDate()
  from!: string;

  @ApiProperty({ description: 'Last day of the period, YYYY-MM-DD, inclusive' })
  @IsCalendarDate()
  to!: string;

  @ApiPropertyOptional({ description: `${REPORT_FORMATS.join(', ')} (default json)` })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: (typeof REPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: 'What the hub knew then: YYYY-MM-DD or an ISO instant (default now)' })
  @IsOptional()
  @IsDateOrInstant()
  asOf?: string;

  @ApiPropertyOptional({ description: 'true: replace personal data with keyed pseudonyms' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsIn([true, false], { message: 'must be true or false' })
  redact?: boolean;
}
