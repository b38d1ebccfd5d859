import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_V1 } from './api-routes';
import { ConnectorsStatusService, ConnectorStatusView } from './connectors-status.service';

@ApiTags('connectors')
@ApiBearerAuth()
@Controller(`${API_V1}/connectors`)
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsStatusService) {}

  @Get()
  @ApiOperation({
    summary: "Each connector's streams: last run's status and last success (never credentials)",
  })
  list(): Promise<ConnectorStatusView[]> {
    return this.connectors.list();
  }
}
