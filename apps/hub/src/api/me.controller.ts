import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import { ApiCommonErrors } from './dto/api-error.dto';
import { PrincipalDto } from './dto/catalog-response.dto';

@ApiTags('auth')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/me`)
export class MeController {
  @Get()
  @ApiOperation({ operationId: 'getMe', summary: 'Who the token stands for: name, role and team scope' })
  @ApiOkResponse({ type: PrincipalDto })
  get(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
