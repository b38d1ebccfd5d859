import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EvidenceVerifier } from '../evidence/evidence.verifier';
import type { VerifyResult } from '../evidence/ledger.types';
import { API_V1 } from './api-routes';
import { CompanyWide, ReadOnlyAction } from './auth.decorators';
import { EmptyBodyDto } from './dto/exceptions.dto';
import { ApiBodyErrors, ApiCommonErrors } from './dto/api-error.dto';
import { VerifyResultDto } from './dto/catalog-response.dto';

@ApiTags('evidence')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/evidence`)
export class EvidenceController {
  constructor(private readonly verifier: EvidenceVerifier) {}

  /** A POST because it computes (recomputes every hash), but it writes nothing: auditors may call it. */
  @Post('verify')
  @HttpCode(200)
  @ReadOnlyAction()
  @CompanyWide('the ledger holds evidence of every team')
  @ApiOperation({
    operationId: 'verifyEvidence',
    summary: 'Recompute the evidence ledger: chain, Merkle root, checkpoint signatures',
  })
  @ApiOkResponse({ type: VerifyResultDto, description: 'As `evidence verify --format json`' })
  @ApiBodyErrors()
  verify(@Body() _body: EmptyBodyDto): Promise<VerifyResult> {
    return this.verifier.verify({ source: 'db' });
  }
}
