/** Exceptions as the API answers them (exception.store.ts), for the OpenAPI document. */
import { ApiProperty } from '@nestjs/swagger';
import { EXCEPTION_STATUSES, ExceptionStatus } from '../../exceptions/exception.entity';
import type { ExceptionView } from '../../exceptions/exception.store';

export class ExceptionDto implements ExceptionView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'The control it is for, e.g. RM-ACC-003' })
  control!: string;

  @ApiProperty({ description: 'Glob over subject refs: * matches any characters, / and : included' })
  subject!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: 'The principal who requested it: token:<name> or oidc:<subject>' })
  requestedBy!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The requester's team scope; null: company-wide",
  })
  team!: string | null;

  @ApiProperty({ type: String, nullable: true })
  approvedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvedAt!: string | null;

  @ApiProperty({ format: 'date', description: 'Last day covered (through 23:59:59 UTC)' })
  expires!: string;

  @ApiProperty({
    enum: [...EXCEPTION_STATUSES],
    description: '`approved` past its expiry day reads `expired`: it no longer covers anything',
  })
  status!: ExceptionStatus;

  @ApiProperty({ type: String, nullable: true, description: 'Who rejected or expired it' })
  closedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ExceptionListDto {
  @ApiProperty({ type: [ExceptionDto], description: 'Newest first' })
  items!: ExceptionDto[];
}
