import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageQueryDto } from './page-query.dto';
import { IsCalendarDate, IsNonEmptyText } from './validators';

export class ReleasesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'First day, YYYY-MM-DD (UTC), of the deployments listed' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Last day, YYYY-MM-DD (UTC), inclusive' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ description: 'A service name' })
  @IsOptional()
  @IsNonEmptyText(255)
  service?: string;
}
