import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_V1 } from './api-routes';
import { ConnectorsStatusService, ConnectorStatusView } from './connectors-status.service';
import { ApiCommonErrors } from './dto/api-error.dto';
import { ConnectorStatusDto } from './dto/catalog-response.dto';

@ApiTags('connectors')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/connectors`)
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsStatusService) {}

  @Get()
  @ApiOperation({
    operationId: 'listConnectors',
    summary: "Each connector's streams: last run's status and last success (never credentials)",
  })
  @ApiOkResponse({ type: [ConnectorStatusDto] })
  list(): Promise<ConnectorStatusView[]> {
    return this.connectors.list();
  }
}
