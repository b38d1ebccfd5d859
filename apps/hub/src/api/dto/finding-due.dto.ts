/**
 * A finding's age and due date in GET /findings and GET /findings/{key} (finding-due.ts), for the
 * OpenAPI document: the fields a listed finding adds to FindingDto.
 */
import { ApiProperty } from '@nestjs/swagger';
import type { FindingDue } from '../finding-due';

export class FindingDueDateDto {
  @ApiProperty({ description: 'The SLA of its severity (remediation.sla)', example: '30d' })
  sla!: string;

  @ApiProperty({ format: 'date-time', description: 'First seen + the SLA' })
  at!: string;

  @ApiProperty({ description: 'Open or reopened past its due date (as of asOf when given)' })
  overdue!: boolean;
}

export class FindingDueDto implements FindingDue {
  @ApiProperty({
    type: 'integer',
    description: 'Whole days from first seen to its resolution (resolved) or to now (asOf when given)',
  })
  ageDays!: number;

  @ApiProperty({ type: FindingDueDateDto, nullable: true, description: 'null: no SLA for its severity' })
  due!: FindingDueDateDto | null;
}
