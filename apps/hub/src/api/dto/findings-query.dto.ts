import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { FINDING_STATUSES, SEVERITIES } from '@audit-hub/domain';
import { PageQueryDto } from './page-query.dto';
import { IsCommaListOf, IsControlId, IsDateOrInstant, IsNonEmptyText } from './validators';

/** The framework families of controls.md "Framework mapping". */
export const FRAMEWORK_FAMILIES = ['SOX', 'PCI-DSS-4.0', 'ISO27001-2022', 'SOC2', 'HIPAA', 'GDPR'] as const;
const FRAMEWORK = new RegExp(
  `^(${FRAMEWORK_FAMILIES.map((f) => f.replace(/[.-]/g, '\\$&')).join('|')})(:[^\\s,]+)?$`,
);

/** Sort orders of GET /findings (a leading `-` reverses one). */
export const FINDING_SORTS = ['severity', 'key', 'control', 'firstSeenAt', 'lastSeenAt'] as const;
const SORT = new RegExp(`^-?(${FINDING_SORTS.join('|')})$`);

export class FindingsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: `Status as of \`asOf\` (default now): ${FINDING_STATUSES.join(', ')}` })
  @IsOptional()
  @IsCommaListOf(FINDING_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'A control id, e.g. RM-CHG-001' })
  @IsOptional()
  @IsControlId()
  control?: string;

  @ApiPropertyOptional({ description: 'A service name' })
  @IsOptional()
  @IsNonEmptyText(255)
  service?: string;

  @ApiPropertyOptional({ description: "A team (a team-scoped token sees only its own team's findings)" })
  @IsOptional()
  @IsNonEmptyText(255)
  team?: string;

  @ApiPropertyOptional({ description: `${SEVERITIES.join(', ')} (several: comma-separated)` })
  @IsOptional()
  @IsCommaListOf(SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({
    description: `A framework family (${FRAMEWORK_FAMILIES.join(', ')}) or clause, e.g. SOX:ITGC-CM, PCI-DSS-4.0:6.5.1`,
  })
  @IsOptional()
  @Matches(FRAMEWORK, {
    message: `must be a framework family (${FRAMEWORK_FAMILIES.join(', ')}) or one of its clauses, e.g. SOX:ITGC-CM`,
  })
  framework?: string;

  @ApiPropertyOptional({
    description: 'Each finding as it stood then: YYYY-MM-DD (end of day, UTC) or an ISO instant',
  })
  @IsOptional()
  @IsDateOrInstant()
  asOf?: string;

  @ApiPropertyOptional({
    description: `Order: ${FINDING_SORTS.join(', ')}; prefix - to reverse (default severity, most severe first)`,
  })
  @IsOptional()
  @Matches(SORT, { message: `must be one of ${FINDING_SORTS.join(', ')}, optionally prefixed with -` })
  sort?: string;
}
