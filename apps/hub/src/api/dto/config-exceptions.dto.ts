/** GET /exceptions/config: the config file's exceptions, for the OpenAPI document. */
import { ApiProperty } from '@nestjs/swagger';

export class ConfigExceptionDto {
  @ApiProperty({ enum: ['config'], description: 'Where it is defined: the config file' })
  source!: 'config';

  @ApiProperty({ description: 'The control it is for, e.g. RM-ACC-003' })
  control!: string;

  @ApiProperty({ description: 'Glob over subject refs: * matches any characters, / and : included' })
  subject!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty()
  requestedBy!: string;

  @ApiProperty()
  approvedBy!: string;

  @ApiProperty({ format: 'date', description: 'Last day covered (through 23:59:59 UTC)' })
  expires!: string;

  @ApiProperty({ enum: ['approved', 'expired'], description: 'expired past the end of its expiry day' })
  status!: 'approved' | 'expired';
}

export class ConfigExceptionListDto {
  @ApiProperty({ type: [ConfigExceptionDto], description: 'In config file order' })
  items!: ConfigExceptionDto[];
}
