import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { ExceptionStatus } from '../exceptions/exception.entity';
import { ExceptionStore, ExceptionView } from '../exceptions/exception.store';
import { API_V1 } from './api-routes';
import { CurrentPrincipal, Roles } from './auth.decorators';
import { EmptyBodyDto, ExceptionsQueryDto, RequestExceptionDto } from './dto/exceptions.dto';
import { splitList } from './dto/validators';

@ApiTags('exceptions')
@ApiBearerAuth()
@Controller(`${API_V1}/exceptions`)
export class ExceptionsController {
  constructor(private readonly exceptions: ExceptionStore) {}

  @Get()
  @ApiOperation({ summary: 'Exceptions requested through the API, newest first' })
  async list(
    @Query() query: ExceptionsQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ items: ExceptionView[] }> {
    const items = await this.exceptions.list({
      status: splitList(query.status) as ExceptionStatus[] | undefined,
      control: query.control,
      team: principal.team,
    });
    return { items };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One exception' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ExceptionView> {
    return this.exceptions.get(id, principal.team);
  }

  @Post()
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Request an exception (accepted risk); it covers nothing until approved' })
  request(
    @Body() body: RequestExceptionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExceptionView> {
    return this.exceptions.request(body, principal);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({
    summary: 'Approve a requested exception: not by its requester, not by a team-scoped token',
  })
  approve(
    @Param('id') id: string,
    @Body() _body: EmptyBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExceptionView> {
    return this.exceptions.approve(id, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Reject a requested exception' })
  reject(
    @Param('id') id: string,
    @Body() _body: EmptyBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExceptionView> {
    return this.exceptions.reject(id, principal);
  }

  @Post(':id/expire')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'End an exception now: from the next run on it covers nothing' })
  expire(
    @Param('id') id: string,
    @Body() _body: EmptyBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExceptionView> {
    return this.exceptions.expire(id, principal);
  }
}
