import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { ExceptionStatus } from '../exceptions/exception.entity';
import { ExceptionStore, ExceptionView } from '../exceptions/exception.store';
import { API_V1 } from './api-routes';
import { ConfigExceptionsService } from './config-exceptions.service';
import { ConfigExceptionListDto } from './dto/config-exceptions.dto';
import { CompanyWide, CurrentPrincipal, Roles } from './auth.decorators';
import { EmptyBodyDto, ExceptionsQueryDto, RequestExceptionDto } from './dto/exceptions.dto';
import { splitList } from './dto/validators';
import { ApiBodyErrors, ApiCommonErrors, ApiErrors } from './dto/api-error.dto';
import { ExceptionDto, ExceptionListDto } from './dto/exceptions-response.dto';

@ApiTags('exceptions')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/exceptions`)
export class ExceptionsController {
  constructor(
    private readonly exceptions: ExceptionStore,
    private readonly configExceptions: ConfigExceptionsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listExceptions',
    summary: 'Exceptions requested through the API, newest first',
  })
  @ApiOkResponse({ type: ExceptionListDto })
  @ApiErrors(400)
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

  // Before `:id`, which would take "config" for an id (API exception ids are UUIDs).
  @Get('config')
  @CompanyWide("the config file's exceptions may cover any team's subjects")
  @ApiOperation({
    operationId: 'listConfigExceptions',
    summary: "The config file's exceptions (source config), with whether each has expired",
  })
  @ApiOkResponse({ type: ConfigExceptionListDto })
  listConfig(): ConfigExceptionListDto {
    return this.configExceptions.list();
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getException', summary: 'One exception' })
  @ApiOkResponse({ type: ExceptionDto })
  @ApiErrors(404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ExceptionView> {
    return this.exceptions.get(id, principal.team);
  }

  @Post()
  @Roles('admin', 'operator')
  @ApiOperation({
    operationId: 'requestException',
    summary: 'Request an exception (accepted risk); it covers nothing until approved',
  })
  @ApiCreatedResponse({ type: ExceptionDto })
  @ApiBodyErrors()
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
    operationId: 'approveException',
    summary: 'Approve a requested exception: not by its requester, not by a team-scoped token',
  })
  @ApiOkResponse({ type: ExceptionDto })
  @ApiBodyErrors()
  @ApiErrors(404, 409)
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
  @ApiOperation({ operationId: 'rejectException', summary: 'Reject a requested exception' })
  @ApiOkResponse({ type: ExceptionDto })
  @ApiBodyErrors()
  @ApiErrors(404, 409)
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
  @ApiOperation({
    operationId: 'expireException',
    summary: 'End an exception now: from the next run on it covers nothing',
  })
  @ApiOkResponse({ type: ExceptionDto })
  @ApiBodyErrors()
  @ApiErrors(404, 409)
  expire(
    @Param('id') id: string,
    @Body() _body: EmptyBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExceptionView> {
    return this.exceptions.expire(id, principal);
  }
}
