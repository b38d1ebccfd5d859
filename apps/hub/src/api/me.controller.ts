import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';

@ApiTags('auth')
@ApiBearerAuth()
@Controller(`${API_V1}/me`)
export class MeController {
  @Get()
  @ApiOperation({ summary: 'Who the token stands for: name, role and team scope' })
  get(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
