import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReportService } from '../reports/report.service';
import { renderReport, REPORT_MEDIA } from '../reports/report.renderer';
import { API_V1 } from './api-routes';
import type { Principal } from '../auth/principal';
import { CompanyWide, CurrentPrincipal } from './auth.decorators';
import { ReportsQueryDto } from './dto/reports-query.dto';
import { instantOf } from './dto/validators';
import { ApiCommonErrors, ApiErrors } from './dto/api-error.dto';
import { REPORT_CONTENT } from './dto/report-response.dto';

@ApiTags('reports')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/reports`)
export class ReportsController {
  constructor(private readonly reports: ReportService) {}

  @Get()
  @CompanyWide('a period report covers the whole estate')
  @ApiOperation({
    operationId: 'getReport',
    summary: 'The period report for auditors (as `report --from D --to D --format F`)',
  })
  @ApiOkResponse({ description: 'The report in the `format` asked for', content: REPORT_CONTENT })
  @ApiErrors(400)
  async get(@Query() q: ReportsQueryDto, @CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const format = q.format ?? 'json';
    const report = await this.reports.build({
      // "Prepared by": the caller, not the account the service runs as (not part of the report id).
      operator: `${principal.name} (${principal.id}, through the API)`,
      from: q.from,
      to: q.to,
      ...(q.asOf ? { asOf: new Date(instantOf(q.asOf)) } : {}),
      redact: q.redact ?? false,
    });
    const media = REPORT_MEDIA[format];
    return new StreamableFile(await renderReport(report, format), {
      type: media.mediaType,
      disposition: `${format === 'pdf' || format === 'csv' ? 'attachment' : 'inline'}; filename="audit-hub-report-${q.from}-${q.to}.${media.extension}"`,
    });
  }
}
